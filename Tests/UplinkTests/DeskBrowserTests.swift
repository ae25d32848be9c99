import Central
import Foundation
import HotlineModel
import Hummingbird
import Lab
import Synchronization
import SystemSupport
import SystemTestSupport
import Testing
import TestSupport
import UplinkWire

/// The desk in a real browser (headless Chromium through chromedriver): a caller leaves a
/// complaint on a simulated line; the central office pulls it into PostgreSQL; a clerk logs in,
/// finds the case, plays its recording, sets a status with a note; the box has it at once, and
/// the caller who asks after the case next hears that status and note.
@Suite(.serialized, .tags(.system), .skippedInFastRun)
struct DeskBrowserTests {
    @Test func aClerkSetsAStatusTheNextCallerHears() async throws {
        let rig = try await UplinkRig.make(populated: false)
        let db = try await PulledDatabase.make()
        let tls = try UplinkRig.identities.get()
        try await BoxInventory(database: db.database).add(node: "1", url: rig.base, district: "西湖区", certificate: "\(tls)/box.crt")
        try await DeskAccounts(database: db.database).setPassword(name: "clerk", password: "correct horse battery")
        let pull = InventoryPull(inventory: BoxInventory(database: db.database), target: db.postgres, certificate: "\(tls)/central.crt", key: "\(tls)/central.key")
        let desk = DeskServer(database: db.database, store: db.store) { node in _ = try? await pull.deliver(node: node) }
        let (port, server) = try await Self.start(desk)

        let seen = Mutex<Data?>(nil)
        let screenshots = ProcessInfo.processInfo.environment["HOTLINE_SCREENSHOTS"]
        let scenario = try Scenario.load(try Self.write(SimulationRig.complaintThenQuery(centralSets: .inProgress), in: rig.scratch))
        let config = rig.config
        let report = try await offPool {
            var simulation = Simulation(scenario: scenario, config: config, verbose: false)
            simulation.centralStatus = { number, status in
                let pulled = try Blocking.run { try await pull.run() }
                guard case .success = pulled.first?.result else { throw CommandFailure("pull: \(pulled)") }
                let r = try Tool.run("/usr/bin/python3", ["\(SimulationRig.repository)/scripts/desk-browser.py", "http://127.0.0.1:\(port)", "clerk",
                                                          "correct horse battery", number.digits, status.rawValue, "路灯已修好"] + (screenshots.map { [$0] } ?? []))
                guard r.status == 0, let line = r.stdout.split(separator: "\n").last else { throw CommandFailure("desk-browser.py: \(r.stdout)\(r.stderr)") }
                seen.withLock { $0 = Data(line.utf8) }
            }
            return try simulation.run()
        }
        let browser = try JSONSerialization.jsonObject(with: try #require(seen.withLock { $0 }, "the browser never ran")) as? [String: Any] ?? [:]
        #expect(browser["redirected_to_login"] as? Bool == true)
        let duration = try #require(browser["message_duration"] as? Double, "\(browser)")
        #expect(duration.isFinite && duration > 1, "the message recording plays for \(duration) s")
        #expect(browser["message_played"] as? Bool == true, "\(browser)")
        #expect((browser["outbox"] as? String)?.contains("delivered") == true, "\(browser)")
        #expect((browser["boxes"] as? String)?.contains("西湖区") == true, "\(browser)")
        let asked = try #require(report.calls.last)
        #expect(asked.promptNames.contains(["status_in_progress", "status_note", "note"]), "\(asked.promptNames)")
        #expect(try await db.count("SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL AND created_by = 'clerk'") == 1)
        server.cancel()
        await db.close()
        await rig.shutdown()
    }

    static func write(_ text: String, in scratch: ScratchDirectory) throws -> String {
        let file = scratch.path("scenario.json")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The desk on a loopback port of its own, until the task is cancelled.
    static func start(_ desk: DeskServer) async throws -> (Int, Task<Void, any Error>) {
        let port = Mutex<Int?>(nil)
        let app = desk.application(host: "127.0.0.1", port: 0) { p in port.withLock { $0 = p } }
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        for _ in 0..<300 {
            if let p = port.withLock({ $0 }) { return (p, task) }
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        throw CommandFailure("the desk did not start listening")
    }
}
