import Box
import CPseudoTerminal
import DSP
import Foundation
import Synchronization
import SystemTestSupport
import Testing
import TestSupport

/// The serial console driven over a pseudo-terminal, against a running box.
@Suite(.serialized, .timeLimit(.minutes(2)), .tags(.system), .skippedInFastRun) struct ConsoleTests {
    final class Box {
        let scratch: ScratchDirectory
        let daemon = Process()
        var config: String { scratch.path("box.yaml") }

        init() throws {
            scratch = try ScratchDirectory()
            _ = try SimulationRig.daemonConfig(in: scratch, """
                lines: 2
                demo_traffic: false
                console:
                  pin_hash: "\(try PINHash.make("246813"))"
                  lockout_after: 3
                  lockout: 60s
                commands:
                  reboot: [/bin/true]
                  shutdown: [/bin/true]
                """)
            daemon.executableURL = URL(fileURLWithPath: Tool.appliance)
            // Bounded, so a daemon never outlives an interrupted test run.
            daemon.arguments = ["run", "--virtual", "--seconds", "180", "--config", scratch.path("box.yaml")]
            daemon.standardOutput = FileHandle.nullDevice
            try daemon.run()
            var waited = 0
            while !FileManager.default.fileExists(atPath: scratch.path("control.sock")) && waited < 60_000 { usleep(10_000); waited += 10 }
        }

        deinit { if daemon.isRunning { daemon.terminate(); daemon.waitUntilExit() } }
    }

    /// A console process on a fresh pty; `type` writes to it, `expect` reads until text appears.
    final class Terminal {
        let master: Int32
        let process = Process()
        private var seen = ""

        init(config: String) throws {
            var name = [CChar](repeating: 0, count: 128)
            master = cpty_open_master(&name, name.count)
            let slave = String(cString: name)
            process.executableURL = URL(fileURLWithPath: Tool.appliance)
            process.arguments = ["console", "--tty", slave, "--config", config]
            try process.run()
        }

        deinit {
            if process.isRunning { process.terminate() }
            close(master)
        }

        func type(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { write(master, $0.baseAddress, $0.count) } }

        /// Everything read up to and including `text`; fails the test if it does not come.
        @discardableResult
        func expect(_ text: String, within seconds: Double = 10) -> String {
            PseudoTerminalReader.read(master, into: &seen, until: text, within: seconds)
            guard let r = seen.range(of: text) else {
                Issue.record("expected \"\(text)\", the console said: \(seen)")
                return seen
            }
            let upTo = String(seen[..<r.upperBound])
            seen = String(seen[r.upperBound...])
            return upTo
        }
    }

    @Test func aTechniciansSession() throws {
        let box = try Box()
        let t = try Terminal(config: box.config)
        t.expect("PIN: ")
        t.type("1111\r")
        t.expect("wrong PIN")
        t.expect("PIN: ")
        t.type("246813\r")
        #expect(!t.expect("logged in").contains("246813"))  // the PIN is never echoed
        t.expect(ConsoleSession.prompt)
        t.type("help\r")
        let help = t.expect(ConsoleSession.prompt)
        #expect(help.contains("line test N") && help.contains("logout"))
        // Backspace editing: "statx" ⌫ "us".
        t.type("statx\u{7f}us\r")
        #expect(t.expect(ConsoleSession.prompt).contains("uptime"))
        t.type("lines\r")
        #expect(t.expect(ConsoleSession.prompt).contains("line 1: idle"))
        t.type("line test 1\r")
        #expect(t.expect(ConsoleSession.prompt).contains("line 1: dial tone present at -10 dBm0"))
        t.type("line test 7\r")
        #expect(t.expect(ConsoleSession.prompt).contains("no line 7"))
        for (command, answer) in [("calls", "no calls yet"), ("cases", "no cases yet"), ("cases show 12345678", "check digit does not match"),
                                  ("cases search 138", "no case matches"), ("prompts", "welcome"), ("config show", "node_prefix 1"),
                                  ("config validate", "valid"), ("config reload", "flow reloaded"), ("sync status", "changes waiting"),
                                  ("sync pending", "nothing waiting"), ("log 3", "box up"), ("selftest", "9 passed, 0 failed"),
                                  ("bogus", "unknown command \"bogus\""), ("line", "usage: line test N")] {
            t.type(command + "\r")
            #expect(t.expect(ConsoleSession.prompt).contains(answer), "\(command)")
        }
        // History: Ctrl-P brings back the last command.
        t.type("\u{10}\r")
        #expect(t.expect(ConsoleSession.prompt).contains("usage: line test N"))
        // reboot asks for the PIN again (on 429158c `reboot confirm` needed none).
        t.type("reboot\r")
        t.expect("PIN to reboot the box: ")
        t.type("999999\r")
        t.expect("wrong PIN")
        t.expect("not done")
        t.type("reboot confirm\r")
        t.expect("PIN to reboot the box: ")
        t.type("246813\r")
        t.expect("reboot: /bin/true (exit status 0)")
        t.type("logout\r")
        t.expect("bye")
        t.process.waitUntilExit()
        #expect(t.process.terminationStatus == 0)
    }

    @Test func repeatedWrongPINsLockTheConsole() throws {
        let box = try Box()
        let t = try Terminal(config: box.config)
        for _ in 0..<2 {
            t.expect("PIN: ")
            t.type("0000\r")
            t.expect("wrong PIN")
        }
        t.expect("PIN: ")
        t.type("0000\r")
        t.expect("console locked for 60 s")
        t.expect("PIN: ")
        t.type("246813\r")
        t.expect("locked after 3 wrong PINs")
        // The lockout outlives the console process: a new session is locked too.
        t.process.terminate()
        let again = try Terminal(config: box.config)
        again.expect("PIN: ")
        again.type("246813\r")
        again.expect("locked after 3 wrong PINs")
    }

    /// A fresh box with no PIN has the technician choose one at the first login (on 429158c
    /// the console refused to start), and it is what the next login takes.
    @Test func aFreshBoxHasTheFirstLoginChooseThePIN() throws {
        let scratch = try ScratchDirectory()
        _ = try SimulationRig.daemonConfig(in: scratch, "lines: 1\n")
        let t = try Terminal(config: scratch.path("box.yaml"))
        t.expect("choose one now")
        t.expect("new PIN (6 or more digits): ")
        t.type("2468\r")
        t.expect("a PIN is 6 or more digits")
        t.type("135790\r")
        t.expect("the same PIN again: ")
        t.type("135790\r")
        t.expect("PIN set")
        t.type("logout\r")
        t.expect("bye")
        let again = try Terminal(config: scratch.path("box.yaml"))
        again.expect("PIN: ")
        again.type("135790\r")
        again.expect("logged in")
    }

    /// The first login on a fresh box chooses the PIN, then the node prefix (checked: a bad one
    /// is asked again); the box restarts to use it, keeps it in its data directory, and the
    /// next case's acceptance number begins with it. Once set, no login asks again.
    @Test func theFirstLoginSetsTheNodePrefix() throws {
        let scratch = try ScratchDirectory()
        _ = try SimulationRig.daemonConfig(in: scratch, "lines: 1\ndemo_traffic: false\n")
        func startDaemon() throws -> Process {
            let daemon = Process()
            daemon.executableURL = URL(fileURLWithPath: Tool.appliance)
            daemon.arguments = ["run", "--virtual", "--seconds", "100", "--config", scratch.path("box.yaml")]
            daemon.standardOutput = FileHandle.nullDevice
            try daemon.run()
            var waited = 0
            while !((try? PromptCommandTests.ctl(scratch, ["health"])) ?? "").hasPrefix("healthy") && waited < 30_000 { usleep(20_000); waited += 20 }
            return daemon
        }
        let first = try startDaemon()
        defer { if first.isRunning { first.terminate() } }
        let t = try Terminal(config: scratch.path("box.yaml"))
        t.expect("new PIN (6 or more digits): ")
        t.type("135790\r")
        t.expect("the same PIN again: ")
        t.type("135790\r")
        t.expect("PIN set")
        t.expect("node prefix (1-3 digits")
        t.type("0571\r")
        t.expect("usage: node")
        t.expect("node prefix (1-3 digits")
        t.type("57\r")
        t.expect("node prefix set to 57")
        t.expect("hotline> ")
        // No call in progress: the daemon stops to be restarted (systemd's Restart=always).
        first.waitUntilExit()
        #expect(first.terminationStatus == 75)
        #expect(try String(contentsOfFile: BoxConfig.nodePrefixFile(in: scratch.path("box")), encoding: .utf8) == "57\n")
        let second = try startDaemon()
        defer { second.terminate(); second.waitUntilExit() }
        #expect(try PromptCommandTests.ctl(scratch, ["node"]) == "node prefix 57 (set at the console)\n")
        #expect(try PromptCommandTests.ctl(scratch, ["node", "prefix", "58x"]).hasPrefix("usage: node"))
        #expect(try PromptCommandTests.ctl(scratch, ["line", "call", "0"]).contains("a demo caller calls"))
        var waited = 0
        while !((try? PromptCommandTests.ctl(scratch, ["cases"])) ?? "").contains("complaint") && waited < 60_000 { usleep(100_000); waited += 100 }
        let cases = try PromptCommandTests.ctl(scratch, ["cases"])
        #expect(cases.hasPrefix("57"), "\(cases)")
        let again = try Terminal(config: scratch.path("box.yaml"))
        again.expect("PIN: ")
        again.type("135790\r")
        again.expect("logged in")
    }

    /// `--hash-pin` reads the PIN from standard input (never from the command line, where `ps`
    /// and shell history would keep it) and refuses one shorter than 6 digits.
    @Test func hashPinReadsStandardInput() throws {
        for (input, ok) in [("135790\n", true), ("2468\n", false), ("12345a\n", false)] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Tool.appliance)
            p.arguments = ["console", "--hash-pin"]
            let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
            (p.standardInput, p.standardOutput, p.standardError) = (stdin, stdout, stderr)
            try p.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
            p.waitUntilExit()
            let hash = String(decoding: try stdout.fileHandleForReading.readToEnd() ?? Data(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect((p.terminationStatus == 0) == ok, "\(input)")
            if ok { #expect(hash.hasPrefix("$y$") && PINHash.verify("135790", against: hash)) }
        }
    }
}

/// The PIN hash and the lockout, without a terminal.
@Suite(.tags(.unit)) struct ConsoleLockoutTests {
    @Test func pinHashesAreYescryptAndVerifyOnlyTheirPIN() throws {
        let hash = try PINHash.make("246813")
        #expect(hash.hasPrefix("$y$") && PINHash.isWellFormed(hash) && !hash.contains("246813"))
        #expect(PINHash.verify("246813", against: hash))
        #expect(!PINHash.verify("246814", against: hash))
        #expect(!PINHash.verify("246813", against: "$y$garbage"))
        #expect(PINHash.problem(with: "12345") != nil && PINHash.problem(with: "12345x") != nil && PINHash.problem(with: "123456") == nil)
    }

    static let legacy = "sha256i$1000$000102030405060708090a0b0c0d0e0f$34a5b66d85987566ae3bdd281af0fdf9b86b0d94f22845c77b8e1abc8b13ca1b"

    /// An old `sha256i$` hash still lets its PIN in, and that login stores a yescrypt hash.
    @Test func anOldHashVerifiesAndIsRehashedAtLogin() throws {
        let scratch = try ScratchDirectory()
        #expect(PINHash.verify("246813", against: Self.legacy) && !PINHash.verify("246814", against: Self.legacy))
        let credentials = ConsoleCredentials(file: scratch.path("pin"), configured: Self.legacy)
        var said = ""
        let session = ConsoleSession(credentials: credentials, lockout: ConsoleLockout(file: scratch.path("lockout.json"), after: 5, seconds: 60),
                                     write: { said += $0 }, ask: { _ in "" })
        session.start()
        for byte in Array("246813\r".utf8) { session.feed(byte) }
        #expect(said.contains("upgraded to yescrypt") && said.contains("logged in"), "\(said)")
        let stored = try #require(credentials.current)
        #expect(stored.hasPrefix("$y$") && PINHash.verify("246813", against: stored))
    }

    /// Twenty sessions at once get exactly the allowed number of wrong tries in one window
    /// (on 429158c they checked 121 PINs).
    @Test func parallelSessionsShareTheTries() throws {
        let scratch = try ScratchDirectory()
        let lockout = ConsoleLockout(file: scratch.path("lockout.json"), after: 5, seconds: 600)
        let outcomes = Mutex<[ConsoleLockout.Outcome]>([])
        DispatchQueue.concurrentPerform(iterations: 20) { _ in
            let o = lockout.attempt { usleep(2000); return false }
            outcomes.withLock { $0.append(o) }
        }
        let all = outcomes.withLock { $0 }
        let checked = all.filter { if case .wrong = $0 { true } else { $0 == .lockedNow(seconds: 600) } }
        #expect(checked.count == 5, "\(all)")
        #expect(all.filter { if case .locked = $0 { true } else { false } }.count == 15)
    }

    /// Boot time counts, not the wall clock; a reboot keeps the time a lock had left; a state
    /// that cannot be read refuses every login.
    @Test func theLockIsCountedInBootTimeAndSurvivesAReboot() throws {
        let scratch = try ScratchDirectory()
        let now = Mutex((seconds: 1000.0, bootID: "boot-a"))
        let lockout = ConsoleLockout(file: scratch.path("lockout.json"), after: 2, seconds: 60, clock: { now.withLock { $0 } })
        #expect(lockout.attempt { false } == .wrong(triesLeft: 1))
        #expect(lockout.attempt { false } == .lockedNow(seconds: 60))
        now.withLock { $0.seconds = 1030 }
        #expect(lockout.attempt { true } == .locked(secondsLeft: 31))
        // Rebooted 30 s into the lock: boot time starts again, the 30 s left still hold.
        now.withLock { $0 = (5, "boot-b") }
        #expect(lockout.attempt { true } == .locked(secondsLeft: 31))
        now.withLock { $0.seconds = 40 }
        #expect(lockout.attempt { true } == .admitted)
        try "not json".write(toFile: scratch.path("lockout.json"), atomically: true, encoding: .utf8)
        guard case .unavailable(let why) = lockout.attempt({ true }) else { Issue.record("a damaged state admitted a login"); return }
        #expect(why.contains("damaged"))
    }
}

@Suite(.tags(.unit)) struct LineEditorTests {
    func run(_ bytes: [UInt8]) -> (lines: [String], echo: String) {
        var editor = LineEditor()
        var lines: [String] = [], echo = ""
        for b in bytes {
            for o in editor.feed(b) {
                if case .line(let l) = o { lines.append(l) }
                if case .echo(let e) = o { echo += e }
            }
        }
        return (lines, echo)
    }

    @Test func backspaceCtrlUAndArrows() {
        #expect(run(Array("ab\u{7f}c\r".utf8)).lines == ["ac"])
        #expect(run(Array("junk\u{15}ok\r".utf8)).lines == ["ok"])
        #expect(run(Array("one\rtwo\r\u{1b}[A\u{1b}[A\r".utf8)).lines == ["one", "two", "one"])
        #expect(run(Array("one\r\u{10}\u{0e}x\r".utf8)).lines == ["one", "x"])
        #expect(run([0x08, 0x7f, 0x1b, 0x5b, 0x43, 0x0d]).lines == [""])
        // Nothing but plain text and "\b \b" is ever sent back.
        #expect(run(Array("ab\u{7f}\r".utf8)).echo == "ab\u{8} \u{8}\r\n")
    }
}

@Suite(.serialized, .timeLimit(.minutes(2)), .tags(.system), .skippedInFastRun) struct PromptCommandTests {
    /// `appliance run` on the scratch directory's box.yaml, for `seconds` at most.
    static func startDaemon(in scratch: ScratchDirectory, seconds: Int) throws -> Process {
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: Tool.appliance)
        daemon.arguments = ["run", "--seconds", "\(seconds)", "--config", scratch.path("box.yaml")]
        daemon.standardOutput = FileHandle.nullDevice
        try daemon.run()
        return daemon
    }

    static func ctl(_ scratch: ScratchDirectory, _ words: [String]) throws -> String {
        try Tool.run(Tool.appliance, ["ctl", "--socket", scratch.path("control.sock")] + words).stdout
    }

    /// With a caller on line 0: play a prompt to them, and record a new prompt from the line.
    @Test func playToALineAndRecordFromIt() throws {
        let scratch = try ScratchDirectory()
        let cache = scratch.path("prompts")
        try FileManager.default.copyItem(atPath: try SimulationRig.promptCache.get(), toPath: cache)
        _ = try SimulationRig.daemonConfig(in: scratch, "lines: 1\n", promptCache: cache)
        let daemon = try Self.startDaemon(in: scratch, seconds: 90)
        defer { daemon.terminate(); daemon.waitUntilExit() }
        func ctl(_ words: String...) throws -> String { try Self.ctl(scratch, words) }
        var waited = 0
        while !((try? ctl("lines")) ?? "").contains("line 0: in call") && waited < 60_000 { usleep(50_000); waited += 50 }
        #expect(try ctl("prompts", "play", "goodbye", "0").contains("playing goodbye"))
        #expect(try ctl("prompts", "play", "nonsense", "0").contains("usage"))
        let answer = try ctl("prompts", "record", "my_prompt", "0", "1")
        #expect(answer.contains("recorded my_prompt from line 0"), "\(answer)")
        let samples = try WAVFile.read("\(cache)/my_prompt.wav")
        #expect(samples.count >= SampleClock.rate / 2)
    }

    /// Counts from the technician are checked: a negative, zero or non-numeric N is a usage
    /// answer, not a crash that drops every call (`log -1` killed the daemon on 429158c).
    @Test func badCountsGetTheUsageAndTheBoxKeepsAnswering() throws {
        let scratch = try ScratchDirectory()
        _ = try SimulationRig.daemonConfig(in: scratch, "lines: 1\n")
        let daemon = try Self.startDaemon(in: scratch, seconds: 60)
        defer { daemon.terminate(); daemon.waitUntilExit() }
        func ctl(_ words: [String]) throws -> String { try Self.ctl(scratch, words) }
        var waited = 0
        while !((try? ctl(["status"])) ?? "").contains("uptime") && waited < 30_000 { usleep(50_000); waited += 50 }
        for words in [["log", "-1"], ["calls", "-1"], ["cases", "-1"], ["log", "0"], ["calls", "x"], ["cases", "99999999999999999999"], ["log", "1", "2"],
                      ["calendar", "-1"], ["calendar", "0"], ["calendar", "nan"], ["outbound", "0"], ["outbound", "cancel"], ["outbound", "x", "y"]] {
            let answer = try ctl(words)
            #expect(answer.hasPrefix("usage: \(words[0])"), "\(words): \(answer)")
        }
        #expect(daemon.isRunning)
        #expect(try ctl(["status"]).contains("lines 1 (simulated)"))
        #expect(try ctl(["log", "3"]).split(separator: "\n").count <= 3)
        // Today's plan and the next two days', in the calendar's zone with the desk's default hours.
        let plan = try ctl(["calendar", "3"]).split(separator: "\n")
        #expect(plan.count == 3 && plan.allSatisfy { $0.contains("Asia/Shanghai): callbacks 08:30-21:00; desk 08:00-18:00") }, "\(plan)")
        #expect(try ctl(["outbound"]).hasPrefix("no outbound jobs"))
        #expect(try ctl(["outbound", "cancel", "7"]).hasPrefix("no outbound job 7"))
    }

    /// One control client that never reads its answer, one that drips its command a byte at a
    /// time and one that sends nothing cost their own workers only: another `status` is
    /// answered at once (on 429158c a blocked reply froze call handling for 40 s and one slow
    /// client held up `ctl status` for 23 s). Past the cap a client is told the box is busy,
    /// and the stuck ones are cut at the read deadline.
    @Test func stuckControlClientsHoldUpNobody() throws {
        let scratch = try ScratchDirectory()
        _ = try SimulationRig.daemonConfig(in: scratch, "lines: 2\n")
        let daemon = try Self.startDaemon(in: scratch, seconds: 90)
        defer { daemon.terminate(); daemon.waitUntilExit() }
        let socket = scratch.path("control.sock")
        var waited = 0
        while !((try? ControlServer.ask(socket, "status", timeoutSeconds: 2)) ?? "").contains("uptime") && waited < 30_000 { usleep(50_000); waited += 50 }
        func connect() throws -> Int32 {
            let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var small: Int32 = 1024
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            let address = try #require(UnixSocketAddress(socket))
            try #require(address.withSockaddr { Glibc.connect(fd, $0, $1) } == 0)
            return fd
        }
        func send(_ fd: Int32, _ text: String) { _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } }
        let neverReads = try connect(), drips = try connect(), silent = try connect()
        defer { [neverReads, drips, silent].forEach { close($0) } }
        send(neverReads, "calls 1000\n")
        send(drips, "st")
        #expect(try ControlServer.ask(socket, "status", timeoutSeconds: 3).contains("uptime"))
        #expect(try ControlServer.ask(socket, "lines", timeoutSeconds: 3).contains("line 1:"))
        // Eight at once fill every place; the next is told so, and is not left hanging.
        let crowd = try (0..<8).map { _ in try connect() }
        defer { crowd.forEach { close($0) } }
        // Once the server has taken them all in (a loaded host may take a while), it is busy.
        var answer = ""
        for _ in 0..<100 where !answer.hasPrefix("busy:") {
            answer = try ControlServer.ask(socket, "status", timeoutSeconds: 3)
            if !answer.hasPrefix("busy:") { usleep(50_000) }
        }
        #expect(answer.hasPrefix("busy:"), "\(answer)")
        // The read deadline frees the places: the crowd is cut, and status answers again.
        #expect(crowd.allSatisfy { closedByPeer($0, withinSeconds: 10) })
        #expect(try ControlServer.ask(socket, "status", timeoutSeconds: 3).contains("uptime"))
        #expect(daemon.isRunning)
    }

    /// help lists every command of the table, each with its usage.
    @Test func helpIsTheCommandTable() {
        let help = ControlCommands.help()
        for command in ControlCommands.table { #expect(help.contains(command.usage) && help.contains(command.help), "\(command.name)") }
        #expect(help.split(separator: "\n").count == ControlCommands.table.count)
    }

    /// `config validate` reads only files in the config's own directory (on 429158c it printed
    /// every line of /etc/shadow as a config error), and reboot and shutdown answer with the
    /// command's exit status (a refused systemctl looked done).
    @Test func validateStaysInTheConfigDirectoryAndPowerCommandsReportTheirStatus() throws {
        let scratch = try ScratchDirectory()
        _ = try SimulationRig.daemonConfig(in: scratch, "lines: 1\ncommands:\n  reboot: [/bin/false]\n  shutdown: [/bin/true]\n")
        try "secret: 1\n".write(toFile: "/tmp/outside-\(getpid()).yaml", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: "/tmp/outside-\(getpid()).yaml") }
        try FileManager.default.createSymbolicLink(atPath: scratch.path("link.yaml"), withDestinationPath: "/tmp/outside-\(getpid()).yaml")
        let daemon = try Self.startDaemon(in: scratch, seconds: 60)
        defer { daemon.terminate(); daemon.waitUntilExit() }
        func ctl(_ words: String...) throws -> String { try Self.ctl(scratch, words) }
        var waited = 0
        while !((try? ctl("status")) ?? "").contains("uptime") && waited < 30_000 { usleep(50_000); waited += 50 }
        for outside in ["/etc/shadow", "/etc/passwd", "../../../../etc/passwd", "link.yaml", "/tmp/outside-\(getpid()).yaml"] {
            let answer = try ctl("config", "validate", outside)
            #expect(answer.hasPrefix("config validate only reads files in"), "\(outside): \(answer)")
            #expect(!answer.contains("root") && !answer.contains("secret"), "\(outside): \(answer)")
        }
        #expect(try ctl("config", "validate", "box.yaml").contains("box.yaml: valid"))
        #expect(try ctl("reboot", "confirm").hasPrefix("error: reboot NOT done: /bin/false exited with status 1"))
        #expect(try ctl("shutdown", "confirm").hasPrefix("shutdown: /bin/true (exit status 0)"))
        #expect(try ctl("selftest").contains("9 passed, 0 failed"))
    }
}
