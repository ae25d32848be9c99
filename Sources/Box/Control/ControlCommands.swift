import DSP
import Foundation
import HotlineModel
import LineDriver
import LocalDB
import SystemSupport

/// The technician's commands: the table `help` is made from, and the commands that act on the
/// running box (line tests, prompts, reloading the flow), which the daemon's event thread
/// answers between polls. Everything that only reads is a `ControlQueries` command, answered on
/// the client's worker; the same text serves `appliance ctl` and the serial console.
package final class ControlCommands {
    private let runtime: BoxRuntime
    private let board: ControlBoard
    private let demo: DemoTraffic?
    /// Whether the uplink serves (nil: none configured), set by the daemon.
    package var uplinkListening: Bool?

    package init(runtime: BoxRuntime, board: ControlBoard, demo: DemoTraffic? = nil) {
        self.runtime = runtime
        self.board = board
        self.demo = demo
    }

    /// One technician's command: its name, how it is written, what it does, and who answers.
    /// `help` is made from this table, so a command cannot exist without its line in help.
    package struct Command: Sendable {
        package let name: String
        package let usage: String
        package let help: String
        /// Answered on the client's worker; nil (or no query) hands the command to `action`.
        let query: (@Sendable (ControlQueries, [String]) -> String?)?
        /// Answered on the event thread; nil from it means the answer comes later through
        /// `later` (a line test, a recording).
        let action: (@Sendable (ControlCommands, [String], _ later: @escaping @Sendable (String) -> Void) -> String?)?

        init(name: String, usage: String, help: String, query: (@Sendable (ControlQueries, [String]) -> String?)? = nil,
             action: (@Sendable (ControlCommands, [String], _ later: @escaping @Sendable (String) -> Void) -> String?)? = nil) {
            (self.name, self.usage, self.help, self.query, self.action) = (name, usage, help, query, action)
        }
    }

    package static let table: [Command] = [
        Command(name: "status", usage: "status", help: "uptime, lines, database, disk, sync", query: { q, _ in q.status() }),
        Command(name: "lines", usage: "lines", help: "every line: state, caller, level, last events", query: { q, _ in q.lines() }),
        Command(name: "line", usage: "line test N | call N",
                help: "seize line N, check dial tone and its level, release; on simulated lines, a demo caller calls line N with a complaint",
                action: { c, args, later in
            guard args.count == 2, let n = Int(args[1]) else { return "usage: line test N | call N" }
            switch args[0] {
            case "test": return c.lineTest(n, later: later)
            case "call": return c.demoCall(n)
            default: return "usage: line test N | call N"
            }
        }),
        Command(name: "calls", usage: "calls [N]", help: "the last N calls (default 10)", query: { q, args in
            count(args, default: 10).map(q.calls) ?? "usage: calls [N] (N a whole number from 1 to \(maxCount))"
        }),
        Command(name: "cases", usage: "cases [N] | show NUMBER | search TEXT",
                help: "the last N cases (default 10), one case with its status history and files, or cases whose number or caller contains TEXT",
                query: { q, args in q.cases(args) }),
        Command(name: "prompts", usage: "prompts [play NAME LINE | record NAME LINE S]",
                help: "the prompt pack; play a prompt to a line in a call; record S seconds from a line in a call as prompt NAME", action: { c, args, later in
            c.prompts(args, later: later)
        }),
        Command(name: "config", usage: "config show | validate [FILE] | reload", help: "the settings in force, check a config file, reload the flow",
                query: { q, args in q.config(args) }, action: { c, _, _ in c.reloadFlow() }),
        Command(name: "calendar", usage: "calendar [N]", help: "today's plan and the next days' (N days, default 1): holidays, make-up days, each service's hours",
                query: { q, args in count(args, default: 1).map(q.calendar) ?? "usage: calendar [N] (N a whole number from 1 to \(maxCount))" }),
        Command(name: "outbound", usage: "outbound [N] | cancel ID",
                help: "the outbound queue: the last N call-back jobs (default 10) with their attempts and outcome; cancel one (it is never dialled again)",
                query: { q, args in q.outbound(args) }),
        Command(name: "sync", usage: "sync status | pending | audit [N]",
                help: "what the central office has pulled, what waits, the last N changes it made (who, what, result; default 20)",
                query: { q, args in q.sync(args) }),
        Command(name: "node", usage: "node | node prefix N",
                help: "this box's acceptance-number prefix; set it (the first console login asks), the box restarts to use it when idle",
                query: { q, args in q.node(args) }),
        Command(name: "uplink", usage: "uplink | listen HOST:PORT | enrol PATH",
                help: "the uplink to the central office: where it listens, whom it trusts; set the leased line's address, trust the central office's certificate (from the USB stick); the box restarts to use them when idle",
                query: { q, args in q.uplink(args) }),
        Command(name: "health", usage: "health", help: "healthy or not: lines up, case store open, uplink listening (what marks an update good)",
                query: { q, _ in q.health() }),
        Command(name: "update", usage: "update status | install [PATH]",
                help: "firmware slots A/B: versions, which is booted; install a signed bundle (default: the one on the USB stick), then reboot",
                query: { q, args in q.update(args) }),
        Command(name: "log", usage: "log [N]", help: "the last N log lines (default 20)", query: { q, args in
            count(args, default: 20).map(q.log) ?? "usage: log [N] (N a whole number from 1 to \(maxCount))"
        }),
        // Seconds of DSP work: on the client's worker, never the event thread that runs the calls.
        Command(name: "selftest", usage: "selftest", help: "every DSP function through a loopback", query: { q, _ in q.selftest() }),
        Command(name: "reboot", usage: "reboot confirm", help: "restart the box", query: { q, args in q.power("reboot", args) }),
        Command(name: "shutdown", usage: "shutdown confirm", help: "power the box off", query: { q, args in q.power("shutdown", args) }),
    ]

    /// Where a command line is answered: here on the worker (help, unknown commands, queries),
    /// or on the event thread.
    package static func answerOnWorker(_ line: String, queries: ControlQueries) -> String? {
        let words = line.split(separator: " ").map(String.init)
        guard let name = words.first else { return "" }
        if name == "help" { return help() }
        guard let command = table.first(where: { $0.name == name }) else { return "unknown command \"\(name)\"; type help" }
        return command.query?(queries, Array(words.dropFirst()))
    }

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

    /// The event thread's answer to `line`, or nil when it will come later through `later`.
    package func execute(_ line: String, later: @escaping @Sendable (String) -> Void) -> String? {
        let words = line.split(separator: " ").map(String.init)
        guard let name = words.first, let action = Self.table.first(where: { $0.name == name })?.action else { return "unknown command; type help" }
        return action(self, Array(words.dropFirst()), later)
    }

    private func reloadFlow() -> String {
        switch runtime.reloadFlow() {
        case .success(let flow): return "flow reloaded: \"\(flow.name)\" (other settings take effect on restart)"
        case .failure(let problems): return "flow not reloaded, the running one is kept:\n\(problems)"
        }
    }

    /// Publishes what the queries show (called by the daemon's loop a few times a second).
    package func publish() {
        var s = ControlSnapshot()
        s.lineSummaries = lineSummaries()
        s.recentEvents = (0..<runtime.config.lines).map { runtime.switchboard.lineStatus[$0]?.recent ?? [] }
        s.lineStates = (0..<runtime.config.lines).map { runtime.switchboard.lineStatus[$0]?.state ?? .idle }
        s.busyLines = runtime.switchboard.lineStatus.values.filter { $0.state != .idle }.count
        s.activeCalls = runtime.switchboard.activeCalls
        s.flowName = runtime.switchboard.flow.name
        s.backend = runtime.loop.backend.kind.rawValue
        s.backendKind = runtime.loop.backend.kind
        s.slips = runtime.loop.backend.slips
        s.uplinkListening = uplinkListening
        board.publish(s)
    }

    private var lastPull: Date?
    private var lastPullRead = -Double.infinity

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
        if BootClock.seconds() - lastPullRead > 5 {
            lastPullRead = BootClock.seconds()
            lastPull = (try? runtime.store.lastPull()).flatMap { $0 }.flatMap(StoreTime.date)
        }
        return StatusLights.Status(running: true, lines: lines, sinceLastPull: lastPull.map { Date().timeIntervalSince($0) },
                                   fault: fault || runtime.switchboard.recentFault || runtime.switchboard.disk.level != .ample)
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

    private func demoCall(_ n: Int) -> String {
        guard let demo else { return "line call needs simulated lines (these are \(runtime.config.hardware.name))" }
        guard (0..<runtime.config.lines).contains(n) else { return "no line \(n) (lines 0-\(runtime.config.lines - 1))" }
        return demo.request(line: n) ? "line \(n): a demo caller calls when the line is idle" : "line \(n): too many demo calls waiting; try again"
    }

    /// Recordings a technician started, to stop when their time is up (checked each serve), in
    /// boot time so setting the clock neither cuts one short nor leaves one running.
    private var recordingsDue: [(line: Int, at: Double)] = []

    /// Stops technician recordings whose time has come (called from the daemon loop).
    package func tick() {
        let now = BootClock.seconds()
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
            recordingsDue.append((n, BootClock.seconds() + Double(seconds)))
            return nil
        default:
            return "usage: prompts | prompts play NAME LINE | prompts record NAME LINE SECONDS"
        }
    }

}
