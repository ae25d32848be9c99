import ArgumentParser
import Box
import Foundation
import SystemSupport

/// `hotline-lab campaign disk`: the box's data disk, a small tmpfs, filled to the last byte at
/// seeded random moments while demo callers keep every line busy, then freed again.
package struct DiskCampaign: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "disk",
        abstract: "Fill the box's data disk (a small tmpfs) at seeded random moments during calls; print deaths, corruption, \"service busy\" heard and recovery time.",
        discussion: """
        One `appliance run --virtual` with demo callers on 4 lines keeps its data on a tmpfs of --size-mib
        (mounted here: run as root, or give --dir on a small file system of your own). At each point, after
        a random wait, another process fills the disk until writes fail, holds it full for a random time,
        and frees it. Checked at each point: the box still runs and answers its control socket while the disk
        is full, and it turns callers away with "service busy"; then how long it takes to handle calls again.
        At the end: the store's integrity check, every announced case in the store, every WAV plays, no
        zero-byte files. The same seed replays the same points.
        """)

    @Option(help: "Fill points.") package var points = 50
    @Option(help: "Seed for the points (default: random, printed).") package var seed: UInt64?
    @Option(help: "The appliance binary (default: beside this one).") package var appliance: String?
    @Option(help: "Size of the tmpfs, in MiB.") package var sizeMib = 96
    @Option(help: "Use this directory (a small file system) instead of mounting a tmpfs.") package var dir: String?
    @Option(help: "Longest time the disk is held full, in seconds of wall time.") package var holdSeconds = 20

    package func validate() throws {
        guard (1...1000).contains(points) else { throw ValidationError("--points must be 1-1000") }
        guard (48...4096).contains(sizeMib) else { throw ValidationError("--size-mib must be 48-4096") }
        guard (8...300).contains(holdSeconds) else { throw ValidationError("--hold-seconds must be 8-300") }
    }

    struct Tally {
        var deaths = 0, silentWhileFull = 0, unheard = 0, heardBusy = 0, unrecovered = 0
        /// The most log lines one full period wrote: a full disk must not flood the log.
        var mostLinesWhileFull = 0
        var recoverySeconds: [Double] = []
    }

    package func run() throws {
        let seed = seed ?? UInt64.random(in: 1...UInt64(UInt32.max))
        var random = SeededGenerator(seed: seed)
        let binary = appliance ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("appliance").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw CommandFailure("\(binary): no appliance binary (--appliance PATH)") }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("disk-campaign-\(getpid())").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let disk = dir ?? "\(root)/disk"
        if dir == nil { try Self.mountTmpfs(disk, mib: sizeMib) }
        defer {
            if dir == nil { _ = Self.shell("/bin/umount", [disk]) }
            try? FileManager.default.removeItem(atPath: root)
        }
        let socket = "\(root)/control.sock"
        let cwd = FileManager.default.currentDirectoryPath
        // Thresholds scaled to the small disk: the prompt pack and demo speech take ~15 MiB.
        try """
            data_dir: \(disk)/box
            control_socket: \(socket)
            flow: \(cwd)/flows/seed.yaml
            prompts: \(cwd)/prompts/cmn.yaml
            documents: \(cwd)/documents
            lines: 4
            demo_traffic: true
            disk:
              reserve: 8MB
              recordings_floor: 16MB

            """.write(toFile: "\(root)/box.yaml", atomically: true, encoding: .utf8)
        let log = "\(root)/box.log"
        let box = try KillCampaign.start(binary, config: "\(root)/box.yaml", seconds: 1_000_000, log: log)
        guard Self.waitFor(log, "box up", seconds: 300, while: box) else { box.terminate(); throw CommandFailure("the box did not start (\(log))") }

        var tally = Tally()
        let filler = "\(disk)/filler"
        for point in 1...points {
            usleep(useconds_t(500 + Int(random.next() % 4000)) * 1000)
            let turnedAwayBefore = Self.count(log, "calls are turned away")
            let handledBefore = Self.count(log, "calls are handled again")
            let linesBefore = Self.count(log, "\n")
            Self.fill(filler)
            let hold = 8 + Int(random.next() % UInt64(holdSeconds - 7))
            let until = Date().addingTimeInterval(Double(hold))
            var answered = true
            while Date() < until {
                if !box.isRunning { break }
                if (try? ControlServer.ask(socket, "status", timeoutSeconds: 5))?.contains("uptime") != true { answered = false }
                usleep(1_000_000)
            }
            guard box.isRunning else {
                tally.deaths += 1
                print("point \(point): the box died with the disk full (\(log))")
                break
            }
            if !answered { tally.silentWhileFull += 1; print("point \(point): the control socket did not answer while the disk was full") }
            try? FileManager.default.removeItem(atPath: filler)
            let freed = Date()
            tally.mostLinesWhileFull = max(tally.mostLinesWhileFull, Self.count(log, "\n") - linesBefore)
            if Self.count(log, "calls are turned away") == turnedAwayBefore {
                tally.unheard += 1
                print("point \(point): no caller was turned away in \(hold) s of a full disk")
            }
            if Self.waitFor(log, "calls are handled again", after: handledBefore, seconds: 120, while: box) {
                tally.recoverySeconds.append(Date().timeIntervalSince(freed))
            } else {
                tally.unrecovered += 1
                print("point \(point): calls were not handled again within 120 s of the space coming back")
            }
        }
        box.terminate()
        box.waitUntilExit()
        tally.heardBusy = Self.heardBusy(log)
        let check = try KillCampaign.check(data: "\(disk)/box", announced: KillCampaign.announced(in: log))
        let empty = Self.emptyFiles(in: ["\(disk)/box/recordings", "\(disk)/box/faxes"])
        for problem in check.missing.map({ "announced case \($0) missing" }) + check.unplayable.map({ "\($0) does not play" }) + empty.map({ "\($0) is empty" }) {
            print(problem)
        }
        let recovery = tally.recoverySeconds.sorted()
        func figure(_ q: Double) -> String { recovery.isEmpty ? "-" : String(format: "%.1f", recovery[min(recovery.count - 1, Int(Double(recovery.count) * q))]) }
        print("""
            full-disk campaign (seed \(seed)): \(points) points on a \(dir == nil ? "\(sizeMib) MiB tmpfs" : disk)
            box died \(tally.deaths), control socket silent while full \(tally.silentWhileFull), points with no caller turned away \(tally.unheard)
            callers who heard "service busy" \(tally.heardBusy), calls not handled again after the space came back \(tally.unrecovered)
            log lines while the disk was full: at most \(tally.mostLinesWhileFull) in one period of up to \(holdSeconds) s
            recovery once space was back: p50 \(figure(0.5)) s, max \(recovery.last.map { String(format: "%.1f", $0) } ?? "-") s
            integrity check failed \(check.integrityOK ? 0 : 1), announced cases missing \(check.missing.count), WAVs that do not play \(check.unplayable.count), zero-byte files \(empty.count)
            """)
        if tally.deaths + tally.silentWhileFull + tally.unheard + tally.unrecovered + check.missing.count + check.unplayable.count + empty.count > 0 || !check.integrityOK {
            throw ExitCode(1)
        }
    }

    static func mountTmpfs(_ path: String, mib: Int) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard shell("/bin/mount", ["-t", "tmpfs", "-o", "size=\(mib)m", "hotline-campaign", path]) == 0 else {
            throw CommandFailure("cannot mount a tmpfs on \(path): run as root, or give --dir on a small file system")
        }
    }

    static func shell(_ program: String, _ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// Writes `path` until the file system refuses another byte.
    static func fill(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x55, count: 1 << 20)
        var size = chunk.count
        while size > 0 {
            if chunk.withUnsafeBytes({ write(fd, $0.baseAddress, size) }) < 0 { size /= 2 }
        }
    }

    static func count(_ log: String, _ text: String) -> Int {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").components(separatedBy: text).count - 1
    }

    /// Waits until `text` has appeared in the log more than `after` times.
    /// Gives up early once `box` has exited: its reason is in the log, and waiting longer
    /// only hides it.
    static func waitFor(_ log: String, _ text: String, after: Int = 0, seconds: Int, while box: Process? = nil) -> Bool {
        let deadline = Date().addingTimeInterval(Double(seconds))
        while Date() < deadline, box?.isRunning ?? true {
            if count(log, text) > after { return true }
            usleep(100_000)
        }
        return false
    }

    /// The callers the box says heard the busy prompt ("… (N heard "service busy" meanwhile …").
    static func heardBusy(_ log: String) -> Int {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line -> Int? in
            guard let r = line.range(of: "calls are handled again (") else { return nil }
            return Int(line[r.upperBound...].prefix { $0.isNumber })
        }.reduce(0, +)
    }

    static func emptyFiles(in directories: [String]) -> [String] {
        directories.flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).map { "\(dir)/\($0)" }
                .filter { ((try? FileManager.default.attributesOfItem(atPath: $0))?[.size] as? Int) == 0 }
        }
    }
}
