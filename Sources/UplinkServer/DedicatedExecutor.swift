import Foundation

/// Runs a service's tasks on dispatch threads of their own rather than Swift's cooperative pool,
/// so a server started from synchronous code (or beside long synchronous work) is never starved
/// of threads: the pool has one thread per core and blocking callers can occupy all of them.
/// Child tasks (one per connection in the server) inherit the preference.
package final class DedicatedExecutor: TaskExecutor {
    private let queue: DispatchQueue

    package init(label: String) {
        queue = DispatchQueue(label: label, attributes: .concurrent)
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}
