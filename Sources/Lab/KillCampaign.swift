import ArgumentParser
import DSP
import Foundation
import HotlineModel
import LocalDB
import SystemSupport

/// `hotline-lab campaign kill`: the box killed with SIGKILL at seeded random moments while
/// simulated callers keep it busy, restarted on the same data each time.
package struct KillCampaign: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "kill",
        abstract: "Kill -9 the box at seeded random moments during simulated calls; print integrity failures, announced cases missing and unplayable WAVs.",
        discussion: """
        Each moment runs `appliance run --virtual` with demo callers on the same data directory, kills it
        after a random delay from the seed, and checks: the store's PRAGMA integrity_check, that every case
        the box announced in its log is in the store, and that every WAV on disk plays after the next start's
        recovery. Goal: 0, 0, 0. The same seed replays the same moments.
        """)

    @Option(help: "Kill moments.") package var moments = 200
    @Option(help: "Seed for the moments (default: random, printed).") package var seed: UInt64?
    @Option(help: "The appliance binary (default: beside this one).") package var appliance: String?
    @Option(help: "Box config to start from (default: the embedded one, with demo callers).") package var config: String?
    @Option(help: "Longest time before a kill, in ms of wall time.") package var longestMs = 3000

    package func validate() throws {
        guard (1...10_000).contains(moments) else { throw ValidationError("--moments must be 1-10000") }
        guard (50...600_000).contains(longestMs) else { throw ValidationError("--longest-ms must be 50-600000") }
    }

    package func run() throws {
        let seed = seed ?? UInt64.random(in: 1...UInt64(UInt32.max))
        var random = SeededGenerator(seed: seed)
        let binary = appliance ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("appliance").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw CommandFailure("\(binary): no appliance binary (--appliance PATH)") }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kill-campaign-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let base = try config.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? ""
        let cwd = FileManager.default.currentDirectoryPath
        try (base + """

            data_dir: \(root)/box
            control_socket: \(root)/control.sock
            flow: \(cwd)/flows/seed.yaml
            prompts: \(cwd)/prompts/cmn.yaml
            documents: \(cwd)/documents
            lines: 4
            demo_traffic: true

            """).write(toFile: "\(root)/box.yaml", atomically: true, encoding: .utf8)
        // A first, whole run speaks the prompt pack, so no kill lands in espeak-ng's first start.
        try Self.start(binary, config: "\(root)/box.yaml", seconds: 1, log: nil).waitUntilExit()
        var tally = (integrity: 0, missing: 0, unplayable: 0, announced: 0, kills: 0)
        var announced: Set<String> = []
        for moment in 1...moments {
            let delay = Int(random.next() % UInt64(longestMs)) + 20
            let log = "\(root)/run-\(moment).log"
            let box = try Self.start(binary, config: "\(root)/box.yaml", seconds: 600, log: log)
            usleep(useconds_t(delay) * 1000)
            kill(box.processIdentifier, SIGKILL)
            box.waitUntilExit()
            tally.kills += 1
            announced.formUnion(Self.announced(in: log))
            // The next start recovers; it is what the box would do after the kill.
            try Self.start(binary, config: "\(root)/box.yaml", seconds: 1, log: nil).waitUntilExit()
            let check = try Self.check(data: "\(root)/box", announced: announced)
            if !check.integrityOK { tally.integrity += 1 }
            tally.missing = check.missing.count
            tally.unplayable += check.unplayable.count
            for problem in check.missing.map({ "moment \(moment) (after \(delay) ms): announced case \($0) missing" })
                + check.unplayable.map({ "moment \(moment) (after \(delay) ms): \($0) does not play" }) { print(problem) }
            // A file that does not play is counted once.
            for path in check.unplayable { try? FileManager.default.removeItem(atPath: path) }
        }
        tally.announced = announced.count
        print("""
            kill -9 campaign (seed \(seed)): \(tally.kills) kills, \(tally.announced) cases announced
            integrity checks failed \(tally.integrity), announced cases missing \(tally.missing), WAVs that do not play \(tally.unplayable)
            """)
        if tally.integrity + tally.missing + tally.unplayable > 0 { throw ExitCode(1) }
    }

    /// `appliance run --virtual` on the config, its output into `log` (or nowhere).
    static func start(_ binary: String, config: String, seconds: Int, log: String?) throws -> Process {
        let box = Process()
        box.executableURL = URL(fileURLWithPath: binary)
        box.arguments = ["run", "--virtual", "--seconds", "\(seconds)", "--config", config]
        if let log {
            FileManager.default.createFile(atPath: log, contents: nil)
            // Errors too, so a box that will not start says why in the log the campaign names.
            let file = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            box.standardOutput = file
            box.standardError = file
        } else {
            box.standardOutput = FileHandle.nullDevice
            box.standardError = FileHandle.nullDevice
        }
        try box.run()
        return box
    }

    /// The acceptance numbers the box said it had created ("… case NUMBER created").
    static func announced(in log: String) -> Set<String> {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return Set(text.split(separator: "\n").compactMap { line in
            guard let r = line.range(of: " case "), line.hasSuffix(" created") || line.contains(" created (") || line.contains(" created,") else { return nil }
            let number = line[r.upperBound...].prefix(8)
            return number.allSatisfy(\.isNumber) && number.count == 8 ? String(number) : nil
        })
    }

    struct Check {
        var integrityOK: Bool
        var missing: [String]
        var unplayable: [String]
    }

    static func check(data: String, announced: Set<String>) throws -> Check {
        let store = try CaseStore(path: "\(data)/cases.sqlite", prefix: NodePrefix("1")!)
        let integrity = try store.db.scalar("PRAGMA integrity_check") == "ok"
        let missing = try announced.sorted().filter { number in
            guard let n = try? AcceptanceNumber(validating: number) else { return true }
            return try store.lookup(n) == nil
        }
        let recordings = "\(data)/recordings"
        let unplayable = ((try? FileManager.default.contentsOfDirectory(atPath: recordings)) ?? []).sorted()
            .filter { $0.hasSuffix(".wav") && !$0.hasPrefix(".") }
            .filter { (try? WAVFile.read("\(recordings)/\($0)", channels: $0.hasPrefix("call-") ? 2 : 1)) == nil }
            .map { "\(recordings)/\($0)" }
        return Check(integrityOK: integrity, missing: missing, unplayable: unplayable)
    }
}

/// `hotline-lab campaign`: reliability campaigns that print figures (docs/RELIABILITY.md).
package struct CampaignCommand: ParsableCommand {
    package init() {}
    package static let configuration = CommandConfiguration(commandName: "campaign", abstract: "Reliability campaigns that print figures: kill, disk.",
                                                            subcommands: [KillCampaign.self, DiskCampaign.self])
}
