/// Ring bursts from a ring-detect GPIO line. Detectors come in two kinds: an optocoupler across
/// the line toggles at the ringing frequency (25 Hz: an edge every 20 ms) during a burst; a
/// rectified and filtered one holds its level for the whole burst. Either way a burst starts at
/// the first edge after a quiet spell and ends once the line has been inactive for `gapMs`.
/// Pure: edges and time come in, ring starts and ends go out.
public struct RingDetector: Sendable {
    public var gapMs: Int
    /// True when the detector's output is low while ringing voltage is present.
    public var activeLow: Bool
    private var inBurst = false
    private var active = false
    private var lastEdgeMs = 0

    public init(gapMs: Int = 150, activeLow: Bool = false) {
        self.gapMs = gapMs
        self.activeLow = activeLow
    }

    public enum Change: Equatable, Sendable {
        case started
        case ended
    }

    /// An edge at `ms`; returns `.started` when it begins a burst.
    public mutating func edge(rising: Bool, at ms: Int) -> Change? {
        active = rising != activeLow
        lastEdgeMs = ms
        guard !inBurst else { return nil }
        inBurst = true
        return .started
    }

    /// The time is now `ms`; returns `.ended` when the burst is over.
    public mutating func tick(at ms: Int) -> Change? {
        guard inBurst, !active, ms - lastEdgeMs >= gapMs else { return nil }
        inBurst = false
        return .ended
    }
}
