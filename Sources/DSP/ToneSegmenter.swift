/// Turns a stream of per-block "is this tone present" decisions into on and off periods. A
/// single disagreeing block is treated as a glitch (noise, a clipped block at a boundary): a
/// period changes only on the second block that disagrees, and then it is dated from the first.
struct ToneSegmenter {
    struct Period: Equatable {
        var isOn: Bool
        var start: Int
        var end: Int
        var duration: Int { end - start }
    }

    /// Completed periods, newest last; bounded so the frame path never grows it.
    private(set) var history: [Period]
    private let capacity: Int
    private(set) var current = Period(isOn: false, start: 0, end: 0)
    private var pendingStart: Int?

    init(capacity: Int) {
        self.capacity = capacity
        history = []
        history.reserveCapacity(capacity)
    }

    /// Feeds one block ending at `end` samples; returns the period it completed, if any.
    mutating func feed(isOn: Bool, blockStart: Int, end: Int) -> Period? {
        defer { current.end = end }
        guard isOn != current.isOn else {
            pendingStart = nil
            return nil
        }
        guard let changeAt = pendingStart else {
            pendingStart = blockStart
            return nil
        }
        pendingStart = nil
        let done = Period(isOn: current.isOn, start: current.start, end: changeAt)
        if history.count == capacity { history.removeFirst() }
        history.append(done)
        current = Period(isOn: isOn, start: changeAt, end: end)
        return done
    }
}
