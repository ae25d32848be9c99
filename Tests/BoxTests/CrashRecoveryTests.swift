import Box
import DSP
import Foundation
import HotlineModel
import LocalDB
import Testing
import TestSupport

/// What the box puts right at start after a kill or a power cut, without a running box.
@Suite(.tags(.unit)) struct CrashRecoveryTests {
    /// A received fax whose case the store could not take (on 429158c it was never recovered)
    /// becomes an incomplete fax case; a message whose header claims more than the disk holds
    /// is cut to its audio and kept; an empty recording and an unreadable fax are removed.
    @Test func faxesAndCutMessagesBecomeIncompleteCases() throws {
        let scratch = try ScratchDirectory()
        for dir in ["recordings", "faxes"] { try FileManager.default.createDirectory(atPath: scratch.path(dir), withIntermediateDirectories: true) }
        let store = try CaseStore(path: scratch.path("cases.sqlite"), prefix: NodePrefix("1")!)
        let call = try store.beginCall(line: 0, at: Date(), caller: CallerInfo(number: "13812345678"))
        try FaxDocument.write([FaxPage.testChart(number: 1), FaxPage.testChart(number: 2)], to: scratch.path("faxes/fax-\(call)-a.tif"))
        try Data("II*\0 cut off".utf8).write(to: URL(fileURLWithPath: scratch.path("faxes/fax-\(call)-b.tif")))
        try WAVFile.write([Int16](repeating: 1000, count: 8000), to: scratch.path("full.wav"))
        try Data(contentsOf: URL(fileURLWithPath: scratch.path("full.wav"))).prefix(44 + 6000)
            .write(to: URL(fileURLWithPath: scratch.path("recordings/msg-complaint-\(call)-c.wav")))
        try WAVWriter(path: scratch.path("recordings/msg-complaint-\(call)-d.wav")).close()

        let report = try CrashRecovery.run(store: store, recordings: scratch.path("recordings"), faxes: scratch.path("faxes"), now: Date())
        #expect(report.callsClosed == 1 && report.faxesKept.count == 1 && report.messagesKept.count == 1 && report.recordingsCut == 1)
        let cases = try store.cases()
        #expect(Set(cases.map(\.kind)) == [.fax, .complaint] && cases.allSatisfy { !$0.complete && $0.callerNumber == "13812345678" })
        let fax = try #require(cases.first { $0.kind == .fax })
        #expect(try store.media(case: fax.id).first?.pages == 2)
        #expect(try WAVFile.read(scratch.path("recordings/msg-complaint-\(call)-c.wav")).count == 3000)
        #expect(!FileManager.default.fileExists(atPath: scratch.path("recordings/msg-complaint-\(call)-d.wav")))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("faxes/fax-\(call)-b.tif")))
        // A second start finds nothing more to do.
        let again = try CrashRecovery.run(store: store, recordings: scratch.path("recordings"), faxes: scratch.path("faxes"), now: Date())
        #expect(again.callsClosed == 0 && again.faxesKept.isEmpty && again.messagesKept.isEmpty)
    }

    /// An unhappy citizen's message on a call-back, cut off by a kill: kept as an incomplete
    /// reopen case that still names the case the call-back was about.
    @Test func aCutReopenMessageStillNamesItsCase() throws {
        let scratch = try ScratchDirectory()
        try FileManager.default.createDirectory(atPath: scratch.path("recordings"), withIntermediateDirectories: true)
        let store = try CaseStore(path: scratch.path("cases.sqlite"), prefix: NodePrefix("1")!)
        let now = Date()
        let complaint = try store.createCase(kind: .complaint, call: nil, callerNumber: "13812345678", complete: true, media: [], at: now)
        let job = try store.queueOutbound(NewOutboundJob(clientID: "cb-1", kind: .callback, caseNumber: complaint.number, number: "13812345678",
                                                         purpose: .result, status: .closed, maxAttempts: 3, retryAfterSeconds: 600,
                                                         notBefore: now, expiresAt: now.addingTimeInterval(86_400)), at: now).job
        let call = try store.beginCall(line: 0, at: now, caller: CallerInfo(number: "13812345678"))
        _ = try store.beginOutboundAttempt(job: job.id, line: 0, call: call, at: now)
        try WAVFile.write([Int16](repeating: 1000, count: 8000), to: scratch.path("recordings/msg-reopen-\(call)-a.wav"))

        let report = try CrashRecovery.run(store: store, recordings: scratch.path("recordings"), faxes: scratch.path("faxes"), now: now)
        #expect(report.messagesKept.count == 1)
        let reopens = try store.db.query("SELECT reopens FROM cases WHERE kind = 'reopen'").map { $0.text("reopens") }
        #expect(reopens == [complaint.number.digits])
    }
}
