import DSP
import Foundation
import HotlineModel
import LocalDB

/// What the box puts right when it starts after a crash or a kill: calls that never ended are
/// closed as `box_restarted`, and recordings that no case or call holds yet are attached — a
/// caller's message cut off mid-sentence becomes an incomplete case, as if the caller had hung up.
package enum CrashRecovery {
    package struct Report {
        package var callsClosed = 0
        package var messagesKept: [String] = []
        package var callRecordingsKept = 0
    }

    package static func run(store: CaseStore, recordings: String, now: Date) throws -> Report {
        var report = Report()
        for call in try store.calls() where call.endedAt == nil {
            try store.finishCall(call.id, at: now, disconnectReason: .boxRestarted, disposition: .interrupted,
                                 ivrPath: call.ivrPath.split(separator: " ").map(String.init), digits: call.digits)
            report.callsClosed += 1
        }
        let held = Set(try store.db.query("SELECT path FROM media").compactMap { $0.text("path") })
        let calls = Dictionary(try store.calls().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: recordings)) ?? []).sorted()
        for file in files where file.hasSuffix(".wav") && !held.contains("\(recordings)/\(file)") {
            let path = "\(recordings)/\(file)"
            let parts = file.dropLast(4).split(separator: "-").map(String.init)
            // Only recordings the header says hold audio: a file killed before its first write is dropped.
            let channels = file.hasPrefix("call-") ? 2 : 1
            guard let samples = try? WAVFile.read(path, channels: channels), !samples.isEmpty else { continue }
            let durationMs = SampleClock.ms(samples.count / channels)
            if file.hasPrefix("msg-"), parts.count >= 3, let kind = CaseKind(rawValue: parts[1]), let callID = Int(parts[2]) {
                let made = try store.createCase(kind: kind, call: calls[callID] == nil ? nil : callID, callerNumber: calls[callID]?.callerNumber,
                                                complete: false, media: [NewMedia(kind: .recording, path: path, durationMs: durationMs, complete: false)], at: now)
                report.messagesKept.append(made.number.digits)
            } else if file.hasPrefix("call-"), parts.count >= 2, let callID = Int(parts[1]), calls[callID] != nil {
                try store.addMedia(NewMedia(kind: .callRecording, path: path, durationMs: durationMs, complete: false), call: callID, at: now)
                report.callRecordingsKept += 1
            }
        }
        return report
    }
}
