import DSP
import Foundation

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

    static func faxTones(in samples: [Int16]) -> [FaxToneDetection] {
        var found: [FaxToneDetection] = []
        let detector = FaxToneDetector { if case .detected(let d) = $0 { found.append(d) } }
        Signal.forEachBlock(samples) { detector.process($0) }
        return found
    }

    /// At least `seconds` of Mandarin speech from espeak-ng, at 8 kHz. Spoken once per test
    /// process: tests run in parallel and share it.
    static func mandarinSpeech(seconds: Int) throws -> [Int16] {
        let one = try spokenOnce.get()
        var out: [Int16] = []
        while out.count < seconds * SampleClock.rate { out += one }
        return out
    }

    private static let spokenOnce = Result<[Int16], any Error> {
        let text = "市民可以通过该热线向政府部门提出建议、意见或进行投诉、举报等事项。选择人工服务请按一,自动服务请按二。"
            + "选择市长信箱留言请按一,自动投诉举报请按二,投诉查询请按三,服务咨询请按四,民意调查请按五。"
            + "提供政策法规,城市指南、办事指南、投资指南及查询有关部门职能范围等咨询服务。"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dsp-tests-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let wide = dir.appendingPathComponent("speech-22k.wav").path, narrow = dir.appendingPathComponent("speech-8k.wav").path
        try run("/usr/bin/espeak-ng", ["-v", "cmn", "-s", "150", "-w", wide, text])
        try run("/usr/bin/sox", [wide, "-r", "8000", "-c", "1", "-b", "16", narrow])
        return try WAVFile.read(narrow)
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw ToolFailed(tool: tool, status: p.terminationStatus) }
    }

    struct ToolFailed: Error { var tool: String; var status: Int32 }
}

/// A fresh directory per test, removed when the test's value goes away.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("dsp-test-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}
