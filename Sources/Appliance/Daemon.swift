import Box
import Foundation
import LineDriver
import Logging
import Synchronization
import SystemSupport
import UplinkServer
import UplinkWire

/// Set by SIGTERM/SIGINT; the main loop checks it between polls.
private let stopRequested = Atomic<Bool>(false)

/// `appliance run`: the box's event thread. It polls the switchboard (or steps virtual time),
/// answers the control socket, and does the housekeeping that wires the box to its side
/// channels: the uplink's pushes and line summaries, retention, the front panel, the systemd
/// watchdog, and reloading an edited flow file.
final class Daemon {
    enum Ending { case stopped, restartRequested }

    private let settings: BoxConfig
    private let virtual: Bool
    private let runtime: BoxRuntime
    private let commands: ControlCommands
    private let board: ControlBoard
    private let control: ControlServer
    private let uplink: UplinkRunner?
    private let metricsFile: MetricsTextfile?
    private let panel: PanelDriver?
    private let notifier = SystemdNotifier()
    private let watchdog: Watchdog
    private let log: (String) -> Void
    /// Boot time, so uptime and the watchdog's stall check ignore a clock being set.
    private let started = BootClock.seconds()
    private var flowModified: Date?
    private var restartRequested = false

    private var panelRefresh = PeriodicTimer(every: .milliseconds(50))
    private var controlSnapshot = PeriodicTimer(every: .milliseconds(250))
    private var uplinkHousekeeping = PeriodicTimer(every: .seconds(1))
    private var retention = PeriodicTimer(every: .seconds(3600))
    private var flowCheck = PeriodicTimer(every: .seconds(2), immediately: false)

    init(configFile: String?, virtual: Bool) throws {
        settings = try BoxConfig.forCommand(configFile)
        self.virtual = virtual
        let board = ControlBoard()
        self.board = board
        // Every logger in the process (the box's, the uplink server's) writes through the one
        // handler: journald's form under systemd, time-stamped lines elsewhere, and the
        // console's `log` sees each line.
        LoggingSystem.bootstrap { _ in JournalLogHandler(tee: { board.appendLog($0) }) }
        let logger = Logger(label: "appliance")
        let fieldLog: (String, LogFields) -> Void = { line, fields in
            logger.log(level: fields.severity.level, "\(line)", metadata: fields.metadata)
        }
        self.log = { line in fieldLog(line, .of(line)) }
        do { runtime = try BoxRuntime(config: settings, realTime: !virtual, log: fieldLog) } catch { throw CommandFailure("\(error)") }
        // Simulated lines always have demo callers at hand: continuous with demo_traffic, else
        // one per technician's `line call N`.
        var demo: DemoTraffic?
        if let exchange = runtime.exchange {
            let traffic = try DemoTraffic(directory: "\(settings.dataDirectory)/demo", lines: settings.lines, continuous: settings.demoTraffic)
            exchange.traffic = { line, now in traffic.next(line: line, now: now) }
            runtime.switchboard.onCallEnded = { summary in for c in summary.cases { _ = traffic.created.push(c.number) } }
            demo = traffic
        }
        commands = ControlCommands(runtime: runtime, board: board, demo: demo)
        commands.publish()
        let queries: ControlQueries
        // One updater: an install from the stick and one pushed over the uplink exclude each other.
        let updates = UpdateInstaller(scratch: settings.dataDirectory)
        do {
            let trust = settings.uplink.trustDirectory(data: settings.dataDirectory)
            queries = try ControlQueries(config: settings, configFile: configFile, board: board, updates: updates,
                                         enrol: { path in try EnrolCertificate.enrol(pemFile: path, into: trust) })
            control = try ControlServer(path: settings.controlSocketPath) { [queries] line in ControlCommands.answerOnWorker(line, queries: queries) }
        } catch { throw CommandFailure("\(error)") }
        let certificate = settings.uplink.certificatePath(data: settings.dataDirectory)
        metricsFile = settings.metricsFile.map { path in
            MetricsTextfile(path: path, figures: { queries.metrics(certificateDaysLeft: UplinkCertificate.daysLeft(pemFile: certificate)) }, log: { fieldLog($0, .of($0)) })
        }
        if settings.uplink.enabled {
            do { uplink = try UplinkRunner(service: UplinkService(config: settings, updates: updates)) } catch {
                control.stop()
                throw CommandFailure("\(error)")
            }
        } else {
            uplink = nil
        }
        commands.uplinkListening = uplink.map { _ in true }
        var panel: PanelDriver?
        if let panelConfig = settings.panel {
            do { panel = try PanelDriver(gpio: LibgpiodGPIO(), config: panelConfig) } catch { log("warning: front panel not available: \(error)") }
        }
        self.panel = panel
        watchdog = Watchdog(notifier: notifier, now: started)
        flowModified = Self.modified(runtime.content.flowFile)
    }

