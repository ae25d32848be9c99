import ArgumentParser
import DSP
import Foundation
import HotlineModel
import LineDriver
import LineSimulator
import LocalDB
import SystemSupport

/// `appliance exchange`: scenario callers on the exchange's side of DAHDI channels, or of an ALSA
/// loopback card and a simulated GPIO chip, calling a box that runs on the other side (the VM
/// test stage; a technician's bench with two looped spans). Prints one JSON line per call as it
/// ends.
package struct ExchangeCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "exchange",
        abstract: "Run a scenario's callers over DAHDI channels (fxoks signalling), or over snd-aloop and gpio-sim for an ALSA+GPIO box.")

    @Option(help: "Exchange-side DAHDI channels, one per box line, e.g. 25-28.") package var dahdi: String?
    @Option(help: "ALSA+GPIO box, one line: the PCM the exchange plays into (the box captures its other end).") package var alsaPlayback: String?
    @Option(help: "ALSA+GPIO box: the PCM the exchange captures the box's playback from.") package var alsaCapture: String?
    @Option(help: "ALSA+GPIO box: the gpio-sim chip's sysfs directory (…/gpio-sim.N/gpiochipM).") package var gpioSim: String?
    @Option(help: "gpio-sim offsets of the box's hook relay, ring detect and loop sense (loop optional).") package var simLines = "0,1,2"
    @Option(help: "The scenario (JSON, docs/SIMULATE.md).") package var scenario: String
    @Option(help: "The box's case store, for callers who key a case number.") package var boxData: String?
    @Option(help: "Give up after this many seconds.") package var timeout = 600.0
    @Option(help: "Also wait for this many calls the box places (call-backs, fax jobs) to end.") package var outbound = 0

    package func run() throws {
        let spec = try Scenario.load(scenario)
        let port = try openPort()
        let exchange = SimulatedExchange(lines: port.lineCount)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        // The box's cases, for callers who key a case number (read as each call is placed).
        let box = try boxData.map { try CaseStore(path: "\($0)/cases.sqlite", prefix: NodePrefix("1")!) }
        try spec.installCallees(on: exchange, directory: work)
        var pending = spec.calls.indices.sorted { spec.calls[$0].atMs < spec.calls[$1].atMs }[...]
        var (ended, endedOutbound) = (0, 0)
        var frame = 0
        let started = Date()
        while ended < spec.calls.count || endedOutbound < outbound {
            let now = frame * LineFrame.milliseconds
            while let next = pending.first, spec.calls[next].atMs <= now {
                pending = pending.dropFirst()
                let call = spec.calls[next]
                let numbers = try box?.cases().map(\.number.digits) ?? []
                try exchange.schedule(try spec.simulatedCall(next, directory: work, caseNumbers: numbers, listens: false), line: call.line, atMs: now)
            }
            port.step(exchange)
            frame += 1
            while let record = exchange.finishedCalls.pop() {
                if record.outbound { endedOutbound += 1 } else { ended += 1 }
                let line: [String: Any] = ["line": record.line, "outbound": record.outbound, "dialled": record.dialled, "placed_ms": record.placedAt / 8, "answered_ms": record.answeredAt.map { $0 / 8 } ?? NSNull(),
                                           "rings": record.rings, "steps": record.completedSteps, "timed_out_steps": record.timedOutSteps,
                                           "box_on_hook_ms": record.boxOnHookAt.map { $0 / 8 } ?? NSNull(),
                                           "fax_pages": record.faxResult?.pages ?? NSNull()]
                print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
            }
            if Date().timeIntervalSince(started) > timeout {
                throw CommandFailure("\(spec.calls.count - ended) calls and \(max(0, outbound - endedOutbound)) of the box's still going after \(Int(timeout)) s")
            }
        }
    }

    private func openPort() throws -> ExchangePort {
        if let dahdi {
            let parts = dahdi.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2, parts[0] <= parts[1] else { throw CommandFailure("--dahdi must be a range like 25-28") }
            do { return try DahdiExchangePort(channels: Array(parts[0]...parts[1])) } catch { throw CommandFailure("\(error)") }
        }
        guard let alsaPlayback, let alsaCapture, let gpioSim else {
            throw CommandFailure("give --dahdi, or --alsa-playback, --alsa-capture and --gpio-sim")
        }
        let offsets = simLines.split(separator: ",").map { Int($0) }
        guard (2...3).contains(offsets.count), offsets.allSatisfy({ $0 != nil && $0! >= 0 }) else {
            throw CommandFailure("--sim-lines must be hook,ring[,loop] offsets, e.g. 0,1,2")
        }
        let sim = offsets.map { LoopbackExchangePort.SimulatedGPIOLine(directory: "\(gpioSim)/sim_gpio\($0!)") }
        guard FileManager.default.fileExists(atPath: sim[0].directory) else { throw CommandFailure("--gpio-sim: no \(sim[0].directory)") }
        let line = LoopbackExchangePort.Line(playback: alsaPlayback, capture: alsaCapture, hookRelay: sim[0], ringDetect: sim[1],
                                             loopSense: sim.count > 2 ? sim[2] : nil)
        do { return try LoopbackExchangePort(lines: [line]) } catch { throw CommandFailure("\(error)") }
    }
}
