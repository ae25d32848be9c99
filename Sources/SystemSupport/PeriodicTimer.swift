/// Housekeeping on a polling loop: due once every `interval`, counted on the monotonic clock so
/// a wall-clock jump neither stalls nor floods it.
public struct PeriodicTimer {
    public let interval: Duration
    private var last: ContinuousClock.Instant?

    /// `immediately`: due at the first check (a first refresh at start), else one interval on.
    public init(every interval: Duration, immediately: Bool = true, now: ContinuousClock.Instant = .now) {
        self.interval = interval
        last = immediately ? nil : now
    }

    /// True, and restarted, when an interval has passed since it last fired.
    public mutating func due(now: ContinuousClock.Instant = .now) -> Bool {
        if let last, now - last < interval { return false }
        last = now
        return true
    }
}
