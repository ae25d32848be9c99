import AsyncHTTPClient
import Box
import Foundation
import HotlineModel
import Lab
import LocalDB
import NIOHTTP1
import SystemTestSupport
import Testing
import TestSupport

/// `POST /v1/callbacks` and `DELETE /v1/callbacks/{id}` against a real box: checked, idempotent,
/// audited, then dialled by the box and reported in the change feed.
@Suite(.tags(.system), .skippedInFastRun) struct CallbackUplinkTests {
    /// Tomorrow 10:00 in Beijing, inside the default calling window, after anything the uplink
    /// queued now.
    static var tomorrowMorning: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let day = calendar.startOfDay(for: Date().addingTimeInterval(86_400)).addingTimeInterval(10 * 3600)
        let f = ISO8601DateFormatter()
        f.timeZone = calendar.timeZone
        return f.string(from: day)
    }

    @Test func aCallBackPostedByTheCentralOfficeIsDialledAndReported() async throws {
        let rig = try await UplinkRig.make(populated: false, node: "3")
        let remote = AcceptanceNumber(prefix: NodePrefix("72")!, sequence: 99)
        let post = ["id": "desk-7-001", "case": remote.digits, "number": "13912340000", "status": "closed", "note": "已修复"] as [String: Any]
        let first = try await rig.json(.POST, "/v1/callbacks", post)
        #expect(first.status == 200 && first.json["created"] as? Bool == true && first.json["state"] as? String == "queued", "\(first.json)")
        // The same id again (a retry after a lost reply): the same job, nothing new queued.
        let again = try await rig.json(.POST, "/v1/callbacks", post)
        #expect(again.status == 200 && again.json["created"] as? Bool == false)
        // The same id for another number: refused.
        var other = post
        other["number"] = "13800000000"
        #expect(try await rig.json(.POST, "/v1/callbacks", other).status == 409)
        // A second job, cancelled before the box gets to it.
        var second = post
        second["id"] = "desk-7-002"
        #expect(try await rig.json(.POST, "/v1/callbacks", second).status == 200)
        let cancelled = try await rig.request(.DELETE, "/v1/callbacks/desk-7-002")
        #expect(cancelled.status == 200 && cancelled.json["outcome"] as? String == "cancelled")
        #expect(try await rig.request(.DELETE, "/v1/callbacks/nobody").status == 404)

        let rates = #"{"do": "wait_for_prompt"}, {"do": "wait", "ms": 2000}, {"do": "dtmf", "digits": "1"}, {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 2500}, {"do": "dtmf", "digits": "2"}, {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000}, {"do": "hang_up", "how": "loop_drop"}"#
        let json = """
            {"lines": 2, "starts_at": "\(Self.tomorrowMorning)", "calls": [],
             "callees": [{"number": "13912340000", "behaviour": "answer", "script": [\(rates)]}]}
            """
        let file = rig.scratch.path("callees.json")
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        let (scenario, config) = (try Scenario.load(file), rig.config)
        let report = try await offPool { try Simulation(scenario: scenario, config: config, verbose: false).run() }
        #expect(report.callbacks.map(\.outcome) == ["rated", "cancelled"])
        #expect(report.callbacks.map { $0.attempts.count } == [1, 0])

        let done = try await rig.request(.GET, "/v1/callbacks/desk-7-001").json
        #expect(done["state"] as? String == "done" && done["outcome"] as? String == "rated" && done["rating"] as? String == "2", "\(done)")
        // The feed carries each job: created, the attempt, its end.
        let changes = try await rig.request(.GET, "/v1/changes?after=0&limit=500").json["changes"] as? [[String: Any]] ?? []
        let first7 = changes.filter { $0["entity"] as? String == "outbound_job" && ($0["data"] as? [String: Any])?["client_id"] as? String == "desk-7-001" }
        #expect(first7.map { $0["change"] as? String ?? "" } == ["created", "attempt", "done"])
        #expect(((first7.last?["data"] as? [String: Any])?["attempt_list"] as? [[String: Any]])?.first?["result"] as? String == "answered")
        let metrics = String(decoding: try await rig.request(.GET, "/v1/metrics").body, as: UTF8.self)
        #expect(metrics.contains(#"hotline_outbound_done_total{kind="callback",outcome="rated"} 1"#)
                && metrics.contains(#"hotline_outbound_done_total{kind="callback",outcome="cancelled"} 1"#), "\(metrics)")
        await rig.shutdown()
    }

    /// Every bad request is a 400 or 404 that names what is wrong, and queues nothing. REMOTE is
    /// a number of another node with no status here, OWN one of this box's it never gave out.
    @Test(arguments: [
        (#"{"id": "x", "case": "12345678", "number": "139"}"#, 400, "$.case"),
        (#"{"id": "x", "case": "REMOTE", "number": "1391234abc"}"#, 400, "$.number"),
        (#"{"id": "a b", "case": "REMOTE", "number": "139"}"#, 400, "$.id"),
        (#"{"id": "x", "case": "REMOTE", "number": "139", "attempts": 0}"#, 400, "$.attempts"),
        (#"{"id": "x", "case": "REMOTE", "number": "139", "not_before": "tomorrow"}"#, 400, "$.not_before"),
        (#"{"id": "x", "case": "REMOTE", "number": "139", "status": "done"}"#, 400, "$.status"),
        (#"{"id": "x", "case": "REMOTE", "number": "139", "attempts": 1.5}"#, 400, "$.attempts"),
        (#"{"id": "x", "case": "REMOTE", "number": "139"}"#, 404, "no case"),
        (#"{"id": "x", "case": "OWN", "number": "139", "status": "closed"}"#, 404, "no case"),
    ])
    func aBadCallBackIsRefused(body: String, status: Int, names: String) async throws {
        let rig = try await UplinkRig.make(populated: false, node: "3")
        let text = body.replacingOccurrences(of: "REMOTE", with: AcceptanceNumber(prefix: NodePrefix("72")!, sequence: 99).digits)
            .replacingOccurrences(of: "OWN", with: AcceptanceNumber(prefix: NodePrefix("3")!, sequence: 17).digits)
        let reply = try await rig.request(.POST, "/v1/callbacks", body: Data(text.utf8), headers: [("Content-Type", "application/json")])
        #expect(reply.status == status, "\(reply.json)")
        #expect((reply.json["error"] as? String)?.contains(names) == true, "\(reply.json)")
        let store = try CaseStore(path: "\(rig.data)/cases.sqlite", prefix: rig.config.nodePrefix)
        #expect(try store.outboundJobs().isEmpty)
        await rig.shutdown()
    }
}
