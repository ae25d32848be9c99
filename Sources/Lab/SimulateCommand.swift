import ArgumentParser
import Box
import DSP
import Foundation
import HotlineModel
import LineDriver
import LineSimulator
import LocalDB
import SystemSupport

package struct SimulateCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the whole box (flows, case DB, DSP) against simulated callers in virtual time and report what happened.",
        discussion: "Scenario and report formats: docs/SIMULATE.md. Examples: scenarios/.")

    @Argument(help: "Scenario file (JSON).") package var scenario: String
    @Option(help: "Where the box keeps its data (cases.sqlite, recordings, faxes, heard audio).") package var data = "var/simulate"
    @Option(help: "Write the report (JSON) here; without it a summary is printed.") package var report: String?
    @Option(help: "Box config (YAML); default: the embedded one.") package var config: String?
    @Option(help: "Keep the spoken prompt pack here (shared between runs).") package var promptCache: String?
    @Flag(help: "Print one log line per call outcome.") package var verbose = false

    package func run() throws {
        let spec = try Scenario.load(scenario)
        var settings = try BoxConfig.forCommand(config)
        settings.dataDirectory = data
        settings.lines = spec.lines ?? settings.lines
        settings.demoTraffic = false
        if let promptCache { settings.promptCache = promptCache }
        let result: SimulationReport
        do { result = try Simulation(scenario: spec, config: settings, verbose: verbose).run() } catch let e as CommandFailure { throw e } catch {
            throw CommandFailure("\(error)")
        }
        if let report {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(result).write(to: URL(fileURLWithPath: report))
        }
        print(result.summary.text)
    }
}

package struct SimulationReport: Codable {
    package struct Call: Codable {
        package var line: Int
        package var startMs: Int
        package var callerNumber: String?
        package var answeredMs: Int?
        package var endedMs: Int?
        package var disposition: String
        package var disconnectReason: String?
        package var path: [String]
        package var digits: String
        package var prompts: [CallSummary.PromptPlayed]
        package var cases: [CallSummary.CaseMade]
        package var fax: FaxResult?
        package var callerFax: FaxResult?
        package var callRecording: String?
        package var heardWAV: String?
        package var callerWaitsTimedOut: [Int]
        package var farEndHungUpMs: Int?
        /// When the box went on-hook, as the exchange saw it.
        package var boxHungUpMs: Int?
        /// Digits the exchange heard the box dial (a transfer after a hook flash).
        package var boxDialled: String?
        /// How the box saw its transfer go (`answered`, `busy`, `no_answer`, …).
        package var transfer: String?
        /// The number the exchange joined the caller to when the box hung up on a consultation.
        package var transferredTo: String?
        /// How often the box took the held caller back with a flash.
        package var callerRetrieved: Int
        /// A bridged transfer: the line the box called on, what it dialled there, and when the
        /// exchange saw that call answered and the box hang it up.
        package var bridge: Bridge?

        package struct Bridge: Codable {
            package var line: Int
            package var dialled: String
            package var answeredMs: Int?
            package var boxHungUpMs: Int?
        }
    }

    package struct Summary: Codable {
        package var calls: Int
        package var answered: Int
        package var casesCreated: Int
        package var dispositions: [String: Int]
        package var lineSeconds: Double
        package var wallSeconds: Double
        package var cpuSeconds: Double
        /// With a hunt group: calls that found every line busy (not placed, not in `calls`).
        package var blocked: Int?

        package var text: String {
            let d = dispositions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            return "\(calls) calls, \(answered) answered, \(casesCreated) cases created (\(d)); "
                + String(format: "%.0f s of line time in %.2f s wall, %.2f s CPU", lineSeconds, wallSeconds, cpuSeconds)
        }
    }

    package var calls: [Call]
    /// The call-backs the run scheduled, each with its attempts and how it ended.
    package var callbacks: [OutboundJobReport]
    /// The faxes callers asked to be sent to a number they keyed.
    package var faxJobs: [OutboundJobReport]
    package var summary: Summary
}

/// One job of the outbound queue as a run saw it; `outcome` is null while it is still queued.
package struct OutboundJobReport: Codable {
    package struct Attempt: Codable {
        package var startMs: Int
        package var line: Int
        package var result: String?
    }
    package var id: Int
    package var `case`: String?
    package var number: String
    package var attempts: [Attempt]
    package var outcome: String?
    package var rating: String?
    package var pages: Int?
}

