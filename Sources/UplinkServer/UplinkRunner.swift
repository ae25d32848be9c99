import Foundation
import Hummingbird
import ServiceLifecycle
import Synchronization

/// The uplink server running beside the box's event loop: started and stopped from synchronous
/// code (the daemon, tests), serving on its own threads.
package final class UplinkRunner: Sendable {
    package let service: UplinkService
    package let port: Int
    private let group: ServiceGroup
    private let stopped = StopFlag()
    private static let executor = DedicatedExecutor(label: "uplink")

    private final class StopFlag: Sendable {
        let raised = Atomic(false)
    }

    package struct StartFailure: Error, CustomStringConvertible {
        package var description: String
    }

    package init(service: UplinkService) throws {
        self.service = service
        let started = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Int, StartFailure>?>(nil)
        let app = try UplinkServer.application(service) { port in
            outcome.withLock { $0 = .success(port) }
            started.signal()
        }
        let u = service.config.uplink
        let group = ServiceGroup(services: [app], logger: UplinkServer.logger)
        self.group = group
        Task(executorPreference: Self.executor) {
            do { try await group.run() } catch {
                outcome.withLock { if $0 == nil { $0 = .failure(StartFailure(description: "uplink cannot listen on \(u.host):\(u.port): \(error)")) } }
                started.signal()
            }
        }
        if started.wait(timeout: .now() + 30) == .timedOut { throw StartFailure(description: "uplink did not start within 30 s") }
        port = try outcome.withLock { $0! }.get()
        // Recordings are encoded for the uplink as they come, a few at a time, at low priority.
        Thread.detachNewThread { [service, stopped] in
            setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            while !stopped.raised.load(ordering: .relaxed) {
                if service.prepareMedia(limit: 4) == 0 { Thread.sleep(forTimeInterval: 5) }
            }
        }
    }

    /// Stops accepting and lets requests in flight finish.
    package func stop() {
        stopped.raised.store(true, ordering: .relaxed)
        let group = group
        Task(executorPreference: Self.executor) { await group.triggerGracefulShutdown() }
    }

    deinit { stop() }
}
