import Synchronization

/// A bounded single-producer, single-consumer queue: the only way anything crosses between a
/// frame thread and the rest of the box. Push and pop never lock or allocate; a full ring
/// refuses the push (and the producer counts the loss) rather than blocking the frame thread.
public final class SPSCRing<Element>: @unchecked Sendable {
    // Unchecked: one thread pushes, one pops; head and tail are atomics and each slot is owned
    // by exactly one side at a time.
    private let mask: Int
    private let slots: UnsafeMutablePointer<Element>
    private let head = Atomic<Int>(0)
    private let tail = Atomic<Int>(0)

    /// `capacity` is rounded up to a power of two.
    public init(capacity: Int) {
        var size = 1
        while size < capacity { size <<= 1 }
        mask = size - 1
        slots = .allocate(capacity: size)
    }

    deinit {
        while pop() != nil {}
        slots.deallocate()
    }

    public var capacity: Int { mask + 1 }

    /// Producer side. False when the ring is full.
    @discardableResult
    public func push(_ element: Element) -> Bool {
        let h = head.load(ordering: .relaxed)
        if h - tail.load(ordering: .acquiring) > mask { return false }
        (slots + (h & mask)).initialize(to: element)
        head.store(h + 1, ordering: .releasing)
        return true
    }

    /// Consumer side.
    public func pop() -> Element? {
        let t = tail.load(ordering: .relaxed)
        if t == head.load(ordering: .acquiring) { return nil }
        let element = (slots + (t & mask)).move()
        tail.store(t + 1, ordering: .releasing)
        return element
    }

    public var isEmpty: Bool { tail.load(ordering: .acquiring) == head.load(ordering: .acquiring) }
}

/// A single-producer, single-consumer ring of audio samples for a recorder: the frame thread
/// writes whole frames, a writer thread drains them in bulk.
public final class SampleRing: @unchecked Sendable {
    // Unchecked: as SPSCRing.
    private let mask: Int
    private let samples: UnsafeMutablePointer<Int16>
    private let head = Atomic<Int>(0)
    private let tail = Atomic<Int>(0)
    private let lost = Atomic<Int>(0)

    public init(capacity: Int) {
        var size = 1
        while size < capacity { size <<= 1 }
        mask = size - 1
        samples = .allocate(capacity: size)
    }

    deinit { samples.deallocate() }

    public var capacity: Int { mask + 1 }

    /// Samples dropped because the writer fell behind.
    public var lostSamples: Int { lost.load(ordering: .relaxed) }

    /// Producer side: all of `block` or nothing (counted as lost).
    public func write(_ block: UnsafeBufferPointer<Int16>) {
        let h = head.load(ordering: .relaxed)
        let free = mask + 1 - (h - tail.load(ordering: .acquiring))
        guard block.count <= free else {
            lost.add(block.count, ordering: .relaxed)
            return
        }
        for i in 0..<block.count { samples[(h + i) & mask] = block[i] }
        head.store(h + block.count, ordering: .releasing)
    }

    /// Producer side: two blocks interleaved sample by sample (left, right), all or nothing.
    public func writeInterleaved(_ left: UnsafeBufferPointer<Int16>, _ right: UnsafeBufferPointer<Int16>) {
        let n = min(left.count, right.count)
        let h = head.load(ordering: .relaxed)
        let free = mask + 1 - (h - tail.load(ordering: .acquiring))
        guard 2 * n <= free else {
            lost.add(2 * n, ordering: .relaxed)
            return
        }
        for i in 0..<n {
            samples[(h + 2 * i) & mask] = left[i]
            samples[(h + 2 * i + 1) & mask] = right[i]
        }
        head.store(h + 2 * n, ordering: .releasing)
    }

    /// Consumer side: hands everything available to `body` (in up to two runs), then frees it.
    public func drain(_ body: (UnsafeBufferPointer<Int16>) -> Void) {
        let t = tail.load(ordering: .relaxed)
        let h = head.load(ordering: .acquiring)
        guard h > t else { return }
        let start = t & mask
        let first = min(h - t, mask + 1 - start)
        body(UnsafeBufferPointer(start: samples + start, count: first))
        if first < h - t { body(UnsafeBufferPointer(start: samples, count: h - t - first)) }
        tail.store(h, ordering: .releasing)
    }
}
