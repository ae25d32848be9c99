import Foundation
import SystemTestSupport
import Testing
import TestSupport

/// Each example scenario in scenarios/ gives the outcome docs/SIMULATE.md says it does.
@Suite(.tags(.system), .skippedInFastRun) struct ExampleScenarioTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String
        var dispositions: [String]
        var caseKinds: [String]
        var disconnects: [String]
        /// The call-backs' jobs and the fax jobs: each one's attempt results, outcome and rating.
        var callbacks: [Job] = []
        var faxJobs: [Job] = []
        var testDescription: String { file }
    }

    struct Job: Sendable {
        var attempts: [String]
        var outcome: String
        var rating: String? = nil
    }

    /// The complaint every call-back example starts with.
    static func callbackExample(_ file: String, _ callback: Job) -> Expected {
        .init(file: file, dispositions: ["case_created"], caseKinds: ["complaint"], disconnects: ["loop_current_lost"], callbacks: [callback])
    }

    static let examples: [Expected] = [
        .init(file: "complaint", dispositions: ["case_created"], caseKinds: ["complaint"], disconnects: ["loop_current_lost"]),
        .init(file: "complaint-replay-cancel", dispositions: ["answered"], caseKinds: [], disconnects: ["loop_current_lost"]),
        .init(file: "mailbox", dispositions: ["case_created"], caseKinds: ["mayor_mailbox"], disconnects: ["busy_tone"]),
        .init(file: "query", dispositions: ["case_created", "answered"], caseKinds: ["complaint"], disconnects: ["loop_current_lost", "loop_current_lost"]),
        .init(file: "consultation-fax", dispositions: ["fax_sent"], caseKinds: [], disconnects: ["loop_current_lost"]),
        .init(file: "survey", dispositions: ["case_created"], caseKinds: ["survey"], disconnects: ["polarity_reversal"]),
        .init(file: "fax-callers", dispositions: ["fax_received", "fax_received"], caseKinds: ["fax", "fax"], disconnects: ["local", "local"]),
        .init(file: "manual-and-timeouts", dispositions: ["answered", "answered"], caseKinds: [], disconnects: ["loop_current_lost", "local"]),
        .init(file: "hangup-while-recording", dispositions: ["case_created"], caseKinds: ["complaint"], disconnects: ["loop_current_lost"]),
        callbackExample("callback-rated", .init(attempts: ["answered"], outcome: "rated", rating: "1")),
        callbackExample("callback-retries", .init(attempts: ["busy", "no_answer", "answered"], outcome: "rated", rating: "2")),
        callbackExample("callback-answering-machine", .init(attempts: ["answered"], outcome: "heard_by_machine")),
        callbackExample("callback-unhappy", .init(attempts: ["answered"], outcome: "rated", rating: "3")),
        // Turned away at the first attempt, then cancelled before the second.
        callbackExample("callback-cancelled", .init(attempts: ["rejected"], outcome: "cancelled")),
        .init(file: "fax-to-keyed-number", dispositions: ["answered"], caseKinds: [], disconnects: ["loop_current_lost"],
              faxJobs: [.init(attempts: ["busy", "answered"], outcome: "sent")]),
    ]

    @Test func everyExampleIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(SimulationRig.repository)/scenarios").filter { $0.hasSuffix(".json") }
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(Self.examples.map(\.file)))
    }

    @Test(arguments: examples)
    func exampleRunsAsDocumented(expected: Expected) throws {
        let json = try String(contentsOfFile: "\(SimulationRig.repository)/scenarios/\(expected.file).json", encoding: .utf8)
        let report = try SimulationRig.run(json).report
        #expect(report.calls.map(\.disposition) == expected.dispositions)
        #expect(report.calls.flatMap { $0.cases.map(\.kind) } == expected.caseKinds)
        #expect(report.calls.map { $0.disconnectReason ?? "" } == expected.disconnects)
        #expect(report.calls.allSatisfy { $0.heardWAV != nil && $0.callerWaitsTimedOut.isEmpty })
        if expected.file == "query" { #expect(report.calls[1].promptNames.contains("status_in_progress")) }
        #expect(report.callbacks.map { $0.attempts.map { $0.result ?? "" } } == expected.callbacks.map(\.attempts))
        #expect(report.callbacks.map(\.outcome) == expected.callbacks.map(\.outcome))
        #expect(report.callbacks.map(\.rating) == expected.callbacks.map(\.rating))
        #expect(report.callbacks.allSatisfy { $0.case == report.calls.first?.cases.first?.number })
        #expect(report.faxJobs.map { $0.attempts.map { $0.result ?? "" } } == expected.faxJobs.map(\.attempts))
        #expect(report.faxJobs.map(\.outcome) == expected.faxJobs.map(\.outcome))
        #expect(report.faxJobs.allSatisfy { $0.outcome != "sent" || ($0.pages ?? 0) > 0 })
    }
}
