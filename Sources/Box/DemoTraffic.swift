import DSP
import Foundation
import LineDriver
import LineSimulator
import Synchronization

/// Callers for the demo: the simulated exchange asks for the next call whenever a line falls
/// idle, on the frame thread. Continuous, a caller follows on every line; otherwise only a
/// technician's `line call N` brings one (a complaint), to try a box before its lines are
/// wired. Speech is spoken once at start-up; numbers of cases the box has created come in
/// through a ring, so queries ask about real cases.
package final class DemoTraffic: @unchecked Sendable {
    // Unchecked: `next` runs only on the frame thread; `created` is an SPSC ring fed by the
    // switchboard's thread, `requested` one fed by the control commands' event thread.
    package let created = SPSCRing<String>(capacity: 64)
    private let requested = SPSCRing<Int>(capacity: 16)
    private let continuous: Bool
    private var asked: [Bool]
    private var known: [String] = []
    private var count = 0
    private let complaint: String
    private let message: String

    package init(directory: String, lines: Int, continuous: Bool) throws {
        self.continuous = continuous
        asked = Array(repeating: false, count: lines)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        complaint = "\(directory)/complaint.wav"
        message = "\(directory)/message.wav"
        if !FileManager.default.fileExists(atPath: complaint) {
            try WAVFile.write(try Espeak.speak("我要投诉,幸福小区门口的路灯坏了三个星期,晚上很不安全,请尽快修理。"), to: complaint)
        }
        if !FileManager.default.fileExists(atPath: message) {
            try WAVFile.write(try Espeak.speak("市长您好,我建议在老城区多设几个公交站,方便老人出行。"), to: message)
        }
    }

    /// A complaint call on `line` as soon as it is idle; false when too many wait already.
    package func request(line: Int) -> Bool { requested.push(line) }

    package func next(line: Int, now: Int) -> (call: SimulatedCall, afterMs: Int)? {
        while let number = created.pop() { known.append(number) }
        while let wanted = requested.pop() {
            if asked.indices.contains(wanted) { asked[wanted] = true }
        }
        let onRequest = asked.indices.contains(line) && asked[line]
        guard continuous || onRequest else { return nil }
        if onRequest { asked[line] = false }
        count += 1
        let menu: (String) -> [CallerAction] = { key in
            [.waitForPrompt(timeoutMs: 15_000), .wait(ms: 1000), .dtmf("2", .init()), .wait(ms: 1500), .dtmf(key, .init())]
        }
        let recordThenConfirm: (String) -> [CallerAction] = { wav in
            [.waitForBeep(hz: 1000, timeoutMs: 60_000), .play(wav: wav), .dtmf("#", .init()),
             .waitForPrompt(timeoutMs: 15_000), .wait(ms: 800), .dtmf("1", .init()),
             .waitForPrompt(timeoutMs: 15_000), .waitForSilence(ms: 3000, timeoutMs: 60_000)]
        }
        let script: [CallerAction]
        switch onRequest ? 0 : count % 5 {
        case 0: script = menu("2") + recordThenConfirm(complaint) + [.hangUp(.loopDrop)]
        case 1: script = menu("1") + recordThenConfirm(message) + [.hangUp(.busyOnly)]
        case 2:
            let number = known.last ?? "10000012"
            script = menu("3") + [.wait(ms: 1500), .dtmf(number, .init()), .waitForPrompt(timeoutMs: 15_000),
                                  .waitForSilence(ms: 1000, timeoutMs: 30_000), .dtmf("1", .init()),
                                  .waitForPrompt(timeoutMs: 15_000), .waitForSilence(ms: 3000, timeoutMs: 30_000), .hangUp(.polarityReversal)]
        case 3: script = menu("5") + [.wait(ms: 4000), .dtmf("1", .init()), .wait(ms: 2000), .dtmf("2", .init()),
                                      .waitForPrompt(timeoutMs: 15_000), .waitForSilence(ms: 3000, timeoutMs: 30_000), .hangUp(.loopDrop)]
        default: script = [.wait(ms: 3000), .hangUp(.loopDrop)]
        }
        let caller = CallerID(standard: .bell202, format: .mdmf, number: "138\(String(format: "%08d", (line * 7919 + count * 104_729) % 100_000_000))",
                              dateTime: CallerIDDateTime(month: 11, day: 29, hour: 9, minute: count % 60))
        return (SimulatedCall(callerID: caller, script: script, impairments: LineImpairments(attenuationDB: 3, noiseDBm0: -62)),
                onRequest ? 500 : 2000 + (line * 1777 + count * 911) % 8000)
    }
}
