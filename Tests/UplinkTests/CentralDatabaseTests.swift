import Central
import Foundation
import LocalDB
import PostgresNIO
import Testing
import TestSupport
import UplinkWire

/// The central office's PostgreSQL target against a real server (`make test` starts it):
/// what lands where, what a second pull adds, and that odd data from a box never stops a pull.
@Suite(.serialized, .tags(.system), .skippedInFastRun)
struct CentralDatabaseTests {
    @Test func aPullLandsEachEntityInItsTableAndASecondAddsNothing() async throws {
        let rig = try await UplinkRig.make()
        let central = try await PulledDatabase.make()
        let (puller, url) = try rig.puller(target: central.target)
        let first = try await puller.pull(box: url)
        let box = try CaseStore(path: "\(rig.data)/cases.sqlite", prefix: rig.config.nodePrefix)
        #expect(first.changes == (try box.latestChange()))
        try await central.expectExactlyOnce(rig: rig, node: "1", replay: nil)
        // The desk's columns carry the box's values.
        let numbers = try box.cases().map(\.number.digits).sorted()
        #expect(try await central.rows("SELECT number FROM cases ORDER BY number").map { $0[0] } == numbers)
        #expect(try await central.count("SELECT count(*) FROM case_status_history") >= numbers.count)
        #expect(try await central.count("SELECT count(*) FROM fax_results WHERE direction = 'receive'") >= 1)
        #expect(try await central.count("SELECT count(*) FROM survey_answers WHERE answer IS NOT NULL") >= 1)
        #expect(try await central.count("SELECT count(*) FROM calls WHERE started_at IS NULL") == 0)
        #expect(try await central.count("SELECT count(*) FROM media WHERE kind = 'fax' AND pdf_sha256 IS NULL") == 0)
        // The raw change is kept as the box sent it.
        #expect(try await central.count("SELECT count(*) FROM changes c JOIN cases k ON k.node = c.node AND k.id = c.entity_id WHERE c.entity = 'case' AND c.data->>'number' <> k.number") == 0)
        let second = try await puller.pull(box: url)
        #expect(second.changes == 0 && second.media == 0)
        try await central.expectExactlyOnce(rig: rig, node: "1", replay: nil)
        try await puller.shutdown()
        await central.close()
        await rig.shutdown()
    }

    /// Times that are not times, numbers too big for their column, NUL in text, a snapshot
    /// that is not an object: the page commits, the columns that cannot hold a value hold NULL,
    /// and the change is kept whole.
    @Test func oddValuesFromABoxAreKeptNotRefused() async throws {
        let central = try await PulledDatabase.make()
        let sink = try await central.target.open(node: "7", url: "https://box-7")
        let odd: JSONValue = .object([
            "number": .string("7\u{0}0000019"), "created_at": .string("yesterday"), "updated_at": .string("2026-13-45T99:00:00Z"),
            "status_version": .number(1e300), "call_id": .number(2.5), "complete": .integer(7), "kind": .integer(3),
        ])
        try await sink.commit([
            Change(seq: 1, entity: .case, id: 1, change: .created, at: "not a time", data: odd),
            Change(seq: 2, entity: .call, id: 1, change: .created, at: "2026-12-05T08:00:00.000Z", data: .array([.null])),
            Change(seq: 3, entity: .media, id: 1, change: .created, at: "2026-12-05T08:00:00Z", data: .null),
        ])
        #expect(try await sink.cursor() == 3)
        let row = try await central.rows("SELECT number, created_at::text, updated_at::text, status_version::text, call_id::text, complete::text, kind FROM cases")
        #expect(row == [["70000019", nil, nil, nil, nil, nil, "3"]])
        #expect(try await central.count("SELECT count(*) FROM changes WHERE at IS NULL AND data->>'created_at' = 'yesterday'") == 1)
        #expect(try await central.count("SELECT count(*) FROM calls") == 1)
        #expect(try await central.count("SELECT count(*) FROM media") == 1)
        // A page already committed commits nothing again.
        try await sink.commit([Change(seq: 2, entity: .call, id: 1, change: .ended, at: "2026-12-05T08:00:00Z", data: .object([:]))])
        #expect(try await central.count("SELECT count(*) FROM changes") == 3)
        await central.close()
    }

    /// Migrations run once however often the database is opened, and a database migrated by
    /// newer software is refused by name rather than written to.
    @Test func migrationsRunOnceAndANewerSchemaIsRefused() async throws {
        let central = try await PulledDatabase.make()
        let again = try await CentralDatabase.open(central.database.url)
        #expect(try await again.schemaVersion() == CentralSchema.migrations.count)
        try await again.client.query("INSERT INTO schema_migrations (version) VALUES (999)")
        await again.close()
        await #expect {
            _ = try await CentralDatabase.open(central.database.url)
        } throws: { error in
            "\(error)".contains("version 999, newer than this software's \(CentralSchema.migrations.count)")
        }
        await central.close()
    }
}
