import CAllocationCounter
import TestSupport
import Testing

@Suite(.tags(.unit)) struct AllocationCounterTests {
    /// The counter itself must see Swift allocations, or a zero elsewhere proves nothing.
    @Test func countsSwiftAllocations() {
        allocation_counter_start()
        let array = [Int](repeating: 1, count: 1000)
        let n = allocation_counter_stop()
        #expect(array.count == 1000)
        #expect(n >= 1)
    }
}
