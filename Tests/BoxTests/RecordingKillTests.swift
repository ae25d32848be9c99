import DSP
import Foundation
import TestSupport
import Testing

/// A recording survives the box being killed with -9 at any moment: every file it leaves is a
/// valid WAV holding what had been written.
@Suite(.serialized, .tags(.system), .skippedInFastRun) struct RecordingKillTests {
    @Test(arguments: [0, 40, 90, 170, 260])
    func recordingsArePlayableAfterKillNine(extraMs: Int) throws {
        let scratch = try ScratchDirectory()
        let dir = scratch.path("rec")
        let box = Process()
        box.executableURL = URL(fileURLWithPath: Tool.lab)
        box.arguments = ["bench", "lines", "--lines", "2", "--seconds", "3600", "--record", dir]
        box.standardOutput = FileHandle.nullDevice
        box.standardError = FileHandle.nullDevice
        try box.run()
        defer { if box.isRunning { kill(box.processIdentifier, SIGKILL) } }
        // Wait (bounded) until recordings are being written, then kill at a varied moment.
        var waited = 0
        while waited < 120_000 && recordedBytes(in: dir) < 200_000 {
            usleep(20_000)
            waited += 20
        }
        usleep(UInt32(extraMs) * 1000)
        kill(box.processIdentifier, SIGKILL)
        box.waitUntilExit()
        #expect(box.terminationReason == .uncaughtSignal)

        let recordings = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("line") }
        #expect(!recordings.isEmpty)
        var longest = 0
        for name in recordings {
            let samples = try WAVFile.read("\(dir)/\(name)", channels: 2)
            longest = max(longest, samples.count / 2)
        }
        #expect(longest >= SampleClock.rate)
    }

    func recordedBytes(in dir: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasPrefix("line") }.reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: "\(dir)/\(name)")[.size] as? Int) ?? 0)
        }
    }
}
