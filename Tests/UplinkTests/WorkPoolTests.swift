import Foundation
import Synchronization
import Testing
import UplinkServer

/// The uplink's bounded pool: a flood of blocked ordinary jobs never holds up the priority
/// lane, and never runs on more threads than the pool has.
struct WorkPoolTests {
    /// Checked by order, not by a stopwatch: the health job must run while both ordinary
    /// threads are still held shut. A pool that queued it behind them would never answer while
    /// the gate is shut, so the gate opens by itself after a minute and such a pool fails
    /// instead of hanging the run.
    @Test func healthIsAnsweredWhileEveryOrdinaryThreadIsBusy() async throws {
        let pool = WorkPool(label: "test", threads: 3, reserved: 1)
        let gate = Gate()
        let counts = Counts()
        // Twenty jobs that block until the gate opens: two threads take two, eighteen wait.
        let blocked = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await pool.run {
                            counts.enter()
                            gate.pass()
                            counts.leave()
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        while counts.running.load(ordering: .relaxed) < 2 { try await Task.sleep(for: .milliseconds(5)) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) { gate.open(for: 20) }
        let seen = try await pool.run(.priority) { (running: counts.running.load(ordering: .relaxed), gateOpen: gate.isOpen) }
        gate.open(for: 20)
        #expect(seen.running == 2 && !seen.gateOpen, "health ran with \(seen.running) ordinary jobs running, gate \(seen.gateOpen ? "open" : "shut")")
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

/// A gate the blocked jobs wait at; opening it more than once lets them through once.
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let opened = Atomic(false)

    var isOpen: Bool { opened.load(ordering: .acquiring) }

    func pass() { semaphore.wait() }

    func open(for waiters: Int) {
        guard !opened.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for _ in 0..<waiters { semaphore.signal() }
    }
}
