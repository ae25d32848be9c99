import Foundation
import Synchronization
import Testing
import UplinkServer

/// The uplink's bounded pool: a flood of blocked ordinary jobs never holds up the priority
/// lane, and never runs on more threads than the pool has.
struct WorkPoolTests {
    @Test func healthIsAnsweredWhileEveryOrdinaryThreadIsBusy() async throws {
        let pool = WorkPool(label: "test", threads: 3, reserved: 1)
        let gate = DispatchSemaphore(value: 0)
        let counts = Counts()
        // Twenty jobs that block until the gate opens: two threads take two, eighteen wait.
        let blocked = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await pool.run {
                            counts.enter()
                            gate.wait()
                            counts.leave()
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        while counts.running.load(ordering: .relaxed) < 2 { try await Task.sleep(for: .milliseconds(5)) }
        let started = ContinuousClock.now
        let answer = try await pool.run(.priority) { "ok" }
        #expect(answer == "ok")
        #expect(ContinuousClock.now - started < .seconds(1))
        for _ in 0..<20 { gate.signal() }
        try await blocked.value
        #expect(counts.most.load(ordering: .relaxed) == 2, "ordinary jobs ran on \(counts.most.load(ordering: .relaxed)) threads at once")
    }

    @Test func aJobsErrorReachesItsCaller() async {
        struct Refused: Error {}
        let pool = WorkPool(label: "test", threads: 1)
        await #expect(throws: Refused.self) { try await pool.run { throw Refused() } }
    }
}

/// How many jobs run at once, and the most there ever were.
final class Counts: Sendable {
    let running = Atomic(0)
    let most = Atomic(0)

    func enter() {
        let now = running.add(1, ordering: .relaxed).newValue
        var seen = most.load(ordering: .relaxed)
        while now > seen {
            let (exchanged, original) = most.compareExchange(expected: seen, desired: now, ordering: .relaxed)
            if exchanged { return }
            seen = original
        }
    }

    func leave() { running.subtract(1, ordering: .relaxed) }
}
