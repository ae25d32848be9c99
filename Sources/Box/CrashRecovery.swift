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
        /// Recordings whose header claimed audio the disk never got (a power cut): cut to what is there.
        package var recordingsCut = 0
        /// Received faxes that had no case (the store failed when the fax ended): now cases.
        package var faxesKept: [String] = []
        /// Outbound jobs whose attempt was on a line: queued again (the attempt counts).
        package var outboundResumed = 0

        package var isEmpty: Bool {
            callsClosed == 0 && messagesKept.isEmpty && callRecordingsKept == 0 && faxesKept.isEmpty && outboundResumed == 0
        }
    }

    package static func run(store: CaseStore, recordings: String, faxes: String, now: Date) throws -> Report {
        var report = Report()
        for call in try store.calls() where call.endedAt == nil {
            try store.finishCall(call.id, at: now, disconnectReason: .boxRestarted, disposition: .interrupted,
                                 ivrPath: call.ivrPath.split(separator: " ").map(String.init), digits: call.digits)
            report.callsClosed += 1
        }
        report.outboundResumed = try store.recoverOutbound(at: now)
        let held = Set(try store.db.query("SELECT path FROM media").compactMap { $0.text("path") })
        let calls = Dictionary(try store.calls().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: recordings)) ?? []).sorted()
        for file in files where file.hasSuffix(".wav") && !held.contains("\(recordings)/\(file)") {
            let path = "\(recordings)/\(file)"
            let parts = file.dropLast(4).split(separator: "-").map(String.init)
            // Cut to the audio the disk holds; a file with none (killed before its first write) goes.
            let channels = file.hasPrefix("call-") ? 2 : 1
            let samples: Int
            switch try? WAVFile.repair(path, channels: channels) {
            case .intact(let n)?: samples = n
            case .cut(let n, _)?:
                samples = n
                report.recordingsCut += 1
            case .removed?, nil: continue
            }
            let durationMs = SampleClock.ms(samples / channels)
            if file.hasPrefix("msg-"), parts.count >= 3, let kind = CaseKind(rawValue: parts[1]), let callID = Int(parts[2]) {
                // An unhappy citizen's message on a call-back reopens the case the call was about.
                let reopens = kind == .reopen ? try store.outboundJob(call: callID)?.request.caseNumber : nil
                let made = try store.createCase(kind: kind, call: calls[callID] == nil ? nil : callID, callerNumber: calls[callID]?.callerNumber,
                                                complete: false, media: [NewMedia(kind: .recording, path: path, durationMs: durationMs, complete: false)],
                                                reopens: reopens, at: now)
                report.messagesKept.append(made.number.digits)
            } else if file.hasPrefix("call-"), parts.count >= 2, let callID = Int(parts[1]), calls[callID] != nil {
                try store.addMedia(NewMedia(kind: .callRecording, path: path, durationMs: durationMs, complete: false), call: callID, at: now)
                report.callRecordingsKept += 1
            }
        }
        for file in ((try? FileManager.default.contentsOfDirectory(atPath: faxes)) ?? []).sorted() where file.hasPrefix("fax-") && file.hasSuffix(".tif") {
            let path = "\(faxes)/\(file)"
            guard !held.contains(path) else { continue }
            let parts = file.dropLast(4).split(separator: "-").map(String.init)
            guard parts.count >= 2, let callID = Int(parts[1]) else { continue }
            // What a cut-off fax delivered: the pages libtiff can read (none: nothing to keep).
            guard let pages = try? FaxDocument.read(path), !pages.isEmpty else {
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            let made = try store.createCase(kind: .fax, call: calls[callID] == nil ? nil : callID, callerNumber: calls[callID]?.callerNumber, complete: false,
                                            media: [NewMedia(kind: .fax, path: path, pages: pages.count, complete: false)], at: now)
            report.faxesKept.append(made.number.digits)
        }
        return report
    }
}
