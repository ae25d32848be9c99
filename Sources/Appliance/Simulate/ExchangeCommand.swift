import ArgumentParser
import DSP
import Foundation
import LineDriver
import LocalDB

/// `appliance exchange`: scenario callers on the exchange's side of DAHDI channels, calling a
/// box that runs on the other side (the VM test stage; a technician's bench with two looped
/// spans). Prints one JSON line per call as it ends.
struct ExchangeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange",
        abstract: "Run a scenario's callers over DAHDI channels with exchange-side (fxoks) signalling.")

    @Option(help: "Exchange-side DAHDI channels, one per box line, e.g. 25-28.") var dahdi: String
    @Option(help: "The scenario (JSON, docs/SIMULATE.md).") var scenario: String
    @Option(help: "The box's case store, for callers who key a case number.") var boxData: String?
    @Option(help: "Give up after this many seconds.") var timeout = 600.0

    func run() throws {
        let parts = dahdi.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] <= parts[1] else { throw CommandFailure("--dahdi must be a range like 25-28") }
        let spec = try Scenario.load(scenario)
        let port = try DahdiExchangePort(channels: Array(parts[0]...parts[1]))
        let exchange = SimulatedExchange(lines: port.channels.count)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        // The box's cases, for callers who key a case number (read as each call is placed).
        let box = try boxData.map { try CaseStore(path: "\($0)/cases.sqlite", prefix: NodePrefix("1")!) }
        var pending = spec.calls.indices.sorted { spec.calls[$0].atMs < spec.calls[$1].atMs }[...]
        var ended = 0
        var frame = 0
        let started = Date()
        while ended < spec.calls.count {
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
                ended += 1
                let line: [String: Any] = ["line": record.line, "placed_ms": record.placedAt / 8, "answered_ms": record.answeredAt.map { $0 / 8 } ?? NSNull(),
                                           "rings": record.rings, "steps": record.completedSteps, "timed_out_steps": record.timedOutSteps,
                                           "box_on_hook_ms": record.boxOnHookAt.map { $0 / 8 } ?? NSNull(),
                                           "fax_pages": record.faxResult?.pages ?? NSNull()]
                print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
            }
            if Date().timeIntervalSince(started) > timeout { throw CommandFailure("\(spec.calls.count - ended) calls still going after \(Int(timeout)) s") }
        }
    }
}
