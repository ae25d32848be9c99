import Box
import Foundation
import HotlineModel
import Lab
import LocalDB
import SystemTestSupport
import Testing
import TestSupport

/// Call-backs through the whole box: the queue, the lines, the call-back flow.
@Suite(.tags(.system), .skippedInFastRun) struct CallbackTests {
    typealias Rig = SimulationRig

    static let listensAndRates = #"""
        {"do": "wait_for_prompt"}, {"do": "wait", "ms": 2000}, {"do": "dtmf", "digits": "1"},
        {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 2500}, {"do": "dtmf", "digits": "1"},
        {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000}, {"do": "hang_up", "how": "loop_drop"}
        """#

    /// Two lines and the default of one kept free: while a caller holds line 0, the job waits;
    /// it is dialled once that call ends, and the callers' line is never the one it takes.
    @Test func aCallBackWaitsWhileOnlyTheLastFreeLineIsLeft() throws {
        let json = """
            {"lines": 2, "starts_at": "\(Rig.deskOpen)", "calls": [
              {"line": 0, "at_ms": 0, "caller_id": {"number": "13812345678"}, "script": [\(Rig.complaint), \(Rig.hangUp)]},
              {"line": 0, "at_ms": 70000, "caller_id": {"number": "13812345678"}, "script": [{"do": "wait", "ms": 60000}, \(Rig.hangUp)]}
            ],
            "central": [{"at_ms": 80000, "schedule_callback": {"case": 0, "number": "13912340000", "status": "closed"}}],
            "callees": [{"number": "13912340000", "behaviour": "answer", "script": [\(Self.listensAndRates)]}]}
            """
        let out = try Rig.run(json)
        let busyUntil = try #require(out.report.calls.last?.endedMs)
        let job = try #require(out.report.callbacks.first)
        #expect(job.outcome == "rated")
        let first = try #require(job.attempts.first)
        #expect(first.startMs >= busyUntil && first.startMs < busyUntil + 2000, "line 0 free at \(busyUntil), dialled at \(first.startMs)")
        #expect(first.line == 1)
    }

    /// Three lines, so one caller leaves two free: the job still waits `quiet_after_ring` (60 s)
    /// after the caller's last ring, since more callers may be on their way.
    @Test func aCallBackWaitsWhileCallersAreArriving() throws {
        let json = """
            {"lines": 3, "starts_at": "\(Rig.deskOpen)", "calls": [
              {"line": 0, "at_ms": 0, "caller_id": {"number": "13812345678"}, "script": [\(Rig.complaint), \(Rig.hangUp)]},
              {"line": 0, "at_ms": 200000, "caller_id": {"number": "13812345679"}, "script": [{"do": "wait", "ms": 20000}, \(Rig.hangUp)]}
            ],
            "central": [{"at_ms": 205000, "schedule_callback": {"case": 0, "number": "13912340000", "status": "closed"}}],
            "callees": [{"number": "13912340000", "behaviour": "answer", "script": [\(Self.listensAndRates)]}]}
            """
        let out = try Rig.run(json)
        let job = try #require(out.report.callbacks.first)
        #expect(job.outcome == "rated")
        let first = try #require(job.attempts.first)
        #expect(first.startMs >= 260_000 && first.startMs < 275_000, "the caller rang from 200 s, dialled at \(first.startMs)")
    }

    /// Two lines, one kept free: the job is dialled on line 1, then a caller takes line 0, and
    /// the job's call gives its line to the next caller. Still ringing out, it hangs up unheard;
    /// answered, it says the box will call again. Either way that attempt does not count, and
    /// the job is dialled again once the lines are quiet, and rated. A citizen who has already
    /// heard the result is not called again: the job ends as heard.
    @Test(arguments: [
        (afterRings: 6, callerAfterDialMs: 8_000, attempts: ["yielded", "answered"], outcome: "rated"),
        (afterRings: 1, callerAfterDialMs: 20_000, attempts: ["yielded", "answered"], outcome: "rated"),
        (afterRings: 1, callerAfterDialMs: 40_000, attempts: ["answered"], outcome: "heard"),
    ])
    func aCallBackGivesItsLineToCallers(afterRings: Int, callerAfterDialMs: Int, attempts: [String], outcome: String) throws {
        let dialledAt = 100_000
        let json = """
            {"lines": 2, "starts_at": "\(Rig.deskOpen)", "calls": [
              {"line": 0, "at_ms": 0, "caller_id": {"number": "13812345678"}, "script": [\(Rig.complaint), \(Rig.hangUp)]},
              {"line": 0, "at_ms": \(dialledAt + callerAfterDialMs), "caller_id": {"number": "13812345679"}, "script": [{"do": "wait", "ms": 20000}, \(Rig.hangUp)]}
            ],
            "central": [{"at_ms": \(dialledAt), "schedule_callback": {"case": 0, "number": "13912340000", "status": "closed"}}],
            "callees": [{"number": "13912340000", "behaviour": "answer", "after_rings": \(afterRings), "script": [\(Self.listensAndRates)]}]}
            """
        let out = try Rig.run(json)
        let job = try #require(out.report.callbacks.first)
        #expect(job.attempts.map(\.result) == attempts, "\(job.attempts)")
        #expect(job.outcome == outcome)
        let first = try #require(job.attempts.first)
        #expect((dialledAt..<(dialledAt + 2_000)).contains(first.startMs), "dialled at \(first.startMs)")
        let caller = try #require(out.report.calls.last)
        #expect(caller.answeredMs != nil && caller.callerNumber == "13812345679")
    }

    /// A call-back for the rating alone (purpose survey) starts at the flow's survey entry: no
    /// result is told, the rating is asked at once.
    @Test func aSurveyCallBackAsksForTheRatingAlone() throws {
        let rates = #"""
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 2500}, {"do": "dtmf", "digits": "2"},
            {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000}, {"do": "hang_up", "how": "loop_drop"}
            """#
        let json = """
            {"lines": 2, "starts_at": "\(Rig.deskOpen)", "calls": [
              {"line": 0, "at_ms": 0, "caller_id": {"number": "13812345678"}, "script": [\(Rig.complaint), \(Rig.hangUp)]}
            ],
            "central": [{"at_ms": 80000, "schedule_callback": {"case": 0, "number": "13912340000", "status": "closed", "purpose": "survey"}}],
            "callees": [{"number": "13912340000", "behaviour": "answer", "script": [\(rates)]}]}
            """
        let out = try Rig.run(json)
        #expect(out.report.callbacks.map(\.outcome) == ["rated"] && out.report.callbacks.first?.rating == "2")
        let path = try out.store.db.query("SELECT ivr_path FROM calls WHERE direction = 'outbound'").first?.text("ivr_path") ?? ""
        #expect(path.hasPrefix("survey_greeting rating") && !path.contains("result"), "\(path)")
    }

    /// An unhappy citizen's message becomes a reopen case that names the first.
    @Test func anUnhappyCitizensMessageReopensTheCase() throws {
        let json = try String(contentsOfFile: "\(Rig.repository)/scenarios/callback-unhappy.json", encoding: .utf8)
        let out = try Rig.run(json)
        let first = try #require(out.report.calls.first?.cases.first?.number)
        let reopen = try #require(try out.store.cases().first { $0.kind == .reopen })
        let reopens = try out.store.db.query("SELECT reopens FROM cases WHERE id = ?", [reopen.id]).first?.text("reopens")
        #expect(reopens == first)
        // The rating is kept as the call's survey answer too, for the central office.
        let answers = try out.store.db.query("SELECT survey, question, answer FROM survey_answers").map { [$0.text("survey"), $0.text("question"), $0.text("answer")] }
        #expect(answers == [["callback-12345", "rating", "3"]])
    }

    /// Killed with an attempt on a line: the next start finds it `interrupted` (it counts), the
    /// job waits its retry and is then dialled and rated; the console shows the whole story and
    /// cancels nothing already done.
    @Test func aJobCutOffByAKillIsResumedAfterTheRestart() throws {
        let data = try ScratchDirectory()
        var config = try Rig.config(data: data.path("box"))
        config.lines = 2
        let start = try #require(ISO8601DateFormatter().date(from: Rig.deskOpen))
        do {
            // The first life: a case, a call-back for it, ringing out when the box is killed.
            let runtime = try BoxRuntime(config: config, startedAt: start, realTime: false, log: { _, _ in })
            let made = try runtime.store.createCase(kind: .complaint, call: nil, callerNumber: "13912340000", at: start)
            let request = CallbackRequest(id: "cb-kill", caseNumber: made.number, number: "13912340000", status: .closed, note: "已修好")
            _ = try request.queue(store: runtime.store, settings: config.outbound, notes: runtime.switchboard.notes, at: start)
            var ringingFor = 0
            for _ in 0..<3000 where ringingFor < 250 {
                runtime.step()
                if try runtime.store.outboundJobs().first?.state == .dialling { ringingFor += 1 }
            }
            #expect(ringingFor == 250)
            // No shutdown: the process is gone; only the disk remains.
        }
        let json = """
            {"lines": 2, "starts_at": "2026-12-04T10:05:00+08:00", "calls": [],
             "callees": [{"number": "13912340000", "behaviour": "answer", "script": [\(Self.listensAndRates)]}]}
            """
        let file = data.path("second-life.json")
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        let report = try Simulation(scenario: try Scenario.load(file), config: config, verbose: false).run()
        let job = try #require(report.callbacks.first)
        #expect(job.attempts.map(\.result) == [CaseStore.interrupted, "answered"])
        #expect(job.outcome == "rated" && job.rating == "1")
        // Resumed a retry after the restart (10 minutes), not at once.
        #expect((job.attempts.last?.startMs ?? 0) >= 600_000, "\(job.attempts)")

        let queries = try ControlQueries(config: config, configFile: nil, board: ControlBoard())
        let listing = ControlCommands.answerOnWorker("outbound", queries: queries) ?? ""
        #expect(listing.contains("case \(job.case ?? "") to 13912340000 (cb-kill): done: rated rated 1; 2 of 3 attempts"), "\(listing)")
        #expect(listing.contains("line 1 interrupted") && listing.contains("line 1 answered"), "\(listing)")
        #expect(ControlCommands.answerOnWorker("outbound cancel cb-kill", queries: queries) == "job 1: already done: rated")
    }
}
