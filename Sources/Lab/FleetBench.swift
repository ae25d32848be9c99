import ArgumentParser
import Box
import Central
import Foundation
import HotlineModel
import LocalDB
import PostgresNIO
import SystemSupport
import UplinkServer
import UplinkWire

/// `hotline-lab bench fleet`: the central office pulling a city's boxes into PostgreSQL.
package struct FleetBench: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Pull a fleet of simulated boxes, each holding a district day, into PostgreSQL; then again with links cut mid-pull.",
        discussion: """
        Makes one district day (as `bench uplink` does), encodes its recordings once, and gives \
        every box its own copy of the store (media hard-linked), its own node and its own uplink \
        server on loopback, all in this process. The real `hotline-central pull` (a child process, \
        so its memory is its own) pulls the whole inventory into a database of its own on the \
        server --database names, with no link pacing. Then a second database and a second pull, \
        with --cut boxes' links cut at a random byte mid-pull, pulled again until every box is \
        through, and exactly-once checked with SQL.
        """)

    @Option(help: "Boxes in the fleet.") package var boxes = 100
    @Option(help: "Boxes whose links are cut mid-pull in the second round (0: no second round).") package var cut = 20
    @Option(help: "Calls in each box's day.") package var calls = 300
    @Option(help: "Minutes of recordings in each box's day.") package var recordedMinutes = 100.0
    @Option(help: "Fax pages in each box's day.") package var faxPages = 20
    @Option(help: "Boxes pulled at once (pull --parallel).") package var parallel = 8
    @Option(help: "A PostgreSQL server's database whose user may create databases; the bench makes its own and drops them.")
    package var database = ProcessInfo.processInfo.environment["HOTLINE_POSTGRES_URL"] ?? "postgres://hotline:hotline@127.0.0.1:55432/hotline_test"
    @Option(help: "Random seed for the cut boxes and cut points.") package var seed: UInt64 = 12345
    @Option(help: "Work directory (default: a temporary one, removed).") package var keep: String?

    package func validate() throws {
        if !(1...1000).contains(boxes) { throw ValidationError("--boxes must be 1 to 1000") }
        if !(0...boxes).contains(cut) { throw ValidationError("--cut must be 0 to --boxes") }
        do { _ = try DatabaseURL(database) } catch { throw ValidationError("--database: \(error)") }
    }

    package func run() throws {
        let root = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("fleet-bench-\(getpid())").path
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: root) } }
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: "\(root)/template/recordings", withIntermediateDirectories: true)
        var template = BoxConfig()
        template.dataDirectory = "\(root)/template"
        let started = Date()
        let day = try DistrictDay.make(in: template, calls: calls, recordedMinutes: recordedMinutes, faxPages: faxPages)
        _ = try UplinkBench.identities(in: root, for: &template)
        let encoder = try UplinkService(config: template)
        while encoder.prepareMedia(limit: 64) > 0 {}
        print(String(format: "one district day: %d changes, %d recordings, %d fax pages (made and encoded in %.0f s)", day.changes, day.recordings, day.faxPages,
                     Date().timeIntervalSince(started)))

        let fleet = try Fleet(template: template, root: root, count: boxes)
        defer { fleet.stop() }
        print("\(boxes) boxes serving on loopback")
        let server = try DatabaseURL(database)

        let clean = try round(name: "fleet", fleet: fleet, server: server, root: root, cuts: [])
        print(clean.text)
        guard cut > 0 else { return }
        var generator = SeededGenerator(seed: seed)
        let victims = Array((0..<boxes).shuffled(using: &generator).prefix(cut))
        let cuts = victims.map { ($0, Int.random(in: 1...max(1, clean.bytesPerBox), using: &generator)) }
        let faulted = try round(name: "cut", fleet: fleet, server: server, root: root, cuts: cuts)
        print(faulted.text)
        if !faulted.exactlyOnce { throw CommandFailure("exactly-once failed after the cuts") }
    }

    struct Round {
        var text: String
        var bytesPerBox: Int
        var exactlyOnce: Bool
    }

    /// One pull of the whole fleet into a new database, `cuts` boxes (index, bytes) cut once
    /// mid-pull, pulled again until all are through.
    private func round(name: String, fleet: Fleet, server: DatabaseURL, root: String, cuts: [(Int, Int)]) throws -> Round {
        let url = { var u = server; u.database = "hotline_\(name)_\(getpid())"; return u }()
        try Blocking.run { try await CentralDatabase.administer(server, "DROP DATABASE IF EXISTS \(url.database) WITH (FORCE)") }
        try Blocking.run { try await CentralDatabase.administer(server, "CREATE DATABASE \(url.database)") }
        defer { try? Blocking.run { try await CentralDatabase.administer(server, "DROP DATABASE IF EXISTS \(url.database) WITH (FORCE)") } }
        let store = "\(root)/\(name)-store"
        let proxies = try cuts.map { (index, bytes) in
            let proxy = try LinkProxy(to: fleet.runners[index].port)
            proxy.cut(afterMoreBytes: bytes)
            return (index, proxy)
        }
        defer { for (_, proxy) in proxies { proxy.stop() } }
        let db = try Blocking.run { try await CentralDatabase.open(url) }
        defer { try? Blocking.run { await db.close() } }
        let inventory = BoxInventory(database: db)
        for (index, runner) in fleet.runners.enumerated() {
            let port = proxies.first { $0.0 == index }?.1.port ?? runner.port
            try Blocking.run { try await inventory.add(node: fleet.nodes[index], url: "https://127.0.0.1:\(port)", district: "district \(index % 10)",
                                                       certificate: "\(root)/tls/box/box.crt") }
        }

        var runs: [PullRun] = []
        repeat {
            runs.append(try pull(url: url, store: store, root: root, db: db))
            if runs.count > 10 { throw CommandFailure("\(name): boxes still failing after 10 pulls: \(runs.last!.failures)") }
        } while runs.last!.failures > 0

        let rows = try Blocking.run { try await Self.counts(db) }
        let stored = try Self.directoryBytes("\(store)/sha256")
        let check = try Blocking.run { [fleet] in try await Self.exactlyOnce(db, fleet: fleet) }
        let first = runs[0]
        var text = "\n\(name): \(fleet.runners.count) boxes, --parallel \(parallel)\(cuts.isEmpty ? "" : ", \(cuts.count) links cut once each at a random byte")\n"
        for (i, run) in runs.enumerated() {
            text += String(format: "  pull %d: %.1f s wall, %d boxes failed, peak RSS %.0f MiB (the puller process)\n", i + 1, run.seconds, run.failures, run.peakMiB)
        }
        text += String(format: "  steady rate: %.0f changes/s, %.1f MB/s of media (the middle 60%% of pull 1)\n", first.changesPerSecond, first.mediaMBPerSecond)
        text += "  rows: " + rows.tables.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + "\n"
        text += String(format: "  bytes: %.1f MB of media pulled (%.1f MB stored once by digest), database %.1f MB\n",
                       Double(rows.mediaBytes) / 1e6, Double(stored) / 1e6, Double(rows.databaseBytes) / 1e6)
        text += "  exactly once: \(check.isEmpty ? "yes, every box's every change and medium once" : "NO: " + check.joined(separator: "; "))\n"
        return Round(text: text, bytesPerBox: rows.mediaBytes / max(1, fleet.runners.count), exactlyOnce: check.isEmpty)
    }

    struct PullRun {
        var seconds: Double
        var failures: Int
        var peakMiB: Double
        var changesPerSecond = 0.0
        var mediaMBPerSecond = 0.0
    }

    /// `hotline-central pull` as a child process, sampling the database's progress as it goes.
    private func pull(url: DatabaseURL, store: String, root: String, db: CentralDatabase) throws -> PullRun {
        let central = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hotline-central").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: central)
        process.arguments = ["pull", "--cert", "\(root)/tls/central/central.crt", "--key", "\(root)/tls/central/central.key", "--store", store,
                             "--parallel", "\(parallel)"]
        process.environment = ProcessInfo.processInfo.environment.merging(["HOTLINE_DATABASE_URL": url.rawValue]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        let started = Date()
        try process.run()
        var samples: [(Double, Int, Int)] = []
        while process.isRunning {
            Thread.sleep(forTimeInterval: 1)
            if let progress = try? Blocking.run({ try await Self.progress(db) }) { samples.append((Date().timeIntervalSince(started), progress.0, progress.1)) }
        }
        let said = String(decoding: try errors.fileHandleForReading.readToEnd() ?? Data(), as: UTF8.self)
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        var run = PullRun(seconds: Date().timeIntervalSince(started), failures: said.components(separatedBy: "error: ").count - 1,
                          peakMiB: Double(usage.ru_maxrss) / 1024)
        if let last = samples.last, last.1 > 0,
           let a = samples.first(where: { Double($0.1) >= 0.2 * Double(last.1) }), let b = samples.last(where: { Double($0.1) <= 0.8 * Double(last.1) }), b.0 > a.0 {
            run.changesPerSecond = Double(b.1 - a.1) / (b.0 - a.0)
            run.mediaMBPerSecond = Double(b.2 - a.2) / (b.0 - a.0) / 1e6
        }
        return run
    }

    private static func progress(_ db: CentralDatabase) async throws -> (Int, Int) {
        for try await row in try await db.client.query("""
            SELECT (SELECT count(*) FROM changes), (SELECT coalesce(sum(b.size), 0)::bigint FROM media m JOIN blobs b ON b.sha256 = m.blob_sha256)
            """).decode((Int, Int).self) { return row }
        return (0, 0)
    }

    private static func counts(_ db: CentralDatabase) async throws -> (tables: [(String, Int)], mediaBytes: Int, databaseBytes: Int) {
        var tables: [(String, Int)] = []
        for table in ["changes", "calls", "cases", "case_status_history", "media", "blobs", "survey_answers", "fax_results", "outbound_jobs"] {
            for try await n in try await db.client.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")).decode(Int.self) { tables.append((table, n)) }
        }
        var bytes = (0, 0)
        for try await row in try await db.client.query("""
            SELECT (SELECT coalesce(sum(b.size), 0)::bigint FROM media m JOIN blobs b ON b.sha256 = m.blob_sha256), pg_database_size(current_database())
            """).decode((Int, Int).self) { bytes = row }
        return (tables, bytes.0, bytes.1)
    }

    /// Every box: each feed position once and none missing, its cursor at its end, each medium
    /// stored. The answer is what is wrong, per box; empty when nothing is.
    private static func exactlyOnce(_ db: CentralDatabase, fleet: Fleet) async throws -> [String] {
        var wrong: [String] = []
        let rows = try await db.client.query("""
            SELECT b.node, b.cursor, count(c.seq), coalesce(max(c.seq), 0), count(DISTINCT c.seq),
                   (SELECT count(*) FROM media m WHERE m.node = b.node AND m.blob_sha256 IS NULL)
            FROM boxes b LEFT JOIN changes c ON c.node = b.node GROUP BY b.node, b.cursor
            """).decode((String, Int, Int, Int, Int, Int).self)
        var seen = 0
        for try await (node, cursor, count, maxSeq, distinct, unstored) in rows {
            seen += 1
            let latest = fleet.latest
            if cursor != latest || count != latest || maxSeq != latest || distinct != latest || unstored != 0 {
                wrong.append("box \(node): cursor \(cursor), \(count) changes (\(distinct) distinct, last \(maxSeq)) of \(latest), \(unstored) media unstored")
            }
        }
        if seen != fleet.runners.count { wrong.append("\(seen) boxes in the database of \(fleet.runners.count)") }
        return wrong
    }

    private static func directoryBytes(_ path: String) throws -> Int {
        var total = 0
        let walker = FileManager.default.enumerator(atPath: path)
        while let item = walker?.nextObject() as? String {
            total += ((try? FileManager.default.attributesOfItem(atPath: "\(path)/\(item)"))?[.size] as? Int) ?? 0
        }
        return total
    }
}

