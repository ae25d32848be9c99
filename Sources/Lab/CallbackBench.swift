import ArgumentParser
import Box
import DSP
import Foundation
import LineSimulator
import SystemSupport

/// `bench callbacks`: a district's day (08:30-21:00 Beijing, the default calling window) of
/// callers on a hunt group of lines, run through the whole box in line time twice, once with
/// call-backs scheduled through the day and once without, so the figures say what call-backs
/// cost the callers.
package struct CallbackBench: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "callbacks",
        abstract: "A day of callers on a hunt group, with and without scheduled call-backs: call-backs done in their window, callers who found every line busy, the delay to an answer.")

    @Option(help: "Call-backs scheduled through the day.") package var callbacks = 100
    @Option(help: "Lines of the hunt group.") package var lines = 4
    @Option(help: "Callers through the day.") package var inbound = 400
    @Option(help: "Hours of the day from 08:30 to run (12.5: until 21:00, the whole window).") package var hours = 12.5
    @Option(help: "Seed of the day's randomness (arrival times, callers, callees).") package var seed: UInt64 = 1
    @Option(help: "Keep the spoken prompt pack here (shared between runs).") package var promptCache: String?
    @Option(help: "Work directory (default: a temporary one, removed).") package var data: String?
    @Flag(help: "Print JSON.") package var json = false

    package func validate() throws {
        guard (1...1000).contains(callbacks) else { throw ValidationError("--callbacks must be 1-1000") }
        guard (2...24).contains(lines) else { throw ValidationError("--lines must be 2-24") }
        guard (1...5000).contains(inbound) else { throw ValidationError("--inbound must be 1-5000") }
        guard hours.isFinite, (0.5...12.5).contains(hours) else { throw ValidationError("--hours must be 0.5-12.5") }
    }

    static let dayStart = "2026-12-07T08:30:00+08:00"

    package struct Report: Codable {
        package var lines: Int
        package var inbound: Int
        package var callbacks: Int
        package var completedInWindow: Int
        package var outcomes: [String: Int]
        package var blockedWith: Int
        package var blockedWithout: Int
        package var meanDelayS: Double
        package var p90DelayS: Double
        package var lineHours: Double
        package var wallSeconds: Double
        package var cpuSeconds: Double

        var text: String {
            let o = outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            return """
                \(inbound) callers and \(callbacks) call-backs on \(lines) lines from 08:30 (expiring at the end of the day; \(String(format: "%.1f", lineHours)) h of line time per run)
                call-backs completed inside their window: \(completedInWindow) of \(callbacks) (\(o))
                callers who found every line busy: \(blockedWith) with call-backs, \(blockedWithout) without
                delay from scheduling to the answered attempt: mean \(String(format: "%.0f", meanDelayS)) s, 90th percentile \(String(format: "%.0f", p90DelayS)) s
                \(String(format: "%.0f", wallSeconds)) s wall, \(String(format: "%.0f", cpuSeconds)) s CPU for both runs
                """
        }
    }

    package func run() throws {
        let scratch = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("bench-callbacks-\(getpid())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { if data == nil { try? FileManager.default.removeItem(atPath: scratch) } }
        let speech = "\(scratch)/complaint.wav"
        try WAVFile.write(try Espeak.speak("小区门口的路灯坏了三个星期,晚上很不安全,请尽快修理。"), to: speech)
        var random = SeededGenerator(seed: seed)
        let day = Day(inbound: inbound, callbacks: callbacks, dayMs: Int(hours * 3_600_000), speech: speech, random: &random)

        let started = Date(), cpu = LineBench.processCPUSeconds()
        let with = try simulate(day.scenario(withCallbacks: true), in: "\(scratch)/with")
        let without = try simulate(day.scenario(withCallbacks: false), in: "\(scratch)/without")
        let delays = with.callbacks.enumerated().compactMap { i, job -> Double? in
            job.attempts.last { $0.result == "answered" }.map { Double($0.startMs - day.scheduledMs[i]) / 1000 }
        }.sorted()
        var outcomes: [String: Int] = [:]
        for job in with.callbacks { outcomes[job.outcome ?? "queued", default: 0] += 1 }
        let report = Report(lines: lines, inbound: inbound, callbacks: callbacks,
                            completedInWindow: with.callbacks.filter { ["rated", "heard", "heard_by_machine"].contains($0.outcome ?? "") }.count,
                            outcomes: outcomes, blockedWith: with.summary.blocked ?? 0, blockedWithout: without.summary.blocked ?? 0,
                            meanDelayS: delays.isEmpty ? 0 : delays.reduce(0, +) / Double(delays.count),
                            p90DelayS: delays.isEmpty ? 0 : delays[min(delays.count - 1, delays.count * 9 / 10)],
                            lineHours: with.summary.lineSeconds / 3600, wallSeconds: Date().timeIntervalSince(started),
                            cpuSeconds: LineBench.processCPUSeconds() - cpu)
        if json { try printJSON(report) } else { print(report.text) }
    }

    private func simulate(_ json: String, in directory: String) throws -> SimulationReport {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = "\(directory)/scenario.json"
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        var config = BoxConfig()
        config.dataDirectory = directory
        config.lines = lines
        config.demoTraffic = false
        config.wholeCallRecording = false
        if let promptCache { config.promptCache = promptCache }
        var simulation = Simulation(scenario: try Scenario.load(file), config: config, verbose: false)
        simulation.keepsHeard = false
        return try simulation.run()
    }

    /// The day's callers and call-backs, drawn once and run both ways.
    struct Day {
        var calls: [String] = []
        var scheduledMs: [Int] = []
        var central: [String] = []
        var callees: [String] = []

        init(inbound: Int, callbacks: Int, dayMs: Int, speech: String, random: inout SeededGenerator) {
            let menu = { (key: String) in
                #"{"do": "wait_for_prompt"}, {"do": "wait", "ms": 1000}, {"do": "dtmf", "digits": "2"}, {"do": "wait", "ms": 1500}, {"do": "dtmf", "digits": "\#(key)"}"#
            }
            let complaint = menu("2") + #"""
                , {"do": "wait_for_beep"}, {"do": "play", "wav": "\#(speech)"}, {"do": "dtmf", "digits": "#"},
                {"do": "wait_for_prompt"}, {"do": "wait", "ms": 800}, {"do": "dtmf", "digits": "1"},
                {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000}, {"do": "hang_up", "how": "loop_drop"}
                """#
            let query = menu("3") + #"""
                , {"do": "wait", "ms": 1500}, {"do": "dtmf_case_number", "case": 0},
                {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 1000}, {"do": "dtmf", "digits": "1"},
                {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000}, {"do": "hang_up", "how": "loop_drop"}
                """#
            let hangsUp = #"{"do": "wait", "ms": 4000}, {"do": "hang_up", "how": "loop_drop"}"#
            // The first caller leaves the complaint every query and call-back is about.
            let times = [0] + (1..<inbound).map { _ in 60_000 + Int(random.next() % UInt64(dayMs - 10 * 60_000)) }.sorted()
            for (i, at) in times.enumerated() {
                let roll = i == 0 ? 0 : random.next() % 10
                let script = roll < 5 ? complaint : roll < 8 ? query : hangsUp
                calls.append(#"{"line": 0, "at_ms": \#(at), "caller_id": {"number": "138\#(String(format: "%08d", i))"}, "script": [\#(script)]}"#)
            }
            let rates = #"""
                {"do": "wait_for_prompt"}, {"do": "wait", "ms": 2000}, {"do": "dtmf", "digits": "1"},
                {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 2500}, {"do": "dtmf", "digits": "1"},
                {"do": "wait_for_prompt"}, {"do": "wait_for_silence", "ms": 3000}, {"do": "hang_up", "how": "loop_drop"}
                """#
            scheduledMs = (0..<callbacks).map { _ in 5 * 60_000 + Int(random.next() % UInt64(max(60_000, dayMs - 65 * 60_000))) }.sorted()
            for (i, at) in scheduledMs.enumerated() {
                let number = "139\(String(format: "%08d", i))"
                let untilNine = max(600, (dayMs - at) / 1000)
                central.append(#"{"at_ms": \#(at), "schedule_callback": {"id": "bench-\#(i)", "case": 0, "number": "\#(number)", "status": "closed", "expires_after_s": \#(untilNine)}}"#)
                // Most answer and rate; some are busy or out at first; a few have a machine.
                switch random.next() % 20 {
                case 0..<3: callees.append(#"{"number": "\#(number)", "behaviour": "busy", "times": 1}"#)
                case 3..<5: callees.append(#"{"number": "\#(number)", "behaviour": "no_answer", "times": 1}"#)
                case 5: callees.append(#"{"number": "\#(number)", "behaviour": "answering_machine"}"#); continue
                default: break
                }
                callees.append(#"{"number": "\#(number)", "behaviour": "answer", "script": [\#(rates)]}"#)
            }
        }

        func scenario(withCallbacks: Bool) -> String {
            let extra = withCallbacks ? #", "central": [\#(central.joined(separator: ",\n"))], "callees": [\#(callees.joined(separator: ",\n"))]"# : ""
            return #"{"hunt_group": true, "starts_at": "\#(CallbackBench.dayStart)", "max_call_ms": 900000, "calls": [\#(calls.joined(separator: ",\n"))]\#(extra)}"#
        }
    }
}
