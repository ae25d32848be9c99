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
        var testDescription: String { file }
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
    }
}
