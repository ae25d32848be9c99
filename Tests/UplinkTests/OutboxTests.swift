import Box
import Central
import Foundation
import HotlineModel
import LocalDB
import Testing
import TestSupport

/// What the desk sends back reaches the box once, in order, through an unreachable box, lost
/// replies and refusals.
@Suite(.serialized, .tags(.system), .skippedInFastRun)
struct OutboxTests {
    @Test func statusesReachTheBoxOnceInOrderWhateverTheLinkDoes() async throws {
        let rig = try await UplinkRig.make()
        let db = try await PulledDatabase.make()
        let tls = try UplinkRig.identities.get()
        try await BoxInventory(database: db.database).add(node: "1", url: rig.base, district: "d", certificate: "\(tls)/box.crt")
        let pull = InventoryPull(inventory: BoxInventory(database: db.database), target: db.postgres, certificate: "\(tls)/central.crt", key: "\(tls)/central.key")
        _ = try await pull.run()
        let number = try #require(try await db.rows("SELECT number FROM cases WHERE kind = 'complaint' LIMIT 1").first?.first ?? nil)
        let outbox = Outbox(database: db.database)
        #expect(try await outbox.setStatus(node: "1", caseNumber: number, status: .inProgress, note: "已派单", by: "clerk") == 2)
        #expect(try await outbox.setStatus(node: "1", caseNumber: number, status: .closed, note: "已修好", by: "clerk") == 3)
        // A case the box does not know is refused by it, and does not hold the others back.
        try await db.database.client.query("INSERT INTO cases (node, id, number, last_seq, data) VALUES ('1', 9999, '19999999', 0, '{}')")
        try await outbox.setStatus(node: "1", caseNumber: "19999999", status: .closed, note: nil, by: "clerk")
        await #expect(throws: CentralRefusal.self) { try await outbox.setStatus(node: "1", caseNumber: "12345678", status: .closed, note: nil, by: "clerk") }

        // The box cannot be reached: nothing is delivered, the first entry backs off and holds
        // the rest.
        try await db.database.client.query("UPDATE boxes SET url = 'https://127.0.0.1:1'")
        let d1 = try await pull.deliver(node: "1")
        #expect(d1 == Outbox.Delivery(delivered: 0, refused: 0, waiting: 3))
        #expect(try await db.count("SELECT count(*) FROM outbox WHERE attempts = 1 AND last_error IS NOT NULL AND next_attempt_at > now()") == 1)
        let d2 = try await pull.deliver(node: "1")
        #expect(d2 == Outbox.Delivery(delivered: 0, refused: 0, waiting: 3))
        // The box is back and the back-off over.
        try await db.database.client.query("UPDATE boxes SET url = \(rig.base)")
        try await db.database.client.query("UPDATE outbox SET next_attempt_at = now()")
        let d3 = try await pull.deliver(node: "1")
        #expect(d3 == Outbox.Delivery(delivered: 2, refused: 1, waiting: 0))
        let refusals = try await db.rows("SELECT last_error FROM outbox WHERE refused_at IS NOT NULL").map { $0[0] ?? "" }
        #expect(refusals.count == 1 && refusals[0].hasPrefix("HTTP 400: 19999999 is not an acceptance number"), "\(refusals)")

        // A reply lost after the box applied it: the retry changes nothing twice.
        try await db.database.client.query("UPDATE outbox SET delivered_at = NULL WHERE refused_at IS NULL")
        let d4 = try await pull.deliver(node: "1")
        #expect(d4 == Outbox.Delivery(delivered: 2, refused: 0, waiting: 0))
        let box = try CaseStore(path: "\(rig.data)/cases.sqlite", prefix: rig.config.nodePrefix)
        let record = try #require(try box.cases().first { $0.number.digits == number })
        #expect(record.status == .closed && record.statusVersion == 3)
        let central = try box.db.query("SELECT version FROM case_status_history WHERE case_id = ? AND source = 'central' ORDER BY id", [record.id]).compactMap { $0.int("version") }
        #expect(central == [2, 3])
        // The next pull brings the box's new statuses back into the database.
        _ = try await pull.run()
        #expect(try await db.rows("SELECT status FROM cases WHERE number = '\(number)'").first?.first == "closed")
        #expect(try await db.count("SELECT count(*) FROM case_status_history h JOIN cases c ON c.node = h.node AND c.id = h.case_id WHERE c.number = '\(number)' AND h.note = '已修好'") == 1)
        await db.close()
        await rig.shutdown()
    }

    /// A holiday calendar pushed to every box through the outbox is in force on each; one the
    /// box refuses is marked refused with the box's words, and the one in force stays.
    @Test func aCalendarReachesTheBoxesAndABadOneIsRefusedInTheirWords() async throws {
        let rig = try await UplinkRig.make(populated: false)
        _ = try BoxRuntime(config: rig.config, realTime: false, log: { _, _ in }).shutdown()
        let db = try await PulledDatabase.make()
        let tls = try UplinkRig.identities.get()
        try await BoxInventory(database: db.database).add(node: "1", url: rig.base, district: "d", certificate: "\(tls)/box.crt")
        let calendar = db.scratch.path("calendar.yaml"), broken = db.scratch.path("broken.yaml")
        try "time_zone: Asia/Shanghai\nservices:\n  desk:\n    mon-fri: 09:00-17:00\n    holidays: closed\nholidays:\n  2027-01-01: 元旦\n"
            .write(toFile: calendar, atomically: true, encoding: .utf8)
        try "services: [not, a, map]\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let push = try Tool.run(Tool.central, ["push", "calendar", calendar, "--all", "--store", db.store.root, "--database", db.database.url.rawValue,
                                               "--cert", "\(tls)/central.crt", "--key", "\(tls)/central.key"])
        #expect(push.status == 0 && push.stdout.contains("box 1: sent 1, refused 0, 0 waiting"), "\(push.stdout)\(push.stderr)")
        #expect(try await rig.request(.GET, "/v1/content").json["calendar"] as? String == "g1")
        let bad = try Tool.run(Tool.central, ["push", "calendar", broken, "--node", "1", "--store", db.store.root, "--database", db.database.url.rawValue,
                                              "--cert", "\(tls)/central.crt", "--key", "\(tls)/central.key"])
        #expect(bad.status == 0 && bad.stdout.contains("box 1: sent 0, refused 1"), "\(bad.stdout)\(bad.stderr)")
        let refusal = try await db.rows("SELECT last_error FROM outbox WHERE refused_at IS NOT NULL").first?.first ?? nil
        #expect(refusal?.hasPrefix("HTTP 422") == true, "\(refusal ?? "")")
        #expect(try await rig.request(.GET, "/v1/content").json["calendar"] as? String == "g1")
        let unknown = try Tool.run(Tool.central, ["push", "calendar", calendar, "--node", "9", "--store", db.store.root, "--database", db.database.url.rawValue])
        #expect(unknown.status != 0 && unknown.stderr.contains("no box 9 in the inventory"), "\(unknown.stderr)")
        await db.close()
        await rig.shutdown()
    }
}
