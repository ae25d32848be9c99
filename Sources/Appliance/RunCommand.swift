import ArgumentParser
import Box
import Foundation
import LineDriver
import Synchronization
import SystemSupport
import UplinkServer

/// Set by SIGTERM/SIGINT; the main loop checks it between polls.
private let stopRequested = Atomic<Bool>(false)

package struct RunCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the box: answer calls on its lines, run the flows, keep cases. Without hardware, 4 simulated lines with demo callers.")

    @Option(help: "Config file (YAML, docs/CONFIG.md). Default: the embedded one (4 simulated lines, data in ./var, demo traffic).")
    package var config: String?
    @Option(help: "Stop after this many seconds (default: run until SIGTERM or SIGINT).") package var seconds: Double?
    @Flag(help: "Run line time as fast as the CPU allows (demos, tests) instead of in real time.") package var virtual = false

    package func run() throws {
        let settings = try BoxConfig.forCommand(config)
        let stamp = ISO8601DateFormatter()
        let recent = LogRing()
        let log: (String) -> Void = { line in
            let stamped = "\(stamp.string(from: Date())) \(line)"
            // One write per line, unbuffered: the log survives a kill -9.
            FileHandle.standardOutput.write(Data((stamped + "\n").utf8))
            recent.lines.append(stamped)
        }
        let runtime: BoxRuntime
        do { runtime = try BoxRuntime(config: settings, realTime: !virtual, log: log) } catch { throw CommandFailure("\(error)") }
        if settings.demoTraffic, let exchange = runtime.exchange {
            let traffic = try DemoTraffic(directory: "\(settings.dataDirectory)/demo")
            exchange.traffic = { line, now in traffic.next(line: line, now: now) }
            runtime.switchboard.onCallEnded = { summary in for c in summary.cases { traffic.created.push(c.number) } }
        }
        let commands = ControlCommands(runtime: runtime, configFile: config, log: recent)
        commands.rebootCommand = settings.rebootCommand
        commands.shutdownCommand = settings.shutdownCommand
        let control: ControlServer
        do { control = try ControlServer(path: settings.controlSocketPath) } catch { throw CommandFailure("\(error)") }
        defer { control.stop() }
        var uplink: UplinkRunner?
        if settings.uplink.enabled {
            do { uplink = try UplinkRunner(service: UplinkService(config: settings)) } catch { throw CommandFailure("\(error)") }
            log("uplink serving on \(settings.uplink.host):\(uplink!.port) (\(settings.uplink.plainHTTP ? "plain HTTP, loopback only" : "mutual TLS"))")
        }
        defer { uplink?.stop() }
        var lastUplinkHousekeeping = Date.distantPast, lastPrune = Date.distantPast
        log("box up: \(settings.lines) \(settings.hardware.name) lines, flow \"\(runtime.switchboard.flow.name)\", data in \(settings.dataDirectory)"
            + (settings.demoTraffic && runtime.exchange != nil ? ", demo callers on" : ""))
        signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
        // A parent may have started us with these blocked (Foundation's Process passes its
        // thread's mask on); systemd's stop must always reach us.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)

        let started = Date()
        let notifier = SystemdNotifier()
        let watchdog = Watchdog(notifier: notifier, now: started.timeIntervalSince1970)
        var flowModified = Self.modified(runtime.content.flowFile)
        var lastCheck = Date()
        if !virtual {
            let report = runtime.loop.start(realTime: true)
            for warning in [report.schedFIFO, report.memoryLocked].compactMap({ $0 }) { log("warning: \(warning)") }
        }
        var panel: PanelDriver?
        if let panelConfig = settings.panel {
            do { panel = try PanelDriver(gpio: LibgpiodGPIO(), config: panelConfig) } catch { log("warning: front panel not available: \(error)") }
        }
        var lastPanelUpdate = Date.distantPast
        var restartRequested = false
        notifier.send("READY=1\nSTATUS=answering on \(settings.lines) lines")
        while !stopRequested.load(ordering: .relaxed) && Date().timeIntervalSince(started) < (seconds ?? .infinity) {
            if watchdog.tick(now: Date().timeIntervalSince1970, heartbeat: runtime.loop.heartbeat.load(ordering: .relaxed)) {
                log("frame loop stalled: watchdog pings stopped")
            }
            if virtual { runtime.step() } else {
                runtime.switchboard.poll()
                usleep(5000)
            }
            control.serve { request in commands.execute(request.line) { control.reply(request, $0) } }
            commands.tick()
            if let panel, Date().timeIntervalSince(lastPanelUpdate) > 0.05 {
                lastPanelUpdate = Date()
                if panel.update(commands.panelStatus(fault: watchdog.stalled)) && !restartRequested {
                    restartRequested = true
                    log("front button held: restarting")
                    stopRequested.store(true, ordering: .relaxed)
                }
            }
            if let service = uplink?.service {
                for kind in service.pushed.withLock({ list in defer { list.removeAll() }; return list }) {
                    if let problem = runtime.applyPushed(kind) { log("pushed \(kind.rawValue) not put into force: \(problem)") } else {
                        log("pushed \(kind.rawValue) in force from now on: \(runtime.content.store.active(kind)?.generation ?? "?")")
                    }
                }
                if Date().timeIntervalSince(lastUplinkHousekeeping) > 1 {
                    lastUplinkHousekeeping = Date()
                    service.lines.withLock { $0 = commands.lineSummaries() }
                    if lastUplinkHousekeeping.timeIntervalSince(lastPrune) > 3600 {
                        lastPrune = lastUplinkHousekeeping
                        service.pruneExpired()
                    }
                }
            }
            if Date().timeIntervalSince(lastCheck) > 2 {
                lastCheck = Date()
                let now = Self.modified(runtime.content.flowFile)
                if now != flowModified {
                    flowModified = now
                    switch runtime.reloadFlow() {
                    case .success(let flow): log("flow reloaded: \"\(flow.name)\"")
                    case .failure(let problems): log("flow not reloaded, the running one is kept:\n\(problems)")
                    }
                }
            }
        }
        notifier.send("STOPPING=1")
        if !virtual { runtime.loop.stop() }
        runtime.shutdown()
        if let alsa = runtime.loop.backend as? AlsaGpioBackend { log("ALSA xruns recovered: \(alsa.xruns.load(ordering: .relaxed))") }
        if let dahdi = runtime.loop.backend as? DahdiBackend { log("DAHDI short reads or failed writes: \(dahdi.slips.load(ordering: .relaxed))") }
        log("box down after \(Int(Date().timeIntervalSince(started))) s; \(runtime.switchboard.finished.count) calls ended")
        // systemd's Restart=always brings the box back after a requested restart.
        if restartRequested { throw ExitCode(75) }
    }

    private static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
