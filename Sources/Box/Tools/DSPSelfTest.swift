import DSP
import Foundation

/// Loopback checks of every DSP function on this machine: each generator's output goes through
/// the matching detector. Run at start-up by the technician (`appliance selftest`) and on the
/// console.
package enum DSPSelfTest {
    package struct Check: Sendable {
        package var name: String
        package var passed: Bool
        package var detail: String
    }

    package static func runAll() -> [Check] {
        [dtmf(), busyTone(), callerID(.bell202), callerID(.v23), callerID(.dtmf), cng(), voiceActivity(), g711(), fax()]
    }

    package static func render(_ tone: ToneSignal, seconds: Double) -> [Int16] {
        var samples = [Int16](repeating: 0, count: Int(seconds * Double(SampleClock.rate)))
        let generator = ToneGenerator(tone)
        samples.withUnsafeMutableBufferPointer { _ = generator.generate(into: $0) }
        return samples
    }

    /// `digits` as keyed on a phone (−10 dBm0, 60 ms on, 60 ms off).
    package static func dtmfBurst(_ digits: String) throws -> [Int16] {
        let generator = DTMFGenerator(.init(levelDBm0: -10, onMs: 60, offMs: 60))
        try generator.send(digits)
        var samples = [Int16](repeating: 0, count: SampleClock.samples(ms: 120 * digits.count + 100))
        samples.withUnsafeMutableBufferPointer { _ = generator.generate(into: $0) }
        return samples
    }

    package static func dtmf() -> Check {
        let sent = "0123456789*#ABCD"
        let samples = (try? dtmfBurst(sent)) ?? []
        let got = SignalAnalysis.dtmf(samples).map(\.digit).joined()
        return Check(name: "dtmf", passed: got == sent, detail: "sent \(sent), detected \(got)")
    }

    package static func busyTone() -> Check {
        let busy = TonePlan.china.tones.first { $0.kind == .busy }!
        let found = SignalAnalysis.tones(render(ToneSignal(busy, levelDBm0: -20), seconds: 3))
        let first = found.first
        return Check(name: "busy-tone", passed: first?.kind == "busy" && found.count == 1,
                     detail: first.map { "\($0.kind) confirmed after \($0.confirmedMs) ms" } ?? "not detected")
    }

    package static func callerID(_ standard: CallerIDStandard) -> Check {
        let sent = CallerID(standard: standard, format: standard == .bell202 ? .mdmf : nil, number: "13812345678",
                            name: standard == .dtmf ? nil : "ZHANG SAN",
                            dateTime: standard == .dtmf ? nil : CallerIDDateTime(month: 11, day: 29, hour: 8, minute: 30))
        guard let audio = try? CallerIDGenerator(standard: standard).render(sent) else {
            return Check(name: "caller-id-\(standard.rawValue)", passed: false, detail: "generator failed")
        }
        let got = SignalAnalysis.callerIDs(audio + [Int16](repeating: 0, count: 800), standards: [standard])
        return Check(name: "caller-id-\(standard.rawValue)", passed: got == [sent],
                     detail: got.first.map { $0.keyValueLines.joined(separator: " ") } ?? "nothing decoded")
    }

    package static func cng() -> Check {
        let found = SignalAnalysis.tones(render(ToneSignal(frequency: 1100, levelDBm0: -15, onMs: 500, offMs: 3000), seconds: 1))
        return Check(name: "fax-cng", passed: found.map(\.kind) == ["cng"],
                     detail: found.first.map { "confirmed after \($0.confirmedMs) ms" } ?? "not detected")
    }

    package static func voiceActivity() -> Check {
        var changes: [VoiceActivity] = []
        let vad = VoiceActivityDetector { activity, _ in changes.append(activity) }
        let tone = render(ToneSignal(frequency: 800, levelDBm0: -20, onMs: 1000, offMs: 1000, repeats: false), seconds: 2)
        Signal.forEachBlock(tone) { vad.process($0) }
        return Check(name: "voice-activity", passed: changes == [.speech, .silence], detail: changes.map(\.rawValue).joined(separator: ","))
    }

    package static func g711() -> Check {
        let tone = render(ToneSignal(frequency: 1000, levelDBm0: -10), seconds: 0.1)
        let worst = [G711Law.ulaw, .alaw].map { law in
            tone.map { abs(Int(law.decode(law.encode($0))) - Int($0)) }.max() ?? 0
        }.max() ?? 0
        return Check(name: "g711", passed: worst < 1100, detail: "largest round-trip error \(worst)")
    }

    package static func fax() -> Check {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("selftest-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let doc = dir.appendingPathComponent("doc.tif").path, got = dir.appendingPathComponent("rx.tif").path
        do {
            let pages = [FaxPage.testChart(number: 1), FaxPage.testChart(number: 2)]
            try FaxDocument.write(pages, to: doc)
            let outcome = try FaxLoopback.run(document: doc, received: got)
            let same = (try? FaxDocument.read(got)) == pages
            return Check(name: "fax-loop", passed: outcome.receiver.success && same,
                         detail: "\(outcome.receiver.pages) pages at \(outcome.receiver.bitRate) bit/s, ECM \(outcome.receiver.ecmUsed ? "on" : "off"), \(same ? "identical" : "DIFFERENT")")
        } catch {
            return Check(name: "fax-loop", passed: false, detail: "\(error)")
        }
    }
}
