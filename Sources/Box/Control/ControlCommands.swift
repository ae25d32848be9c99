import DSP
import Foundation
import HotlineModel
import LineDriver
import LocalDB

/// The technician's commands, answered from the running box (on its event thread). The same
/// text serves `appliance ctl` and the serial console.
package final class ControlCommands {
    private let runtime: BoxRuntime
    private let configFile: String?
    private let started = Date()
    private let log: LogRing
    /// What `reboot` and `shutdown` run (systemctl on the box; something harmless in tests).
    package var rebootCommand = ["/bin/systemctl", "reboot"]
    package var shutdownCommand = ["/bin/systemctl", "poweroff"]

    package init(runtime: BoxRuntime, configFile: String?, log: LogRing) {
        self.runtime = runtime
        self.configFile = configFile
        self.log = log
    }

    /// One technician's command: its name, how it is written, what it does, and who answers.
    /// `help` is made from this table, so a command cannot exist without its line in help.
    package struct Command: Sendable {
        package let name: String
        package let usage: String
        package let help: String
        /// The answer, or nil when it comes later through `later` (a line test, a recording).
        let run: @Sendable (ControlCommands, [String], _ later: @escaping @Sendable (String) -> Void) -> String?
    }

    package static let table: [Command] = [
        Command(name: "status", usage: "status", help: "uptime, lines, database, disk, sync") { c, _, _ in c.status() },
        Command(name: "lines", usage: "lines", help: "every line: state, caller, level, last events") { c, _, _ in c.lines() },
        Command(name: "line", usage: "line test N", help: "seize line N, check dial tone and its level, release") { c, args, later in
            guard args.count == 2, args[0] == "test", let n = Int(args[1]) else { return "usage: line test N" }
            return c.lineTest(n, later: later)
        },
        Command(name: "calls", usage: "calls [N]", help: "the last N calls (default 10)") { c, args, _ in
            count(args, default: 10).map(c.calls) ?? "usage: calls [N] (N a whole number from 1 to \(maxCount))"
        },
        Command(name: "cases", usage: "cases [N] | show NUMBER | search TEXT",
                help: "the last N cases (default 10), one case with its status history and files, or cases whose number or caller contains TEXT") { c, args, _ in
            c.cases(args)
        },
        Command(name: "prompts", usage: "prompts [play NAME LINE | record NAME LINE S]",
                help: "the prompt pack; play a prompt to a line in a call; record S seconds from a line in a call as prompt NAME") { c, args, later in
            c.prompts(args, later: later)
        },
        Command(name: "config", usage: "config show | validate [FILE] | reload", help: "the settings in force, check a config file, reload the flow") { c, args, _ in
            c.config(args)
        },
        Command(name: "sync", usage: "sync status | pending | audit [N]",
                help: "what the central office has pulled, what waits, the last N changes it made (who, what, result; default 20)") { c, args, _ in c.sync(args) },
        Command(name: "log", usage: "log [N]", help: "the last N log lines (default 20)") { c, args, _ in
            count(args, default: 20).map { c.log.lines.suffix($0).joined(separator: "\n") } ?? "usage: log [N] (N a whole number from 1 to \(maxCount))"
        },
        Command(name: "selftest", usage: "selftest", help: "every DSP function through a loopback") { _, _, later in
            // Seconds of DSP work: on a worker, never the event thread that runs the calls.
            DispatchQueue.global(qos: .utility).async {
                let checks = DSPSelfTest.runAll()
                later((checks.map { "\($0.passed ? "PASS" : "FAIL") \($0.name): \($0.detail)" }
                       + ["selftest: \(checks.filter(\.passed).count) passed, \(checks.filter { !$0.passed }.count) failed"]).joined(separator: "\n"))
            }
            return nil
        },
        Command(name: "reboot", usage: "reboot confirm", help: "restart the box") { c, args, later in
            c.power("reboot", args, argv: c.rebootCommand, later: later)
        },
        Command(name: "shutdown", usage: "shutdown confirm", help: "power the box off") { c, args, later in
            c.power("shutdown", args, argv: c.shutdownCommand, later: later)
        },
    ]

    /// The help text: one line per command, usage then what it does.
    package static func help(extra: [(usage: String, help: String)] = []) -> String {
        (table.map { ($0.usage, $0.help) } + extra).map { usage, help in
            usage.padding(toLength: max(28, usage.count + 2), withPad: " ", startingAt: 0) + help
        }.joined(separator: "\n")
    }

    /// A count argument: absent (the default) or a whole number of 1 or more; nil when it is
    /// anything else, so the caller answers with the usage.
    /// The most lines one command answers with: each costs the event thread a store read.
    static let maxCount = 1000

    static func count(_ args: [String], default fallback: Int) -> Int? {
        guard let first = args.first else { return fallback }
        guard args.count == 1, let n = Int(first), (1...maxCount).contains(n) else { return nil }
        return n
    }

    /// The answer to `line`, or nil when it will come later through `later` (a line test).
    package func execute(_ line: String, later: @escaping @Sendable (String) -> Void) -> String? {
        let words = line.split(separator: " ").map(String.init)
        guard let name = words.first else { return "" }
        if name == "help" { return Self.help() }
        guard let command = Self.table.first(where: { $0.name == name }) else { return "unknown command \"\(name)\"; type help" }
        return command.run(self, Array(words.dropFirst()), later)
    }

    /// Runs the reboot or shutdown command and answers with its exit status once it ends (off
    /// the event thread), so a refused systemctl never looks done.
    private func power(_ command: String, _ args: [String], argv: [String], later: @escaping @Sendable (String) -> Void) -> String? {
        guard args == ["confirm"] else { return "\(command) needs confirmation: \(command) confirm" }
        let shown = argv.joined(separator: " ")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        p.terminationHandler = { done in
            let status = done.terminationStatus
            later(status == 0 ? "\(command): \(shown) (exit status 0)" : "error: \(command) NOT done: \(shown) exited with status \(status)")
        }
        do { try p.run() } catch { return "error: cannot run \(shown): \(error)" }
        return nil
    }

    private func status() -> String {
        let up = Int(Date().timeIntervalSince(started))
        let busy = runtime.switchboard.lineStatus.values.filter { $0.state != .idle }.count
        let cases = (try? runtime.store.db.scalar("SELECT count(*) FROM cases")) ?? "?"
        let calls = (try? runtime.store.db.scalar("SELECT count(*) FROM calls")) ?? "?"
        var fs = statvfs()
        let free = statvfs(runtime.dataDirectory, &fs) == 0 ? Double(fs.f_bavail) * Double(fs.f_frsize) / 1e9 : -1
        let dbSize = ((try? FileManager.default.attributesOfItem(atPath: "\(runtime.dataDirectory)/cases.sqlite"))?[.size] as? Int) ?? 0
        return """
            uptime \(up / 3600)h \(up / 60 % 60)m \(up % 60)s
            lines \(runtime.config.lines) (\(runtime.loop.backend.kind.rawValue)), \(busy) busy, \(runtime.switchboard.activeCalls) calls in progress
            flow "\(runtime.switchboard.flow.name)"
            database \(cases) cases, \(calls) calls, \(dbSize / 1024) KiB
            disk \(String(format: "%.1f", free)) GB free in \(runtime.dataDirectory)
            sync \(syncAge())
            """
    }

    private var lastPull: Date?
    private var lastPullRead = Date.distantPast

    /// What the front panel shows.
    package func panelStatus(fault: Bool) -> StatusLights.Status {
        let lines = (0..<runtime.config.lines).map { n -> StatusLights.LineLight in
            switch runtime.switchboard.lineStatus[n]?.state {
            case .ringing: .ringing
            case .inCall, .testing: .inCall
            default: .idle
            }
        }
        // The panel refreshes every 50 ms; the last pull changes every few minutes at most.
        if Date().timeIntervalSince(lastPullRead) > 5 {
            lastPullRead = Date()
            lastPull = (try? runtime.store.lastPull()).flatMap { $0 }.flatMap(StoreTime.date)
        }
        return StatusLights.Status(running: true, lines: lines, sinceLastPull: lastPull.map { Date().timeIntervalSince($0) },
                                   fault: fault || !runtime.recorder.errors.isEmpty)
    }

    private func syncAge() -> String {
        guard let last = (try? runtime.store.lastPull()).flatMap({ $0 }) else { return "never pulled by the central office" }
        return "last pulled \(last)"
    }

    private func lines() -> String {
        zip(lineSummaries(), 0...).map { summary, n in
            let recent = runtime.switchboard.lineStatus[n]?.recent ?? []
            return summary + (recent.isEmpty ? "" : "\n  " + recent.joined(separator: "\n  "))
        }.joined(separator: "\n")
    }

    /// One line per telephone line: state, caller, level (the uplink's health shows these too).
    package func lineSummaries() -> [String] {
        (0..<runtime.config.lines).map { n in
            let s = runtime.switchboard.lineStatus[n] ?? Switchboard.LineStatus()
            let level = runtime.loop.channels[n].receivedLevel.load(ordering: .relaxed)
            return "line \(n): \(s.state.rawValue)" + (s.caller.map { ", caller \($0)" } ?? "") + (level > -99 ? ", level \(level) dBm0" : "")
        }
    }

    private func lineTest(_ n: Int, later: @escaping (String) -> Void) -> String? {
        guard (0..<runtime.config.lines).contains(n) else { return "no line \(n) (lines 0-\(runtime.config.lines - 1))" }
        guard (runtime.switchboard.lineStatus[n]?.state ?? .idle) == .idle else { return "line \(n) is busy; test it when it is idle" }
        runtime.switchboard.lineTests[n] = { tone, level in
            later(tone ? "line \(n): dial tone present at \(level) dBm0 — OK" : "line \(n): NO dial tone within \(self.runtime.config.supervision.dialToneTimeoutMs / 1000) s — check the line")
        }
        runtime.loop.channels[n].commands.push(.testLine)
        return nil
    }

    private func calls(_ count: Int) -> String {
        guard let rows = try? runtime.store.calls().suffix(count), !rows.isEmpty else { return "no calls yet" }
        return rows.map { c in
            "\(c.id) line \(c.line) \(StoreTime.string(c.startedAt)) \(c.callerNumber ?? "unknown") \(c.disposition ?? "in progress") \(c.disconnectReason ?? "") path: \(c.ivrPath)"
        }.joined(separator: "\n")
    }

    private func cases(_ args: [String]) -> String {
        func line(_ c: CaseRecord) -> String {
            "\(c.number) \(c.kind.rawValue) \(c.status.rawValue)\(c.complete ? "" : " (incomplete)") \(StoreTime.string(c.createdAt)) \(c.callerNumber ?? "")"
        }
        guard let all = try? runtime.store.cases() else { return "error: cannot read the case store" }
        switch args.first {
        case "show":
            guard args.count == 2 else { return "usage: cases show NUMBER" }
            let number: AcceptanceNumber
            do { number = try AcceptanceNumber(validating: args[1]) } catch { return "\(error)" }
            guard let found = all.first(where: { $0.number == number }) else { return "no case \(number)" }
            let history = (try? runtime.store.db.query("SELECT status, version, source, changed_at FROM case_status_history WHERE case_id = ? ORDER BY id", [found.id])) ?? []
            let media = (try? runtime.store.media(case: found.id)) ?? []
            return ([line(found)] + history.map { "  status \($0.text("status") ?? "") v\($0.int("version") ?? 0) by \($0.text("source") ?? "") at \($0.text("changed_at") ?? "")" }
                    + media.map { "  file \($0.kind.rawValue) \($0.path) \($0.size) bytes sha256 \($0.sha256.prefix(16))…" }).joined(separator: "\n")
        case "search":
            guard args.count == 2 else { return "usage: cases search TEXT" }
            let hits = all.filter { $0.number.digits.contains(args[1]) || ($0.callerNumber ?? "").contains(args[1]) }
            return hits.isEmpty ? "no case matches \"\(args[1])\"" : hits.map(line).joined(separator: "\n")
        case .some:
            guard let count = Self.count(args, default: 10) else { return "usage: cases [N] | cases show NUMBER | cases search TEXT (N a whole number from 1 to \(Self.maxCount))" }
            return all.suffix(count).map(line).joined(separator: "\n")
        case nil:
            return all.isEmpty ? "no cases yet" : all.suffix(10).map(line).joined(separator: "\n")
        }
    }

    /// Recordings a technician started, to stop when their time is up (checked each serve).
    private var recordingsDue: [(line: Int, at: Date)] = []

    /// Stops technician recordings whose time has come (called from the daemon loop).
    package func tick() {
        let now = Date()
        for due in recordingsDue where due.at <= now { runtime.loop.channels[due.line].commands.push(.stopRecording(.technician)) }
        recordingsDue.removeAll { $0.at <= now }
    }

    private func prompts(_ args: [String], later: @escaping (String) -> Void) -> String? {
        let library = runtime.switchboard.prompts
        switch args.first {
        case nil, "list":
            return library.prompts.values.sorted { $0.name < $1.name }.map { "\($0.name) \($0.durationMs) ms" }.joined(separator: "\n")
        case "play":
            guard args.count == 3, let prompt = library[args[1]], let n = Int(args[2]), (0..<runtime.config.lines).contains(n) else {
                return "usage: prompts play NAME LINE (a known prompt, a line in a call)"
            }
            guard runtime.switchboard.lineStatus[n]?.state == .inCall else { return "line \(n) is not in a call" }
            runtime.loop.channels[n].commands.push(.play(prompt, id: 0, bargeIn: false))
            return "playing \(prompt.name) (\(prompt.durationMs) ms) on line \(n)"
        case "record":
            guard args.count == 4, let n = Int(args[2]), (0..<runtime.config.lines).contains(n), let seconds = Int(args[3]), (1...120).contains(seconds),
                  args[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                return "usage: prompts record NAME LINE SECONDS (NAME of letters, digits and _; 1-120 s)"
            }
            guard runtime.switchboard.lineStatus[n]?.state == .inCall else { return "line \(n) is not in a call" }
            guard runtime.switchboard.technicianRecordings[n] == nil else { return "line \(n) is already recording a prompt" }
            let cache = runtime.content.promptDirectory
            let name = args[1]
            let recording: CallRecorder.Recording
            do { recording = try runtime.recorder.start(path: "\(cache)/.\(name).recording.wav", stereo: false) } catch { return "error: \(error)" }
            runtime.switchboard.technicianRecordings[n] = { [runtime] in
                runtime.recorder.finish(recording)
                let final = "\(cache)/\(name).wav"
                try? FileManager.default.removeItem(atPath: final)
                do {
                    try FileManager.default.moveItem(atPath: recording.path, toPath: final)
                    later("recorded \(name) from line \(n) into \(final); it plays from the next start (or config reload of the pack)")
                } catch {
                    later("error: \(error)")
                }
            }
            runtime.loop.channels[n].commands.push(.record(recording.ring, stereo: false, tap: .technician))
            recordingsDue.append((n, Date().addingTimeInterval(Double(seconds))))
            return nil
        default:
            return "usage: prompts | prompts play NAME LINE | prompts record NAME LINE SECONDS"
        }
    }

    private func config(_ args: [String]) -> String {
        switch args.first {
        case nil, "show":
            let c = runtime.config
            return """
                config \(configFile ?? "(embedded defaults)")
                node_prefix \(c.nodePrefix.digits), lines \(c.lines), data_dir \(c.dataDirectory)
                flow \(c.flowFile), prompts \(c.promptsFile), documents \(c.documentsDirectory)
                whole_call_recording \(c.wholeCallRecording), transfer \(c.transferNumber ?? "none")
                answer_after_rings \(c.supervision.answerAfterRings), silence_timeout \(c.supervision.silenceTimeoutMs) ms
                """
        case "validate":
            guard let configFile else { return "the box runs on the embedded defaults, which are always valid; it reads no other file" }
            guard let file = args.count > 1 ? Self.inConfigDirectory(args[1], config: configFile) : configFile else {
                return "config validate only reads files in \(Self.directory(of: configFile)) (the config's own directory)"
            }
            do { _ = try BoxConfig.load(file); return "\(file): valid" } catch { return "\(error)" }
        case "reload":
            switch runtime.reloadFlow() {
            case .success(let flow): return "flow reloaded: \"\(flow.name)\" (other settings take effect on restart)"
            case .failure(let problems): return "flow not reloaded, the running one is kept:\n\(problems)"
            }
        default:
            return "usage: config show | config validate [FILE] | config reload"
        }
    }

    private static func directory(of file: String) -> String {
        URL(fileURLWithPath: file).deletingLastPathComponent().resolvingSymlinksInPath().path
    }

    /// `name` resolved against the config's directory (symlinks too), or nil when it lies
    /// outside it: the daemon may read what a technician could not (the uplink's key, say), so
    /// `config validate` must not become a way to print other files.
    static func inConfigDirectory(_ name: String, config: String) -> String? {
        let directory = directory(of: config)
        let path = URL(fileURLWithPath: name, relativeTo: URL(fileURLWithPath: directory + "/")).standardizedFileURL.resolvingSymlinksInPath().path
        return path.hasPrefix(directory + "/") ? path : nil
    }

    private func sync(_ args: [String]) -> String {
        let acked = (try? runtime.store.ackedChange()) ?? 0
        let pending = (try? runtime.store.db.query("SELECT entity, count(*) AS n FROM changes WHERE seq > ? GROUP BY entity ORDER BY entity", [acked])) ?? []
        switch args.first {
        case nil, "status":
            let total = pending.reduce(0) { $0 + ($1.int("n") ?? 0) }
            return "\(syncAge()); \(total) changes waiting (acknowledged up to \(acked))"
        case "pending":
            return pending.isEmpty ? "nothing waiting" : pending.map { "\($0.text("entity") ?? "") \($0.int("n") ?? 0)" }.joined(separator: "\n")
        case "audit":
            guard let n = Self.count(Array(args.dropFirst()), default: 20) else { return "usage: sync audit [N] (N a whole number from 1 to \(Self.maxCount))" }
            do {
                let entries = try runtime.store.auditEntries(last: n)
                return entries.isEmpty ? "the central office has changed nothing yet" : entries.map(\.line).joined(separator: "\n")
            } catch { return "cannot read the audit log: \(error)" }
        default:
            return "usage: sync status | sync pending | sync audit [N]"
        }
    }
}

/// The daemon's recent log lines, for `log` (kept on the event thread).
package final class LogRing {
    package var lines: [String] = [] {
        didSet { if lines.count > 500 { lines.removeFirst(lines.count - 500) } }
    }

    package init() {}
}
