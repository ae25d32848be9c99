import DSP
import Foundation
import HotlineModel
import IVR
import LocalDB
import SystemSupport

/// The technician's read-only commands, answered on the control client's own worker thread
/// from the event thread's published snapshot and a case-store connection of their own (reads
/// in deferred transactions, which under WAL never wait for the calls' writes nor hold them
/// up). Unchecked Sendable: the store connection is used under `storeLock` only; the rest is
/// immutable or Sendable.
package final class ControlQueries: @unchecked Sendable {
    private let config: BoxConfig
    private let configFile: String?
    private let board: ControlBoard
    private let store: CaseStore
    private let storeLock = NSLock()
    private let started = BootClock.seconds()
    private let updates: UpdateInstaller

    /// Trusts a central office's certificate for the uplink (the uplink's module reads it).
    private let enrol: (@Sendable (String) throws -> String)?

    package init(config: BoxConfig, configFile: String?, board: ControlBoard, updates: UpdateInstaller? = nil,
                 enrol: (@Sendable (String) throws -> String)? = nil) throws {
        self.enrol = enrol
        self.config = config
        self.configFile = configFile
        self.board = board
        store = try CaseStore(path: "\(config.dataDirectory)/cases.sqlite", prefix: config.nodePrefix)
        self.updates = updates ?? UpdateInstaller(scratch: config.dataDirectory)
    }

    private func withStore<T>(_ body: (CaseStore) throws -> T) rethrows -> T {
        storeLock.lock()
        defer { storeLock.unlock() }
        return try body(store)
    }

    func status() -> String {
        let s = board.current
        let up = Int(BootClock.seconds() - started)
        let (cases, calls) = withStore { s in ((try? s.count(.cases)).map(String.init) ?? "?", (try? s.count(.calls)).map(String.init) ?? "?") }
        let free = DiskSpace.freeBytes(config.dataDirectory).map { Double($0) / 1e9 } ?? -1
        let dbSize = ((try? FileManager.default.attributesOfItem(atPath: "\(config.dataDirectory)/cases.sqlite"))?[.size] as? Int) ?? 0
        return """
            uptime \(up / 3600)h \(up / 60 % 60)m \(up % 60)s, firmware \(FirmwareVersion.current)
            lines \(config.lines) (\(s.backend)), \(s.busyLines) busy, \(s.activeCalls) calls in progress
            flow "\(s.flowName)"
            database \(cases) cases, \(calls) calls, \(dbSize / 1024) KiB
            disk \(String(format: "%.1f", free)) GB free in \(config.dataDirectory)
            sync \(syncAge())
            """
    }

    /// The figures of the metrics textfile (MetricsTextfile), from the published snapshot and
    /// this connection to the store; the certificate's days are the caller's (it reads the
    /// certificate, which this module cannot parse).
    package func metrics(certificateDaysLeft: Int?) -> BoxMetrics {
        let s = board.current
        var m = BoxMetrics()
        m.lineStates = s.lineStates
        m.backend = s.backendKind
        m.slips = s.slips
        withStore { store in
            if let totals = try? store.totals() { (m.calls, m.cases) = (totals.calls, totals.cases) }
            m.outbound = (try? store.outboundTotals()) ?? []
            m.lastPull = (try? store.lastPull()).flatMap { $0 }.flatMap(StoreTime.date)
        }
        m.diskFreeBytes = DiskSpace.freeBytes(config.dataDirectory) ?? 0
        m.diskReserveBytes = config.disk.reserveBytes
        m.certificateDaysLeft = certificateDaysLeft
        return m
    }

    /// What hotline-mark-good.service waits for after an update: every line up (the frame loop
    /// publishes them), the case store readable, the uplink serving when one is configured.
    func health() -> String {
        let s = board.current
        var problems: [String] = []
        if s.backend.isEmpty || s.lineSummaries.count != config.lines { problems.append("lines not up (\(s.lineSummaries.count) of \(config.lines))") }
        if withStore({ try? $0.count(.cases) }) == nil { problems.append("case store not readable") }
        if s.uplinkListening == false || (config.uplink.enabled && s.uplinkListening == nil) { problems.append("uplink not listening") }
        let slot = updates.slotVersions.map { "; \($0)" } ?? ""
        return problems.isEmpty
            ? "healthy: \(config.lines) \(s.backend) lines up, case store open" + (config.uplink.enabled ? ", uplink listening" : "") + ", firmware \(FirmwareVersion.current)" + slot
            : "unhealthy: " + problems.joined(separator: ", ")
    }

    /// The node prefix and where it comes from; `node prefix N` sets it (unless the config does)
    /// and has the box restart to use it once no call is in progress.
    func node(_ args: [String]) -> String {
        let usage = "usage: node | node prefix N (1-3 digits, not starting with 0)"
        switch args.count {
        case 0:
            switch config.nodePrefixSource {
            case .config: return "node prefix \(config.nodePrefix.digits) (from the config)"
            case .console: return "node prefix \(config.nodePrefix.digits) (set at the console)"
            case .unset: return "node prefix not set: acceptance numbers use \(config.nodePrefix.digits) until it is"
            }
        case 2 where args[0] == "prefix":
            guard let prefix = NodePrefix(args[1]) else { return usage }
            guard config.nodePrefixSource != .config else { return "the config sets node_prefix (\(config.nodePrefix.digits)); change it there" }
            do { try config.storeNodePrefix(prefix) } catch { return "error: the node prefix cannot be kept: \(error)" }
            board.restartWanted.store(true, ordering: .relaxed)
            return "node prefix set to \(prefix.digits); the box restarts to use it as soon as no call is in progress"
        default:
            return usage
        }
    }

    /// The uplink as a technician sets it up on a box without a shell: where it listens, and
    /// the central office's certificate it trusts (from the USB stick). Both are kept on the data
    /// partition; the box restarts to use them once no call is in progress.
    func uplink(_ args: [String]) -> String {
        let usage = "usage: uplink | uplink listen HOST:PORT | uplink enrol PATH (the central office's certificate, PEM: /media/usb/NAME.crt)"
        let u = config.uplink
        let trust = u.trustDirectory(data: config.dataDirectory)
        switch args.count {
        case 0:
            let enrolled = ((try? FileManager.default.contentsOfDirectory(atPath: trust)) ?? []).filter { !$0.hasPrefix(".") && !$0.hasSuffix(".tmp") }.count
            let listening = u.enabled ? "uplink listening on \(u.host):\(u.port) (\(u.setAtConsole ? "set at the console" : "from the config"))"
                                      : "uplink off: uplink listen HOST:PORT sets the leased line's address"
            return listening + "\n\(enrolled) central office certificate(s) trusted, in \(trust)"
        case 2 where args[0] == "listen":
            guard let (host, port) = UplinkConfig.listenAddress(args[1]) else { return usage }
            guard !u.enabled || u.setAtConsole else { return "the config has an uplink: section (listen \(u.host):\(u.port)); change it there" }
            let address = (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
            do { try config.storeUplinkListen(address) } catch { return "error: the address cannot be kept: \(error)" }
            board.restartWanted.store(true, ordering: .relaxed)
            return "uplink set to listen on \(address); the box restarts to use it as soon as no call is in progress"
        case 2 where args[0] == "enrol":
            guard let enrol else { return "error: this box cannot enrol certificates (no uplink in this build)" }
            do {
                let said = try enrol(args[1])
                // The uplink reads whom it trusts when it starts: one that is off starts with it.
                guard u.enabled else { return said + "; uplink listen HOST:PORT starts the uplink with it" }
                board.restartWanted.store(true, ordering: .relaxed)
                return said + "; the box restarts to trust it as soon as no call is in progress"
            } catch { return "error: \(error)" }
        default:
            return usage
        }
    }

    func update(_ args: [String]) -> String {
        switch args.first {
        case nil, "status": return args.count <= 1 ? updates.status() : "usage: update status | install [PATH]"
        case "install" where args.count <= 2: return updates.install(args.count == 2 ? args[1] : nil).message
        default: return "usage: update status | install [PATH]"
        }
    }

    func lines() -> String {
        let s = board.current
        return zip(s.lineSummaries, s.recentEvents + Array(repeating: [], count: max(0, s.lineSummaries.count - s.recentEvents.count))).map { summary, recent in
            summary + (recent.isEmpty ? "" : "\n  " + recent.joined(separator: "\n  "))
        }.joined(separator: "\n")
    }

    /// The plan of the calendar in force (pushed, or the config's) for today and the `days - 1`
    /// days after it, in the calendar's zone.
    func calendar(_ days: Int) -> String {
        let calendar: ServiceCalendar
        do { calendar = try ActiveContent(store: ContentStore(dataDirectory: config.dataDirectory), config: config).calendar() } catch { return "\(error)" }
        let today = calendar.local(Date()).day
        return (0..<days).map { calendar.plan(on: LocalDate(dayNumber: today.dayNumber + $0)) }.joined(separator: "\n")
    }

    func log(_ n: Int) -> String { board.lastLog(n).joined(separator: "\n") }

    func calls(_ count: Int) -> String {
        guard let rows = withStore({ try? $0.calls(last: count) }), !rows.isEmpty else { return "no calls yet" }
        return rows.map { c in
            "\(c.id) line \(c.line) \(StoreTime.string(c.startedAt)) \(c.callerNumber ?? "unknown") \(c.disposition ?? "in progress") \(c.disconnectReason ?? "") path: \(c.ivrPath)"
        }.joined(separator: "\n")
    }

    func cases(_ args: [String]) -> String {
        func line(_ c: CaseRecord) -> String {
            "\(c.number) \(c.kind.rawValue) \(c.status.rawValue)\(c.complete ? "" : " (incomplete)") \(StoreTime.string(c.createdAt)) \(c.callerNumber ?? "")"
        }
        do {
            switch args.first {
            case "show":
                guard args.count == 2 else { return "usage: cases show NUMBER" }
                let number: AcceptanceNumber
                do { number = try AcceptanceNumber(validating: args[1]) } catch { return "\(error)" }
                return try withStore { s in
                    guard let found = try s.lookup(number) else { return "no case \(number)" }
                    let history = try s.statusHistory(case: found.id).map { "  status \($0.status) v\($0.version) by \($0.source) at \($0.at)" }
                    let media = try s.media(case: found.id).map { "  file \($0.kind.rawValue) \($0.path) \($0.size) bytes sha256 \($0.sha256.prefix(16))…" }
                    return ([line(found)] + history + media).joined(separator: "\n")
                }
            case "search":
                guard args.count == 2 else { return "usage: cases search TEXT" }
                let hits = try withStore { try $0.cases(containing: args[1], limit: ControlCommands.maxCount) }
                return hits.isEmpty ? "no case matches \"\(args[1])\"" : hits.map(line).joined(separator: "\n")
            default:
                guard let count = ControlCommands.count(args, default: 10) else {
                    return "usage: cases [N] | cases show NUMBER | cases search TEXT (N a whole number from 1 to \(ControlCommands.maxCount))"
                }
                let last = try withStore { try $0.cases(last: count) }
                return last.isEmpty ? "no cases yet" : last.map(line).joined(separator: "\n")
            }
        } catch {
            return "error: cannot read the case store: \(error)"
        }
    }

    /// The outbound queue, newest last; or a job cancelled by its number or its central id,
    /// written in the audit log as the technician's.
    func outbound(_ args: [String]) -> String {
        do {
            if args.first == "cancel" {
                guard args.count == 2 else { return "usage: outbound cancel ID (the job's number, or the central office's id)" }
                let id = args[1]
                return try withStore { s in
                    guard let job = try (Int(id).flatMap { try s.outboundJob(id: $0) }) ?? s.outboundJob(clientID: id) else { return "no outbound job \(id)" }
                    let after = try s.cancelOutbound(id: job.id, at: Date()) ?? job
                    let result = job.state == .done ? "already done: \(job.outcome?.rawValue ?? "")" : "cancelled"
                    try s.recordAudit(AuditEntry(at: Date(), peerFingerprint: nil, peerSubject: "console", action: "outbound cancel", target: "job \(job.id)",
                                                 result: result))
                    return "job \(after.id): \(result)"
                }
            }
            guard let n = ControlCommands.count(args, default: 10) else { return "usage: outbound [N] | cancel ID" }
            let jobs = try withStore { s in try s.outboundJobs(last: n).map { ($0, try s.outboundAttempts(job: $0.id)) } }
            guard !jobs.isEmpty else { return "no outbound jobs" }
            return jobs.map { job, attempts in
                let r = job.request
                let state = job.state == .done ? "done: \(job.outcome?.rawValue ?? "")\(job.rating.map { " rated \($0.rawValue)" } ?? "")"
                    : "\(job.state.rawValue), next attempt \(StoreTime.string(job.nextAt))"
                let tries = attempts.map { "\(StoreTime.string($0.startedAt)) line \($0.line) \($0.result ?? "on the line")" }
                return "\(job.id) \(r.kind.rawValue) case \(r.caseNumber?.digits ?? "-") to \(r.number) (\(r.clientID)): \(state); "
                    + "\(job.attempts) of \(r.maxAttempts) attempts, expires \(StoreTime.string(r.expiresAt))"
                    + (tries.isEmpty ? "" : "\n  " + tries.joined(separator: "\n  "))
            }.joined(separator: "\n")
        } catch {
            return "the outbound queue cannot be read: \(error)"
        }
    }

    func sync(_ args: [String]) -> String {
        do {
            switch args.first {
            case nil, "status":
                let acked = try withStore { try $0.ackedChange() }
                let waiting = try withStore { try $0.pendingUplink().changes }
                return "\(syncAge()); \(waiting) changes waiting (acknowledged up to \(acked))"
            case "pending":
                let pending = try withStore { try $0.pendingByEntity() }
                return pending.isEmpty ? "nothing waiting" : pending.map { "\($0.entity) \($0.count)" }.joined(separator: "\n")
            case "audit":
                guard let n = ControlCommands.count(Array(args.dropFirst()), default: 20) else {
                    return "usage: sync audit [N] (N a whole number from 1 to \(ControlCommands.maxCount))"
                }
                let entries = try withStore { try $0.auditEntries(last: n) }
                return entries.isEmpty ? "the central office has changed nothing yet" : entries.map(\.line).joined(separator: "\n")
            default:
                return "usage: sync status | sync pending | sync audit [N]"
            }
        } catch {
            return "error: cannot read the case store: \(error)"
        }
    }

    private func syncAge() -> String {
        guard let last = withStore({ try? $0.lastPull() }).flatMap({ $0 }) else { return "never pulled by the central office" }
        return "last pulled \(last)"
    }

    func config(_ args: [String]) -> String? {
        switch args.first {
        case nil, "show":
            let c = config
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
            return nil
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

    func selftest() -> String {
        let checks = DSPSelfTest.runAll()
        return (checks.map { "\($0.passed ? "PASS" : "FAIL") \($0.name): \($0.detail)" }
                + ["selftest: \(checks.filter(\.passed).count) passed, \(checks.filter { !$0.passed }.count) failed"]).joined(separator: "\n")
    }

    /// Runs the reboot or shutdown command and answers with its exit status, so a refused
    /// systemctl never looks done.
    func power(_ command: String, _ args: [String]) -> String {
        guard args == ["confirm"] else { return "\(command) needs confirmation: \(command) confirm" }
        let argv = command == "reboot" ? config.rebootCommand : config.shutdownCommand
        let shown = argv.joined(separator: " ")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        do { try p.run() } catch { return "error: cannot run \(shown): \(error)" }
        p.waitUntilExit()
        let status = p.terminationStatus
        return status == 0 ? "\(command): \(shown) (exit status 0)" : "error: \(command) NOT done: \(shown) exited with status \(status)"
    }
}
