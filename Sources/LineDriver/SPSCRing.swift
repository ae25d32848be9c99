import Synchronization

/// The indexing both rings share: a power-of-two capacity and two ever-increasing counters, the
/// producer's (`head`) and the consumer's (`tail`), published with release/acquire ordering.
package struct RingCursor: ~Copyable {
    package let mask: Int
    private let head = Atomic<Int>(0)
    private let tail = Atomic<Int>(0)

    /// `capacity` is rounded up to a power of two.
    package init(capacity: Int) {
        var size = 1
        while size < capacity { size <<= 1 }
        mask = size - 1
    }

    package var capacity: Int { mask + 1 }

    /// Producer side: where to write, and how many slots are free.
    package func writable() -> (at: Int, free: Int) {
        let h = head.load(ordering: .relaxed)
        return (h, capacity - (h - tail.load(ordering: .acquiring)))
    }

    /// Producer side: makes `count` written slots visible to the consumer.
    package func published(at h: Int, count: Int) { head.store(h + count, ordering: .releasing) }

    /// Consumer side: where to read, and how many slots hold data.
    package func readable() -> (at: Int, count: Int) {
        let t = tail.load(ordering: .relaxed)
        return (t, head.load(ordering: .acquiring) - t)
    }

    /// Consumer side: frees `count` read slots for the producer.
    package func consumed(at t: Int, count: Int) { tail.store(t + count, ordering: .releasing) }
}

/// A bounded single-producer, single-consumer queue: the only way anything crosses between a
/// frame thread and the rest of the box. Push and pop never lock or allocate; a full ring
/// refuses the push (and the producer counts the loss) rather than blocking the frame thread.
public final class SPSCRing<Element>: @unchecked Sendable {
    // Unchecked: one thread pushes, one pops; the cursor's counters are atomics and each slot is
    // owned by exactly one side at a time.
    private let cursor: RingCursor
    private let slots: UnsafeMutablePointer<Element>

    public init(capacity: Int) {
        cursor = RingCursor(capacity: capacity)
        slots = .allocate(capacity: cursor.capacity)
    }

    deinit {
        while pop() != nil {}
        slots.deallocate()
    }

    public var capacity: Int { cursor.capacity }

    /// Producer side. False when the ring is full.
    @discardableResult
    public func push(_ element: Element) -> Bool {
        let (h, free) = cursor.writable()
        guard free > 0 else { return false }
        (slots + (h & cursor.mask)).initialize(to: element)
        cursor.published(at: h, count: 1)
        return true
    }

    /// Consumer side.
    public func pop() -> Element? {
        let (t, count) = cursor.readable()
        guard count > 0 else { return nil }
        let element = (slots + (t & cursor.mask)).move()
        cursor.consumed(at: t, count: 1)
        return element
    }

    public var isEmpty: Bool { cursor.readable().count == 0 }
}

/// A single-producer, single-consumer ring of audio samples for a recorder: the frame thread
/// writes whole frames, a writer thread drains them in bulk.
public final class SampleRing: @unchecked Sendable {
    // Unchecked: as SPSCRing.
    private let cursor: RingCursor
    private let samples: UnsafeMutablePointer<Int16>
    private let lost = Atomic<Int>(0)

    public init(capacity: Int) {
        cursor = RingCursor(capacity: capacity)
        samples = .allocate(capacity: cursor.capacity)
    }

    deinit { samples.deallocate() }

    public var capacity: Int { cursor.capacity }

    /// Samples dropped because the writer fell behind.
    public var lostSamples: Int { lost.load(ordering: .relaxed) }

    /// Producer side: all of `block` or nothing (counted as lost).
    public func write(_ block: UnsafeBufferPointer<Int16>) {
        let (h, free) = cursor.writable()
        guard block.count <= free else {
            lost.add(block.count, ordering: .relaxed)
            return
        }
        for i in 0..<block.count { samples[(h + i) & cursor.mask] = block[i] }
        cursor.published(at: h, count: block.count)
    }

    /// Producer side: two blocks interleaved sample by sample (left, right), all or nothing.
    public func writeInterleaved(_ left: UnsafeBufferPointer<Int16>, _ right: UnsafeBufferPointer<Int16>) {
        let n = min(left.count, right.count)
        let (h, free) = cursor.writable()
        guard 2 * n <= free else {
            lost.add(2 * n, ordering: .relaxed)
            return
        }
        for i in 0..<n {
            samples[(h + 2 * i) & cursor.mask] = left[i]
            samples[(h + 2 * i + 1) & cursor.mask] = right[i]
        }
        cursor.published(at: h, count: 2 * n)
    }

    /// Consumer side: hands everything available to `body` (in up to two runs), then frees it.
    public func drain(_ body: (UnsafeBufferPointer<Int16>) -> Void) {
        let (t, count) = cursor.readable()
        guard count > 0 else { return }
        let start = t & cursor.mask
        let first = min(count, cursor.capacity - start)
        body(UnsafeBufferPointer(start: samples + start, count: first))
        if first < count { body(UnsafeBufferPointer(start: samples, count: count - first)) }
        cursor.consumed(at: t, count: count)
    }
}