/// One run of a scenario.
package struct Simulation {
    package var scenario: Scenario
    package var config: BoxConfig
    package var verbose: Bool
    /// How the central office's status changes reach the box: by default straight into the
    /// case store; tests send them through the uplink instead.
    package var centralStatus: ((AcceptanceNumber, CaseStatus) throws -> Void)?

    /// Keep what each caller heard (heardWAV); a long bench day does without.
    package var keepsHeard = true
    /// When the run started, on the host's clock.
    private let startedAt = Date()

    package init(scenario: Scenario, config: BoxConfig, verbose: Bool, centralStatus: ((AcceptanceNumber, CaseStatus) throws -> Void)? = nil) {
        self.scenario = scenario
        self.config = config
        self.verbose = verbose
        self.centralStatus = centralStatus
    }

    package func run() throws -> SimulationReport {
        let wallStart = startedAt
        let cpuStart = LineBench.processCPUSeconds()
        let runtime = try BoxRuntime(config: config, startedAt: scenario.startsAt ?? wallStart, realTime: false, log: { line, _ in if verbose { print(line) } })
        defer { runtime.shutdown() }
        guard let exchange = runtime.exchange else { throw CommandFailure("simulate needs simulated lines; this config names \(config.hardware.name) hardware") }
        let work = "\(config.dataDirectory)/scenario"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        for call in scenario.calls where !(0..<config.lines).contains(call.line) {
            throw CommandFailure("scenario: call on line \(call.line), but there are \(config.lines) lines")
        }
        try scenario.installCallees(on: exchange, directory: work)
        if let desk = scenario.desk {
            let behaviour = try desk.behaviour(directory: work)
            for line in 0..<config.lines {
                do {
                    try exchange.setCallee(behaviour, line: line)
                    try exchange.setFlashTransfer(desk.flashTransfer, line: line)
                } catch { throw CommandFailure("desk: \(error)") }
            }
        }

        let order = scenario.calls.indices.sorted { scenario.calls[$0].atMs < scenario.calls[$1].atMs }
        var pending = order[...]
        var central = (scenario.central ?? []).sorted { $0.atMs < $1.atMs }[...]
        var placed: [(index: Int, line: Int, at: Int)] = []
        var records: [SimulatedCallRecord] = []
        let lastStart = (scenario.calls.map(\.atMs) + (scenario.central ?? []).map(\.atMs)).max() ?? 0
        let maxCallMs = scenario.maxCallMs ?? 10 * 60_000
        var limitMs = lastStart + maxCallMs
        var queueOpen = false
        var blocked = 0

        while true {
            let now = SampleClock.ms(runtime.loop.now)
            while let next = pending.first, scenario.calls[next].atMs <= now {
                pending = pending.dropFirst()
                var line = scenario.calls[next].line
                if scenario.huntGroup {
                    guard let free = (0..<config.lines).first(where: exchange.isFree) else {
                        blocked += 1
                        continue
                    }
                    line = free
                }
                let numbers = try runtime.store.cases().map(\.number.digits)
                let placing = try scenario.simulatedCall(next, directory: work, caseNumbers: numbers, listens: keepsHeard)
                do { try exchange.schedule(placing, line: line, atMs: now) } catch { throw CommandFailure("calls[\(next)]: \(error)") }
                placed.append((next, line, now))
            }
            while let action = central.first, action.atMs <= now {
                central = central.dropFirst()
                try perform(action, runtime: runtime, at: now)
            }
            while let r = exchange.finishedCalls.pop() { records.append(r) }
            let done = pending.isEmpty && records.count >= placed.count && runtime.switchboard.activeCalls == 0
                && (0..<config.lines).allSatisfy { exchange.activeCall(line: $0) == nil }
            // Jobs still to be tried keep the run going until their next attempt has had its time:
            // looked at once a second, and again before the run would stop (a job queued since).
            func lookAtQueue() throws {
                let open = try runtime.store.outboundJobs().filter { $0.state != .done }
                queueOpen = !open.isEmpty
                if let next = open.map(\.nextAt).max() { limitMs = max(limitMs, Int(next.timeIntervalSince(start) * 1000) + maxCallMs) }
            }
            if now % 1000 == 0 { try lookAtQueue() }
            if done && central.isEmpty && !queueOpen { try lookAtQueue() }
            if (done && central.isEmpty && !queueOpen) || now > limitMs { break }
            runtime.step()
        }
        // Let the last recordings and CDRs settle.
        for _ in 0..<10 { runtime.step() }

        let heardDir = "\(config.dataDirectory)/heard"
        try FileManager.default.createDirectory(atPath: heardDir, withIntermediateDirectories: true)
        // The box's own calls are reported with their jobs, not as callers' calls.
        var summaries = runtime.switchboard.finished.filter { $0.job == nil }
        var calls: [SimulationReport.Call] = []
        for (n, p) in placed.enumerated() {
            let record = records.first { $0.line == p.line && SampleClock.ms($0.placedAt) >= p.at - 20 && SampleClock.ms($0.placedAt) <= p.at + 1000 }
            let boxIndex = summaries.firstIndex { $0.line == p.line }
            let box = boxIndex.map { summaries.remove(at: $0) }
            var heard: String?
            if let record, !record.heard.isEmpty {
                heard = "\(heardDir)/call-\(n).wav"
                try? record.writeHeard(to: heard!)
            }
            calls.append(.init(line: p.line, startMs: p.at, callerNumber: box?.callerNumber, answeredMs: box?.answeredAtMs, endedMs: box?.endedAtMs,
                               disposition: box?.disposition.rawValue ?? "not_seen_by_box", disconnectReason: box?.disconnectReason?.rawValue, path: box?.path ?? [],
                               digits: box?.digits ?? "", prompts: box?.prompts ?? [], cases: box?.cases ?? [], fax: box?.fax,
                               callerFax: record?.faxResult, callRecording: box?.callRecording, heardWAV: heard,
                               callerWaitsTimedOut: record?.timedOutSteps ?? [], farEndHungUpMs: record?.farEndHungUpAt.map(SampleClock.ms),
                               boxHungUpMs: record?.boxOnHookAt.map(SampleClock.ms), boxDialled: record.flatMap { $0.dialled.isEmpty ? nil : $0.dialled },
                               transfer: box?.transfer?.rawValue, transferredTo: record.flatMap { $0.transferredAt == nil ? nil : $0.dialled },
                               callerRetrieved: record?.callerRetrieved ?? 0, bridge: box?.bridgedLine.flatMap { bridge($0, after: p.at) }))
        }
        /// The box's own call on `line` for a caller's bridged transfer, as the exchange saw it.
        func bridge(_ line: Int, after ms: Int) -> SimulationReport.Call.Bridge? {
            records.first { $0.outbound && $0.line == line && SampleClock.ms($0.placedAt) >= ms }.map {
                .init(line: line, dialled: $0.dialled, answeredMs: $0.answeredAt.map(SampleClock.ms), boxHungUpMs: $0.boxOnHookAt.map(SampleClock.ms))
            }
        }
        var dispositions: [String: Int] = [:]
        for c in calls { dispositions[c.disposition, default: 0] += 1 }
        let summary = SimulationReport.Summary(
            calls: calls.count, answered: calls.filter { $0.answeredMs != nil }.count, casesCreated: calls.reduce(0) { $0 + $1.cases.count },
            dispositions: dispositions, lineSeconds: Double(runtime.loop.now) / Double(SampleClock.rate),
            wallSeconds: Date().timeIntervalSince(wallStart), cpuSeconds: LineBench.processCPUSeconds() - cpuStart,
            blocked: scenario.huntGroup ? blocked : nil)
        return SimulationReport(calls: calls, callbacks: try outboundReport(runtime.store, kind: .callback),
                                faxJobs: try outboundReport(runtime.store, kind: .fax), summary: summary)
    }

    /// The moment line time 0 stands for.
    private var start: Date { scenario.startsAt ?? startedAt }

    private func outboundReport(_ store: CaseStore, kind: OutboundJobKind) throws -> [OutboundJobReport] {
        try store.outboundJobs().filter { $0.request.kind == kind }.map { job in
            OutboundJobReport(id: job.id, case: job.request.caseNumber?.digits, number: job.request.number,
                              attempts: try store.outboundAttempts(job: job.id).map {
                                  .init(startMs: Int(($0.startedAt.timeIntervalSince(start) * 1000).rounded()), line: $0.line, result: $0.result)
                              },
                              outcome: job.outcome?.rawValue, rating: job.rating?.rawValue, pages: job.pages)
        }
    }

    /// One central office action, straight into the box's store (or, for statuses, as `centralStatus` sends them).
    private func perform(_ action: Scenario.CentralAction, runtime: BoxRuntime, at now: Int) throws {
        let numbers = try runtime.store.cases().map(\.number)
        let wall = runtime.switchboard.timestamp(now)
        func caseNumber(_ index: Int) throws -> AcceptanceNumber {
            guard index >= 0 && index < numbers.count else { throw CommandFailure("central action at \(action.atMs) ms: no case \(index) has been created by then") }
            return numbers[index]
        }
        switch action.action {
        case .setStatus(let set):
            guard let status = CaseStatus(rawValue: set.status) else { throw CommandFailure("central action at \(action.atMs) ms: unknown status \"\(set.status)\"") }
            let number = try caseNumber(set.caseIndex)
            if let centralStatus { try centralStatus(number, status) } else { _ = try runtime.store.setStatus(number, to: status, at: wall) }
        case .scheduleCallback(let s):
            let request = CallbackRequest(id: s.id ?? "scenario-\(action.atMs)-\(s.caseIndex)", caseNumber: try caseNumber(s.caseIndex), number: s.number,
                                          purpose: s.purpose ?? .result, status: s.status, note: s.note,
                                          expiresAt: s.expiresAfterS.map { wall.addingTimeInterval(Double($0)) }, attempts: s.attempts, retryAfterSeconds: s.retryAfterS)
            do {
                let queued = try request.queue(store: runtime.store, settings: config.outbound, notes: runtime.switchboard.notes, at: wall)
                if verbose { print("central: call-back job \(queued.job.id) for case \(request.caseNumber) to \(s.number)" + (queued.noteWarning.map { " (\($0))" } ?? "")) }
            } catch { throw CommandFailure("central action at \(action.atMs) ms: schedule_callback: \(error)") }
        case .cancelCallback(let c):
            guard let job = try runtime.store.outboundJob(clientID: c.id) else { throw CommandFailure("central action at \(action.atMs) ms: no call-back \"\(c.id)\"") }
            _ = try runtime.store.cancelOutbound(id: job.id, at: wall)
        }
    }
}
