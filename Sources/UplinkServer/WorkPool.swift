import Foundation
import Synchronization

/// A fixed set of threads for the uplink's blocking work: store reads, digests, encoding a
/// reply, encoding a medium. A request awaits its turn without holding a thread, so a flood of
/// requests costs queue entries, not threads, and never more CPU than the pool has threads.
/// Jobs of the priority lane (the central office's health check) go first, and `reserved`
/// threads take nothing else, so a pool full of page reads still answers health at once.
/// The threads end when the pool is released.
package final class WorkPool: Sendable {
    package enum Lane: Sendable {
        case priority
        case ordinary
    }

    private let queue = JobQueue()

    package init(label: String, threads: Int, reserved: Int = 0) {
        precondition(threads > reserved && reserved >= 0, "a pool needs a thread for ordinary work")
        for index in 0..<threads {
            let thread = Thread { [queue] in queue.work(onlyPriority: index < reserved) }
            thread.name = "\(label)-\(index)"
            thread.start()
        }
    }

    deinit { queue.stop() }

    /// Runs `body` on one of the pool's threads and returns what it returns or throws.
    package func run<T: Sendable>(_ lane: Lane = .ordinary, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            queue.add(lane) { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// The pool's two queues and the condition its threads sleep on; the threads hold this, not
/// the pool, so releasing the pool stops them.
private final class JobQueue: Sendable {
    private struct Queues {
        var priority: [@Sendable () -> Void] = []
        var ordinary: [@Sendable () -> Void] = []
        var stopped = false
    }

    private let queues = Mutex(Queues())
    private let wake = NSCondition()

    func add(_ lane: WorkPool.Lane, _ job: @escaping @Sendable () -> Void) {
        wake.lock()
        queues.withLock { q in
            switch lane {
            case .priority: q.priority.append(job)
            case .ordinary: q.ordinary.append(job)
            }
        }
        wake.broadcast()
        wake.unlock()
    }

    func stop() {
        wake.lock()
        queues.withLock { $0.stopped = true }
        wake.broadcast()
        wake.unlock()
    }

    /// A thread's life: the next job it may take, until the pool is stopped and drained.
    func work(onlyPriority: Bool) {
        while let job = next(onlyPriority: onlyPriority) { job() }
    }

    private func next(onlyPriority: Bool) -> (@Sendable () -> Void)? {
        wake.lock()
        defer { wake.unlock() }
        while true {
            let (job, stopped) = queues.withLock { q -> ((@Sendable () -> Void)?, Bool) in
                if !q.priority.isEmpty { return (q.priority.removeFirst(), false) }
                if !onlyPriority, !q.ordinary.isEmpty { return (q.ordinary.removeFirst(), false) }
                return (nil, q.stopped)
            }
            if let job { return job }
            if stopped { return nil }
            wake.wait()
        }
    }
}
