import DSP
import Foundation
import TestSupport

/// Signals synthesized independently of SpanDSP's generators, so the detectors are checked
/// against exact conditions (frequency offsets, twist, level) as in the Mitel test tapes.
enum TestSignals {
    static let allDigits = DTMFKeypad.digits

    static func silence(ms: Int) -> [Int16] { [Int16](repeating: 0, count: SampleClock.samples(ms: ms)) }

    /// Sum of sines, each at its own level; phases start at zero.
    static func tones(_ components: [(hz: Double, dBm0: Double)], ms: Int) -> [Int16] {
        Signal.sines(components, count: SampleClock.samples(ms: ms))
    }

    /// DTMF digits with each group at its own level and frequency offset (a fraction: 0.015 =
    /// +1.5 %).
    static func dtmf(_ digits: [Character], onMs: Int = 100, offMs: Int = 100, lowDBm0: Double = -10,
                     highDBm0: Double = -10, lowOffset: Double = 0, highOffset: Double = 0) -> [Int16] {
        var out = silence(ms: offMs)
        for d in digits {
            let f = DTMFKeypad.frequencies(of: d)!
            out += tones([(f.low * (1 + lowOffset), lowDBm0), (f.high * (1 + highOffset), highDBm0)], ms: onMs)
            out += silence(ms: offMs)
        }
        return out
    }

    /// Cadenced single tone: `cycles` of on/off.
    static func cadence(hz: Double, dBm0: Double, onMs: Int, offMs: Int, cycles: Int, leadMs: Int = 0) -> [Int16] {
        var out = silence(ms: leadMs)
        let on = tones([(hz, dBm0)], ms: onMs), off = silence(ms: offMs)
        for _ in 0..<cycles { out += on; out += off }
        return out
    }

    static func withNoise(_ samples: [Int16], dBm0: Double, seed: Int32 = 4242) -> [Int16] {
        var out = samples
        out.withUnsafeMutableBufferPointer { NoiseGenerator(levelDBm0: dBm0, seed: seed).add(to: $0) }
        return out
    }

    static func mix(_ a: [Int16], _ b: [Int16]) -> [Int16] {
        var out = a.count >= b.count ? a : b
        let other = a.count >= b.count ? b : a
        other.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { Signal.mix(src, into: $0) } }
        return out
    }

    static func digits(in samples: [Int16], config: DTMFDetectorConfig = .init()) -> [DTMFDigit] {
        var found: [DTMFDigit] = []
        let detector = DTMFDetector(config: config) { if case .ended(let d) = $0 { found.append(d) } }
        Signal.forEachBlock(samples) { detector.process($0) }
        detector.finish()
        return found
    }

    static func progressTones(in samples: [Int16], plan: TonePlan = .china) -> [CallProgressDetection] {
        var found: [CallProgressDetection] = []
        let detector = CallProgressDetector(plan: plan) { if case .confirmed(let d) = $0 { found.append(d) } }
        Signal.forEachBlock(samples) { detector.process($0) }
        return found
    }

    /// What a fax tone detector reports over `samples`; `listening`, when given, switches it to
    /// that one tone at each sample offset named.
    static func faxTones(in samples: [Int16], listening: [(at: Int, tone: FaxTone)] = []) -> [FaxToneDetection] {
        var found: [FaxToneDetection] = []
        let detector = FaxToneDetector { if case .detected(let d) = $0 { found.append(d) } }
        var at = 0
        Signal.forEachBlock(samples) { block in
            for change in listening where change.at >= at && change.at < at + block.count { detector.listen(for: change.tone) }
            detector.process(block)
            at += block.count
        }
        return found
    }

    static func mandarinSpeech(seconds: Int) throws -> [Int16] { try Speech.mandarin(seconds: seconds) }

    static func run(_ tool: String, _ arguments: [String]) throws { try Tool.require(tool, arguments) }
}