/// Copies of one box's data, each with its own node and uplink server on loopback.
final class Fleet: @unchecked Sendable {
    let runners: [UplinkRunner]
    let nodes: [String]
    /// The feed's last change, the same on every copy.
    let latest: Int

    init(template: BoxConfig, root: String, count: Int) throws {
        let store = try CaseStore(path: "\(template.dataDirectory)/cases.sqlite", prefix: template.nodePrefix)
        latest = try store.latestChange()
        var runners: [UplinkRunner] = [], nodes: [String] = []
        for index in 0..<count {
            let node = String(index + 1)
            let dir = "\(root)/boxes/\(node)"
            try Self.copy(template.dataDirectory, to: dir)
            let copy = try CaseStore(path: "\(dir)/cases.sqlite", prefix: template.nodePrefix)
            try copy.db.query("UPDATE media SET path = replace(path, ?, ?)", [template.dataDirectory, dir])
            try copy.db.query("UPDATE media_uplink SET path = replace(path, ?, ?)", [template.dataDirectory, dir])
            var config = template
            config.dataDirectory = dir
            config.nodePrefix = NodePrefix(node)!
            runners.append(try UplinkRunner(service: UplinkService(config: config)))
            nodes.append(node)
        }
        self.runners = runners
        self.nodes = nodes
    }

    /// The store copied, every other file hard-linked (the copies share their media's bytes).
    private static func copy(_ from: String, to: String) throws {
        let files = FileManager.default.enumerator(atPath: from)
        try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
        while let item = files?.nextObject() as? String {
            let (source, target) = ("\(from)/\(item)", "\(to)/\(item)")
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            } else if item.hasPrefix("cases.sqlite") {
                try FileManager.default.copyItem(atPath: source, toPath: target)
            } else {
                try FileManager.default.linkItem(atPath: source, toPath: target)
            }
        }
    }

    func stop() { for runner in runners { runner.stop() } }
}