    /// Runs until SIGTERM or SIGINT, the front button, or `limit` of wall time.
    func run(for limit: Duration?) throws -> Ending {
        defer { control.stop() }
        defer { metricsFile?.stop() }
        metricsFile?.start()
        defer { uplink?.stop() }
        if let problem = control.problem { log("warning: control socket: \(problem)") }
        if let uplink {
            let u = settings.uplink
            log("uplink serving on \(u.host):\(uplink.port) (\(u.plainHTTP ? "plain HTTP, loopback only" : "mutual TLS"))")
        }
        log("box up: \(settings.lines) \(settings.hardware.name) lines, flow \"\(runtime.switchboard.flow.name)\", data in \(settings.dataDirectory)"
            + (settings.demoTraffic && runtime.exchange != nil ? ", demo callers on" : ""))
        Self.catchStopSignals()
        if !virtual {
            let report = runtime.loop.start(realTime: true)
            for warning in [report.schedFIFO, report.memoryLocked].compactMap({ $0 }) { log("warning: \(warning)") }
        }
        notifier.send("READY=1\nSTATUS=answering on \(settings.lines) lines")
        let deadline = limit.map { ContinuousClock.now + $0 }
        while !stopRequested.load(ordering: .relaxed) && deadline.map({ ContinuousClock.now < $0 }) ?? true {
            pollOnce()
        }
        notifier.send("STOPPING=1")
        if !virtual { runtime.loop.stop() }
        runtime.shutdown()
        let backend = runtime.loop.backend
        if let slipsAre = backend.kind.slipsAre { log("\(slipsAre): \(backend.slips)") }
        log("box down after \(Int(BootClock.seconds() - started)) s; \(runtime.switchboard.finished.count) calls ended")
        return restartRequested ? .restartRequested : .stopped
    }

    /// One turn of the event loop.
    private func pollOnce() {
        if watchdog.tick(now: BootClock.seconds(), heartbeat: runtime.loop.heartbeat.load(ordering: .relaxed)) {
            log("frame loop stalled: watchdog pings stopped")
        }
        if virtual { runtime.step() } else {
            runtime.switchboard.poll()
            usleep(5000)
        }
        control.serve { [commands] request in commands.execute(request.line) { request.reply($0) } }
        commands.tick()
        if controlSnapshot.due() { commands.publish() }
        if panelRefresh.due() { refreshPanel() }
        if let service = uplink?.service { serveUplink(service) }
        if flowCheck.due() { reloadEditedFlow() }
        if board.restartWanted.load(ordering: .relaxed) && !restartRequested && runtime.switchboard.activeCalls == 0 {
            restartRequested = true
            log("restarting for the new node prefix")
            stopRequested.store(true, ordering: .relaxed)
        }
    }

    private func refreshPanel() {
        guard let panel else { return }
        if panel.update(commands.panelStatus(fault: watchdog.stalled)) && !restartRequested {
            restartRequested = true
            log("front button held: restarting")
            stopRequested.store(true, ordering: .relaxed)
        }
    }

    /// Content the uplink switched on disk goes into force here, on the event thread; the
    /// uplink's view of the lines is refreshed and acked media past retention are pruned.
    private func serveUplink(_ service: UplinkService) {
        for line in service.notices.withLock({ queue in defer { queue.removeAll() }; return queue }) { log(line) }
        for kind in service.pushed.withLock({ list in defer { list.removeAll() }; return list }) {
            if let problem = runtime.applyPushed(kind) { log("pushed \(kind.rawValue) not put into force: \(problem)") } else {
                log("pushed \(kind.rawValue) in force from now on: \(runtime.content.store.active(kind)?.generation ?? "?")")
            }
        }
        if uplinkHousekeeping.due() {
            service.lines.withLock { $0 = commands.lineSummaries() }
            let board = runtime.switchboard
            service.boxWarnings.withLock {
                $0 = [board.disk.warning, board.storeFailures > 0 ? "\(board.storeFailures) case-store writes from calls failed since the box started (see the log)" : nil].compactMap { $0 }
            }
            if retention.due() { service.pruneExpired() }
        }
    }

    private func reloadEditedFlow() {
        let now = Self.modified(runtime.content.flowFile)
        guard now != flowModified else { return }
        flowModified = now
        switch runtime.reloadFlow() {
        case .success(let flow): log("flow reloaded: \"\(flow.name)\"")
        case .failure(let problems): log("flow not reloaded, the running one is kept:\n\(problems)")
        }
    }

    private static func catchStopSignals() {
        signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
        // A parent may have started us with these blocked (Foundation's Process passes its
        // thread's mask on); systemd's stop must always reach us.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
    }

    private static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
