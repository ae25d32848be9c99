import Foundation

/// A jump of the wall clock that the box's own clock did not see.
public enum ClockJump: Sendable, Equatable, CustomStringConvertible {
    case forward(seconds: Double)
    case backward(seconds: Double)

    public var description: String {
        switch self {
        case .forward(let s): String(format: "the wall clock jumped forward %.0f s", s)
        case .backward(let s): String(format: "the wall clock jumped back %.0f s (it is behind the last time recorded)", s)
        }
    }
}

/// Seconds the box has seen pass, the clock retention counts in. Within a run it advances by
/// the monotonic clock alone, so setting the wall clock years ahead or back deletes nothing
/// early; across a restart only the wall clock knows how long the box was off, and a gap that
/// is negative or implausibly long adds nothing (media are then kept longer, never lost).
public struct RetentionClock: Sendable, Equatable {
    /// Seconds seen so far (kept in the store).
    public private(set) var elapsed: Double
    /// The wall clock at the last tick, Unix seconds (kept in the store).
    public private(set) var lastWall: Double
    /// The monotonic clock at the last tick of this run.
    private var lastMonotonic: Double?

    /// Longer than this switched off is taken for a wrong clock, not for time passed.
    public static let longestPlausibleOff: Double = 90 * 86_400
    /// Wall and monotonic clocks may disagree by this much (NTP slews, slow ticks) unreported.
    public static let tolerance: Double = 120

    public init(elapsed: Double = 0, lastWall: Double) {
        self.elapsed = elapsed
        self.lastWall = lastWall
    }

    /// Advances to now; returns the jump it saw, if any.
    public mutating func tick(wall: Double, monotonic: Double) -> ClockJump? {
        defer { lastWall = wall; lastMonotonic = monotonic }
        let wallPassed = wall - lastWall
        guard let last = lastMonotonic else {
            if wallPassed < -Self.tolerance { return .backward(seconds: -wallPassed) }
            if wallPassed > Self.longestPlausibleOff { return .forward(seconds: wallPassed) }
            elapsed += max(0, wallPassed)
            return nil
        }
        let passed = max(0, monotonic - last)
        elapsed += passed
        let drift = wallPassed - passed
        if drift > Self.tolerance { return .forward(seconds: drift) }
        if drift < -Self.tolerance { return .backward(seconds: -drift) }
        return nil
    }
}

extension CaseStore {
    /// The clock as last saved, or a new one starting at `wall`.
    public func retentionClock(startingAt wall: Date) throws(StoreError) -> RetentionClock {
        try read {
            let rows = try db.query("SELECT key, value FROM sync_state WHERE key IN ('retention_elapsed', 'retention_wall')")
            let values = Dictionary(uniqueKeysWithValues: rows.map { ($0.text("key") ?? "", Double($0.text("value") ?? "") ?? .nan) })
            guard let elapsed = values["retention_elapsed"], let last = values["retention_wall"], elapsed.isFinite, last.isFinite else {
                return RetentionClock(lastWall: wall.timeIntervalSince1970)
            }
            return RetentionClock(elapsed: elapsed, lastWall: last)
        }
    }

    public func saveRetentionClock(_ clock: RetentionClock) throws(StoreError) {
        try run {
            for (key, value) in [("retention_elapsed", clock.elapsed), ("retention_wall", clock.lastWall)] {
                try db.query("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, String(value)])
            }
        }
    }
}
