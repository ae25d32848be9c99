import Foundation
import LocalDB
import Testing
import TestSupport

/// Retention compared wall-clock text on 429158c: a clock set ahead by more than
/// `retention_days` deleted every acked medium at once. The retention clock counts what the box
/// saw pass.
@Suite(.tags(.unit)) struct RetentionClockTests {
    static let day = 86_400.0

    /// (wall seconds, monotonic seconds) at each tick after one at (0, 0) in the same run; the
    /// seconds the clock should have counted; the jump the last tick should report.
    struct Ticks: Sendable, CustomTestStringConvertible {
        var ticks: [(wall: Double, monotonic: Double)]
        var counted: Double
        var jump: ClockJump?
        var testDescription: String { "\(ticks) → \(counted) s, \(jump.map { "\($0)" } ?? "no jump")" }
    }

    @Test(arguments: [
        Ticks(ticks: [(3600.0, 3600.0)], counted: 3600.0, jump: nil),
        // Set five years ahead: only the hour that really passed counts.
        Ticks(ticks: [(5 * 365 * day + 3600, 3600)], counted: 3600, jump: .forward(seconds: 5 * 365 * day)),
        // Set a year back: the hour still counts, and the jump is reported.
        Ticks(ticks: [(-365 * day + 3600, 3600)], counted: 3600, jump: .backward(seconds: 365 * day)),
        // NTP slewing by a minute is no jump.
        Ticks(ticks: [(3660, 3600)], counted: 3600, jump: nil),
        Ticks(ticks: [(day, day), (2 * day, 2 * day)], counted: 2 * day, jump: nil),
    ])
    func withinARunOnlyTheMonotonicClockCounts(_ t: Ticks) {
        var clock = RetentionClock(lastWall: 0)
        _ = clock.tick(wall: 0, monotonic: 0)
        var last: ClockJump?
        for (wall, mono) in t.ticks { last = clock.tick(wall: wall, monotonic: mono) }
        #expect(clock.elapsed == t.counted)
        #expect(last == t.jump)
    }

    /// Across a restart only the wall clock knows how long the box was off.
    @Test(arguments: [
        (2 * day, 2 * day, nil as ClockJump?),
        (-30 * day, 0, .backward(seconds: 30 * day)),
        (20 * 365 * day, 0, .forward(seconds: 20 * 365 * day)),
    ])
    func aRestartCountsAPlausibleGapOnly(gap: Double, counted: Double, jump: ClockJump?) {
        var clock = RetentionClock(elapsed: 100, lastWall: 1_000_000)
        #expect(clock.tick(wall: 1_000_000 + gap, monotonic: 5) == jump)
        #expect(clock.elapsed == 100 + counted)
    }

    @Test func theClockIsKeptInTheStore() throws {
        let scratch = try ScratchDirectory()
        let store = try CaseStore(path: scratch.path("c.sqlite"), prefix: .init("1")!)
        var clock = try store.retentionClock(startingAt: Date(timeIntervalSince1970: 1000))
        _ = clock.tick(wall: 1000, monotonic: 0)
        _ = clock.tick(wall: 4600, monotonic: 3600)
        try store.saveRetentionClock(clock)
        #expect(try store.retentionClock(startingAt: Date()) == RetentionClock(elapsed: 3600, lastWall: 4600))
    }

    @Test func auditEntriesAreKeptInOrder() throws {
        let scratch = try ScratchDirectory()
        let store = try CaseStore(path: scratch.path("c.sqlite"), prefix: .init("1")!)
        let entries = (1...5).map { AuditEntry(at: Date(timeIntervalSince1970: Double($0)), peerFingerprint: "ab:\($0)", peerSubject: "CN=central",
                                               action: "ack", target: "seq \($0)", result: "200") }
        for e in entries { try store.recordAudit(e) }
        #expect(try store.auditEntries(last: 3) == Array(entries.suffix(3)))
    }
}
