import Foundation
import SystemTestSupport
import Testing
import TestSupport

/// `appliance run` under systemd writes journald's form: when standard output is the stream
/// JOURNAL_STREAM names, every line has a priority and no time stamp of its own, and a call's
/// lines carry their line, call and case as fields.
@Suite(.serialized, .tags(.system), .skippedInFastRun) struct DaemonLogTests {
    @Test func underJournaldEachLineHasAPriorityAndItsFields() throws {
        let scratch = try ScratchDirectory()
        _ = try SimulationRig.daemonConfig(in: scratch, "lines: 2\n")
        let logFile = scratch.path("journal-stream")
        FileManager.default.createFile(atPath: logFile, contents: nil)
        var st = stat()
        try #require(stat(logFile, &st) == 0)
        let box = Process()
        box.executableURL = URL(fileURLWithPath: Tool.appliance)
        box.arguments = ["run", "--virtual", "--seconds", "300", "--config", scratch.path("box.yaml")]
        box.environment = ProcessInfo.processInfo.environment.merging(["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino)"]) { $1 }
        box.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        box.standardError = FileHandle.nullDevice
        try box.run()
        defer { if box.isRunning { kill(box.processIdentifier, SIGKILL) } }
        // Until the demo traffic's first case, then a clean stop (as systemd stops it).
        func log() -> String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }
        var waited = 0
        while !log().contains(" created") && box.isRunning && waited < 300_000 {
            usleep(20_000)
            waited += 20
        }
        box.terminate()
        box.waitUntilExit()
        #expect(box.terminationReason == .exit && box.terminationStatus == 0)
        let lines = log().split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("<6>box up: ") }, "\(lines.prefix(5))")
        let unprefixed = lines.filter { $0.range(of: #"^<[0-7]>"#, options: .regularExpression) == nil }
        #expect(unprefixed.isEmpty, "\(unprefixed.prefix(3))")
        #expect(!lines.contains { $0.range(of: #"^<\d>\d{4}-\d\d-\d\dT"#, options: .regularExpression) != nil }, "journald stamps entries itself")
        let created = lines.filter { $0.contains(" case ") && $0.contains(" created") }
        #expect(!created.isEmpty, "no case in 300 s of demo traffic")
        #expect(lines.last?.hasPrefix("<6>box down after") == true, "\(lines.suffix(2))")
        #expect(created.allSatisfy { $0.range(of: #" call=\d+ case=\d{8} line=\d+$"#, options: .regularExpression) != nil }, "\(created.prefix(2))")
    }
}
