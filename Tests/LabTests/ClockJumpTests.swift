import Box
import Foundation
import LocalDB
import SystemTestSupport
import Testing
import TestSupport

/// The wall clock set while calls go on: seen against boot time, logged, marked on the calls it
/// cut through; records after it carry the clock as it then reads.
struct ClockJumpTests {
    @Test(arguments: [(3600.0, 3_600_000), (-86_400.0, -86_400_000), (1.5, nil), (-1.5, nil)])
    func aJumpIsTheWallClockMovingUnlikeBootTime(by seconds: Double, seen: Int?) {
        var watch = ClockJumpWatch()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(watch.observe(wall: start, monotonic: 100) == nil)
        #expect(watch.observe(wall: start.addingTimeInterval(1), monotonic: 101) == nil)
        #expect(watch.observe(wall: start.addingTimeInterval(2 + seconds), monotonic: 102) == seen)
        // The next reading compares with the new clock: the jump is reported once.
        #expect(watch.observe(wall: start.addingTimeInterval(3 + seconds), monotonic: 103) == nil)
    }

    /// A complaint during which the clock is set an hour ahead (line time 10 s): the call is
    /// marked with the jump, and its end is stamped with the clock as set.
    @Test(.tags(.system), .skippedInFastRun) func aCallThatStraddlesAJumpIsMarked() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let out = try SimulationRig.run(SimulationRig.call(SimulationRig.complaint + ", " + SimulationRig.hangUp)) { config in
            config.virtualWallClock = { ms in start.addingTimeInterval(Double(ms) / 1000 + (ms >= 10_000 ? 3600 : 0)) }
        }
        let calls = try out.store.calls()
        #expect(calls.count == 1)
        let call = try #require(calls.first)
        #expect(call.clockJumpMs.map { abs($0 - 3_600_000) < 1500 } == true, "\(String(describing: call.clockJumpMs))")
        #expect(call.startedAt.timeIntervalSince(start) < 10)
        #expect(try #require(call.endedAt).timeIntervalSince(start) > 3600)
    }
}
