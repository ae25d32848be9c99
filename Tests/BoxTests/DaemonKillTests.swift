import DSP
import Foundation
import HotlineModel
import LocalDB
import SystemTestSupport
import Testing
import TestSupport

/// `appliance run` killed with -9 in the middle of its work loses no case it had announced,
/// and leaves only playable recordings.
@Suite(.serialized, .tags(.system), .skippedInFastRun) struct DaemonKillTests {
    @Test(arguments: [1, 2, 3])
    func killNineLosesNoCommittedCase(afterCases: Int) throws {
        let scratch = try ScratchDirectory()
        _ = try SimulationRig.daemonConfig(in: scratch, "node_prefix: \"2\"\nlines: 3\n")
        let box = Process()
        box.executableURL = URL(fileURLWithPath: Tool.appliance)
        box.arguments = ["run", "--virtual", "--seconds", "300", "--config", scratch.path("box.yaml")]
        FileManager.default.createFile(atPath: scratch.path("log"), contents: nil)
        box.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.path("log")))
        box.standardError = FileHandle.nullDevice
        try box.run()
        defer { if box.isRunning { kill(box.processIdentifier, SIGKILL) } }

        func announced() -> [String] {
            let log = (try? String(contentsOfFile: scratch.path("log"), encoding: .utf8)) ?? ""
            return log.split(separator: "\n").compactMap { line in
                guard let r = line.range(of: " case "), line.contains(" created") else { return nil }
                return String(line[r.upperBound...].prefix(8))
            }
        }
        var waited = 0
        while announced().count < afterCases && waited < 300_000 {
            usleep(10_000)
            waited += 10
        }
        kill(box.processIdentifier, SIGKILL)
        box.waitUntilExit()
        let numbers = announced()
        #expect(numbers.count >= afterCases)

        let store = try CaseStore(path: scratch.path("box/cases.sqlite"), prefix: NodePrefix("2")!)
        for number in numbers {
            let found = try store.lookup(try AcceptanceNumber(validating: number))
            #expect(found != nil, "case \(number) was announced but is not in the database")
            for media in try store.media(case: found?.id ?? -1) where media.kind == .recording {
                #expect(throws: Never.self) { try WAVFile.read(media.path) }
            }
        }
        // Every recording on disk, finished or cut off by the kill, is a valid WAV.
        let dir = scratch.path("box/recordings")
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name.hasSuffix(".wav") {
            #expect(throws: Never.self) { try WAVFile.read("\(dir)/\(name)", channels: name.hasPrefix("call-") ? 2 : 1) }
        }

        // The box comes back: the interrupted calls are closed, and every message with audio
        // belongs to a case — a cut-off one as an incomplete case.
        let quiet = try String(contentsOfFile: scratch.path("box.yaml"), encoding: .utf8) + "demo_traffic: false\n"
        try quiet.write(toFile: scratch.path("quiet.yaml"), atomically: true, encoding: .utf8)
        let restart = try Tool.appliance("run", "--virtual", "--seconds", "1", "--config", scratch.path("quiet.yaml"))
        #expect(restart.status == 0, "\(restart.stderr)")
        #expect(restart.stdout.contains("recovered after an unclean stop"))
        let after = try CaseStore(path: scratch.path("box/cases.sqlite"), prefix: NodePrefix("2")!)
        #expect(try after.db.scalar("SELECT count(*) FROM calls WHERE ended_at IS NULL") == "0")
        #expect(try after.db.scalar("SELECT count(*) FROM calls WHERE disconnect_reason = 'box_restarted'") != "0")
        let held = Set(try after.db.query("SELECT path FROM media").compactMap { $0.text("path") })
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name.hasPrefix("msg-") {
            let samples = try WAVFile.read("\(dir)/\(name)")
            if !samples.isEmpty { #expect(held.contains("\(dir)/\(name)"), "\(name) has audio but no case") }
        }

    }
}
