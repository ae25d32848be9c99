import Box
import Foundation
import LocalDB
import SystemTestSupport
import Testing
import TestSupport

/// A filling disk, through real simulated calls: the free space the box sees is injected.
@Suite(.tags(.system), .skippedInFastRun) struct DiskFullTests {
    /// Below the reserve a caller hears "service busy" and the box hangs up (on 429158c lines
    /// were answered with no flow running: dead air), nothing is written, and one log line
    /// says why, not one per call.
    @Test func belowTheReserveCallersHearServiceBusy() throws {
        let steps = #"{"do": "wait_for_prompt"}, {"do": "wait", "ms": 8000}"#
        let json = #"{"lines": 2, "calls": [{"line": 0, "at_ms": 0, "script": [\#(steps)]}, {"line": 1, "at_ms": 2000, "script": [\#(steps)]}]}"#
        let out = try SimulationRig.run(json) { $0.diskFreeBytes = { 10 << 20 } }
        for call in out.report.calls {
            #expect(call.callerWaitsTimedOut.isEmpty, "the caller heard nothing")
            #expect(call.boxHungUpMs != nil, "the box did not hang up")
        }
        #expect(try out.store.cases().isEmpty && out.store.calls().isEmpty)
        let recordings = try FileManager.default.contentsOfDirectory(atPath: out.data.path("box/recordings"))
        #expect(recordings.isEmpty, "\(recordings)")
    }

    /// Below the recordings floor, whole calls are not recorded, and the caller's message is.
    @Test func belowTheFloorMessagesGoOnWithoutWholeCallRecordings() throws {
        let json = try String(contentsOfFile: "\(SimulationRig.repository)/scenarios/complaint.json", encoding: .utf8)
        let out = try SimulationRig.run(json) { $0.diskFreeBytes = { 100 << 20 } }
        #expect(out.report.calls.map(\.disposition) == ["case_created"])
        let media = try out.store.cases().flatMap { try out.store.media(case: $0.id) }
        #expect(media.map(\.kind) == [.recording])
        #expect(try out.store.calls().allSatisfy { try out.store.media(call: $0.id).allSatisfy { $0.kind != .callRecording } })
    }

    /// From full, a level is left only 10 % above its threshold (64 MiB reserve, 256 MiB floor).
    @Test(arguments: [(50, DiskGuard.Level.full), (70, .full), (71, .low), (200, .low), (281, .low), (282, .ample)])
    func levelsAreLeftOnlyWithAMargin(thenMiB: Int, level: DiskGuard.Level) {
        var disk = DiskGuard(reserveBytes: 64 << 20, recordingFloorBytes: 256 << 20)
        #expect(disk.update(freeBytes: 10 << 20) == .full)
        _ = disk.update(freeBytes: thenMiB << 20)
        #expect(disk.level == level)
    }
}
