import Foundation

/// The two clocks a box has: the wall clock, which records are stamped with as it reads when
/// things happen (and which NTP, a technician or a dead RTC battery can set anywhere), and a
/// clock nobody can set (CLOCK_BOOTTIME), against which jumps of the wall clock are seen.
/// Durations on a call never use either: they are line time.
package struct WallClock {
    package let wall: () -> Date
    package let monotonic: () -> Double

    package init(wall: @escaping () -> Date, monotonic: @escaping () -> Double) {
        self.wall = wall
        self.monotonic = monotonic
    }
}

/// Sees the wall clock jump: between two readings it moved differently from the clock nobody
/// can set by more than `toleranceMs`. Pure; the readings are injected.
package struct ClockJumpWatch: Sendable {
    /// NTP's slewing moves the clock by far less than this between two checks.
    package static let toleranceMs = 2000
    private var last: (wall: Date, monotonic: Double)?

    package init() {}

    /// The jump since the previous reading in ms (forward positive), or nil when there was none.
    package mutating func observe(wall: Date, monotonic: Double) -> Int? {
        defer { last = (wall, monotonic) }
        guard let last else { return nil }
        let drift = (wall.timeIntervalSince(last.wall) - (monotonic - last.monotonic)) * 1000
        guard drift.isFinite, abs(drift) > Double(Self.toleranceMs) else { return nil }
        return Int(drift.rounded())
    }
}
