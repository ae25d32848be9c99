import Foundation

/// Runs async work from a synchronous command and waits for it.
public enum Blocking {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    private final class ResultBox<T>: @unchecked Sendable {
        // Unchecked: written once by the task before the semaphore is signalled, read after.
        var result: Result<T, any Error>?
    }
}
