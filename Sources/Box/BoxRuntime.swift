import DSP
import Foundation
import HotlineModel
import IVR
import LineDriver
import LineSimulator
import LocalDB
import SystemSupport

/// Everything the box runs on, built from a config: content (prompts, documents, flow), the
/// case store, the recorder, the lines (simulated exchange, DAHDI or ALSA+GPIO) with their frame
/// loop, and the switchboard. `simulate` drives it in virtual time; `run` in real time.
package final class BoxRuntime {
    package let config: BoxConfig
    /// The simulated exchange, when the lines are simulated.
    package let exchange: SimulatedExchange?
    package let loop: FrameLoop
    package let store: CaseStore
    private let diskMonitor: DiskMonitor?
    package let recorder: CallRecorder
    package let switchboard: Switchboard
    package let dataDirectory: String
    package let content: ActiveContent

    /// The configured hardware's backend, or nil for simulated lines.
    package static func openHardware(_ hardware: BoxConfig.LineHardware, gpio: @autoclosure () -> GPIO = LibgpiodGPIO(),
                             log: (String) -> Void) throws -> LineBackend? {
        switch hardware {
        case .simulated:
            return nil
        case .dahdi(let channels):
            let dahdi = try DahdiBackend(channels: channels)
            dahdi.echoCancelWarnings.forEach { log("warning: \($0)") }
            return dahdi
        case .alsa(let lines, let paced):
            return try AlsaGpioBackend(lines: lines, gpio: gpio(), pacedByDevice: paced)
        }
    }

    package init(config: BoxConfig, startedAt: Date = Date(), realTime: Bool, gpio: @autoclosure () -> GPIO = LibgpiodGPIO(),
         log fieldLog: @escaping (String, LogFields) -> Void) throws {
        let log = { (line: String) in fieldLog(line, .of(line)) }
        self.config = config
        dataDirectory = config.dataDirectory
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        content = ActiveContent(store: ContentStore(dataDirectory: dataDirectory), config: config)
        // Content the central office pushed is in force over the config's.
        let prompts = try content.prompts { log("warning: \($0)") }
        let documents = try content.store.active(.documents) != nil
            ? content.documents()
            : FaxTextRenderer.renderDocuments(from: config.documentsDirectory, into: content.documentDirectory)
        let calendar = try content.calendar()
        let flow = try FlowLoader.load(file: content.flowFile, prompts: prompts.names, documents: Set(documents.keys),
                                      services: Set(calendar.services.keys)).get()
        let callbackFlow = try Self.callbackFlow(config, prompts: prompts.names, documents: Set(documents.keys), services: Set(calendar.services.keys),
                                                 log: log)
        store = try CaseStore(path: "\(dataDirectory)/cases.sqlite", prefix: config.nodePrefix, waits: .callPath)
        recorder = CallRecorder()
        let backend: LineBackend
        if let hardware = try Self.openHardware(config.hardware, gpio: gpio(), log: log) {
            exchange = nil
            backend = hardware
        } else {
            let exchange = SimulatedExchange(lines: config.lines)
            self.exchange = exchange
            backend = exchange
        }
        var channelConfig = ChannelConfig()
        channelConfig.supervision = config.supervision
        channelConfig.echoCanceller = EchoCancellerConfig(tailMs: config.echoCanceller.tailMs,
                                                          channels: config.echoCanceller.channels(backend.kind, count: backend.channelCount))
        loop = FrameLoop(backend: backend, config: channelConfig)
        let loop = self.loop
        let clock: () -> Int = realTime
            ? { loop.heartbeat.load(ordering: .relaxed) * LineFrame.milliseconds }
            : { SampleClock.ms(loop.now) }
        let monitor = config.diskFreeBytes == nil ? DiskMonitor(path: dataDirectory) : nil
        diskMonitor = monitor
        // Real time stamps records with the system's clock and watches it against boot time;
        // virtual time has a wall clock of its own that runs with line time.
        let virtualWall = config.virtualWallClock ?? { ms in startedAt.addingTimeInterval(Double(ms) / 1000) }
        let wallClock = realTime
            ? WallClock(wall: { Date() }, monotonic: BootClock.seconds)
            : WallClock(wall: { virtualWall(clock()) }, monotonic: { Double(clock()) / 1000 })
        switchboard = try Switchboard(loop: loop, store: store, recorder: recorder, prompts: prompts, documents: documents, flow: flow,
                                      callbackFlow: callbackFlow, calendar: calendar, config: config, dataDirectory: dataDirectory, clock: wallClock, nowMs: clock,
                                      diskFreeBytes: config.diskFreeBytes ?? { monitor?.freeBytes ?? Int.max })
        switchboard.onLog = fieldLog
        let recovered = try CrashRecovery.run(store: store, recordings: switchboard.recordingsDirectory, faxes: switchboard.faxDirectory, now: switchboard.timestamp(0))
        if !recovered.isEmpty {
            log("recovered after an unclean stop: \(recovered.callsClosed) calls closed, "
                + "\(recovered.messagesKept.count) cut-off messages kept as incomplete cases \(recovered.messagesKept.joined(separator: " ")), "
                + "\(recovered.callRecordingsKept) call recordings attached, \(recovered.recordingsCut) recordings cut to their audio, "
                + "\(recovered.faxesKept.count) faxes kept as incomplete cases \(recovered.faxesKept.joined(separator: " ")), "
                + "\(recovered.outboundResumed) outbound jobs cut off on a line queued again")
        }
    }

    /// The call-back's flow, checked as the inbound one is; nil (call-backs off, and said so)
    /// when the config names none and there is none beside the inbound flow.
    private static func callbackFlow(_ config: BoxConfig, prompts: Set<String>, documents: Set<String>, services: Set<String>,
                                     log: (String) -> Void) throws(SourceErrors) -> Flow? {
        let (file, required) = config.callbackFlowFile
        guard required || FileManager.default.fileExists(atPath: file) else {
            log("warning: \(file): no call-back flow; the box makes no call-backs (name one with outbound: callback_flow:)")
            return nil
        }
        return try FlowLoader.load(file: file, prompts: prompts, documents: documents, services: services).get()
    }

    /// Reloads the flow file in force and the call-back's flow; either with problems is
    /// refused, and the running flows are both kept.
    package func reloadFlow() -> Result<Flow, SourceErrors> {
        let result = FlowLoader.load(file: content.flowFile, prompts: switchboard.prompts.names, documents: Set(switchboard.documents.keys),
                                     services: Set(switchboard.calendar.services.keys))
        let callback = Result { () throws(SourceErrors) -> Flow? in
            try Self.callbackFlow(config, prompts: switchboard.prompts.names, documents: Set(switchboard.documents.keys),
                                  services: Set(switchboard.calendar.services.keys), log: { switchboard.log($0, LogFields(.warning)) })
        }
        switch (result, callback) {
        case (.success(let flow), .success(let callbackFlow)):
            switchboard.replaceFlow(flow)
            switchboard.replaceCallbackFlow(callbackFlow)
            return result
        case (.failure(let a), .failure(let b)): return .failure(SourceErrors(errors: a.errors + b.errors))
        case (.failure, _): return result
        case (_, .failure(let b)): return .failure(b)
        }
    }

    /// Puts content the uplink has just switched on disk into force for calls from now on.
    /// The push was checked against what is in force, so a failure here means the disk changed
    /// under us; the running content is kept and the reason returned.
    package func applyPushed(_ kind: ContentKind) -> String? {
        do {
            switch kind {
            case .flow: _ = try reloadFlow().get()
            case .prompts: switchboard.replacePrompts(try content.prompts { switchboard.log("warning: \($0)", LogFields(.warning)) })
            case .documents: switchboard.replaceDocuments(try content.documents())
            case .calendar:
                // The hours are spoken from the new calendar before either is in force.
                let calendar = try content.calendar()
                let prompts = try content.prompts { switchboard.log("warning: \($0)", LogFields(.warning)) }
                switchboard.replaceCalendar(calendar)
                switchboard.replacePrompts(prompts)
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// One frame of virtual time and the events it produced. Virtual time outruns the recorder's
    /// writer thread, so the rings are drained here too, every half second of line time.
    package func step() {
        loop.step()
        switchboard.poll()
        if loop.frame % 25 == 0 { recorder.pass() }
    }

    package func shutdown() {
        recorder.shutdown()
        diskMonitor?.stop()
    }
}
