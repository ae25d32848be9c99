import Central
import Crypto
import Foundation
import LocalDB
import PostgresNIO
import SystemSupport
import Testing
import TestSupport
import UplinkWire

/// Where a test pulls a box to, and how it proves the pull holds every change and medium
/// exactly once: a directory, or a scratch PostgreSQL database with its media store.
enum PullTargetKind: String, CaseIterable, CustomTestStringConvertible {
    case directory, postgres
    var testDescription: String { rawValue }

    func make() async throws -> any PulledCopy {
        switch self {
        case .directory: try PulledDirectory()
        case .postgres: try await PulledDatabase.make()
        }
    }
}

protocol PulledCopy: Sendable {
    var target: any PullTarget { get }
    func expectExactlyOnce(rig: UplinkRig, node: String, replay: Comment?) async throws
    func close() async
}

struct PulledDirectory: PulledCopy {
    let scratch: ScratchDirectory
    let target: any PullTarget

    init() throws {
        scratch = try ScratchDirectory()
        target = DirectoryTarget(directory: scratch.path("c"))
    }

    func expectExactlyOnce(rig: UplinkRig, node: String, replay: Comment?) async throws {
        try UplinkTests.expectExactlyOnce(scratch.path("c/\(node)"), rig: rig, replay: replay)
    }

    func close() async {}
}

/// A database of its own on the server `.ci/run` starts (HOTLINE_POSTGRES_URL names the
/// server's scratch database, whose owner may create more), dropped when the test closes it.
final class PulledDatabase: PulledCopy, @unchecked Sendable {
    static let server = ProcessInfo.processInfo.environment["HOTLINE_POSTGRES_URL"] ?? "postgres://hotline:hotline@127.0.0.1:55432/hotline_test"
    let name: String
    let database: CentralDatabase
    let store: MediaStore
    let scratch: ScratchDirectory
    var target: any PullTarget { postgres }
    var postgres: PostgresTarget { PostgresTarget(database: database, store: store) }

    private init(name: String, database: CentralDatabase, scratch: ScratchDirectory) {
        self.name = name
        self.database = database
        self.scratch = scratch
        store = MediaStore(root: scratch.path("store"))
    }

    static func make() async throws -> PulledDatabase {
        let name = "hotline_t\(getpid())_\(UUID().uuidString.prefix(8).lowercased())"
        try await admin("CREATE DATABASE \(name)")
        var url = try DatabaseURL(server)
        url.database = name
        return PulledDatabase(name: name, database: try await CentralDatabase.open(url), scratch: try ScratchDirectory())
    }

    /// One statement on the server's scratch database, outside any transaction.
    static func admin(_ sql: String) async throws {
        do { try await CentralDatabase.administer(try DatabaseURL(server), sql) } catch {
            throw CommandFailure("\(error) (is PostgreSQL running? `make test` starts it)")
        }
    }

    func close() async {
        await database.close()
        try? await Self.admin("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Rows of one query whose columns are all text.
    func rows(_ sql: String) async throws -> [[String?]] {
        var out: [[String?]] = []
        for try await row in try await database.client.query(PostgresQuery(unsafeSQL: sql)) {
            out.append(try row.map { cell in try cell.decode(String?.self) })
        }
        return out
    }

    /// The one bigint a query answers.
    func count(_ sql: String) async throws -> Int {
        for try await value in try await database.client.query(PostgresQuery(unsafeSQL: sql)).decode(Int.self) { return value }
        return -1
    }

    func expectExactlyOnce(rig: UplinkRig, node: String, replay: Comment?) async throws {
        let box = try CaseStore(path: "\(rig.data)/cases.sqlite", prefix: rig.config.nodePrefix)
        let latest = try box.latestChange()
        // Every feed position once, none missing, and the cursor at the end.
        let seqs = try await rows("SELECT seq::text FROM changes WHERE node = '\(node)' ORDER BY changes.seq").compactMap { $0.first.flatMap { $0.flatMap { Int($0) } } }
        #expect(seqs == Array(1...latest), replay)
        #expect(try await count("SELECT cursor FROM boxes WHERE node = '\(node)'") == latest, replay)
        // Each entity's row holds its newest snapshot.
        for entity in Change.Entity.allCases {
            let table = PostgresTarget.table(of: entity)
            let distinct = try await count("SELECT count(DISTINCT entity_id) FROM changes WHERE node = '\(node)' AND entity = '\(entity.rawValue)'")
            #expect(try await count("SELECT count(*) FROM \(table) WHERE node = '\(node)'") == distinct, "\(table) \(replay?.rawValue ?? "")")
            #expect(try await count("""
                SELECT count(*) FROM \(table) t WHERE node = '\(node)' AND last_seq <> (SELECT max(seq) FROM changes c
                WHERE c.node = t.node AND c.entity = '\(entity.rawValue)' AND c.entity_id = t.id)
                """) == 0, "\(table) \(replay?.rawValue ?? "")")
        }
        // Every medium stored once, by the digest of what the box served.
        let mediaIDs = try box.changes(after: 0, limit: 100_000).filter { $0.entity == "media" }.map(\.entityID)
        for id in mediaIDs {
            let form = try #require(try box.mediaRecord(id)?.uplink, "media \(id) was never served \(replay?.rawValue ?? "")")
            let stored = try await rows("SELECT blob_sha256, pdf_sha256 FROM media WHERE node = '\(node)' AND id = \(id)")
            #expect(stored.first?.first == form.sha256, "media \(id) \(replay?.rawValue ?? "")")
            let data = try #require(FileManager.default.contents(atPath: store.path(sha256: form.sha256)), "media \(id) not in the store")
            #expect(SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() == form.sha256, replay)
            if form.contentType == MediaContentType.tiff {
                let pdf = try #require(stored.first?[1] ?? nil, "fax \(id) has no PDF")
                #expect(FileManager.default.contents(atPath: store.path(sha256: pdf))?.prefix(5) == Data("%PDF-".utf8))
            }
        }
        #expect(try await count("SELECT count(*) FROM media WHERE node = '\(node)' AND blob_sha256 IS NOT NULL") == mediaIDs.count, replay)
        // Nothing waits in staging once the pull is through.
        let staged = (try? FileManager.default.contentsOfDirectory(atPath: "\(store.root)/staging/\(node)")) ?? []
        #expect(staged.filter { $0.hasSuffix(".stored") }.isEmpty, "\(staged)")
    }
}
