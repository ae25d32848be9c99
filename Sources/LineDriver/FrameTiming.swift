/// Real-time frame statistics, kept without allocating: how late each frame started (jitter)
/// and how many frames finished after the next one was due (deadline misses).
public struct FrameTiming: Sendable {
    /// 10 µs buckets up to one frame; later wake-ups land in the last bucket.
    private static let bucketMicros = 10
    private var lateness = [Int](repeating: 0, count: 2001)
    public private(set) var frames = 0
    public private(set) var deadlineMisses = 0
    public private(set) var maxLatenessMicros = 0
    public private(set) var maxProcessingMicros = 0

    package init() {}

    package mutating func record(latenessMicros: Int, processingMicros: Int, missed: Bool) {
        frames += 1
        if missed { deadlineMisses += 1 }
        let late = max(0, latenessMicros)
        lateness[min(late / Self.bucketMicros, lateness.count - 1)] += 1
        maxLatenessMicros = max(maxLatenessMicros, late)
        maxProcessingMicros = max(maxProcessingMicros, processingMicros)
    }

    /// Lateness of frame starts at percentile `p` (0…1), in µs (bucket resolution 10 µs).
    public func latenessMicros(percentile p: Double) -> Int {
        guard frames > 0 else { return 0 }
        let target = Int((Double(frames) * p).rounded(.up))
        var seen = 0
        for (i, n) in lateness.enumerated() {
            seen += n
            if seen >= max(target, 1) { return i == lateness.count - 1 ? maxLatenessMicros : i * Self.bucketMicros }
        }
        return maxLatenessMicros
    }
}
