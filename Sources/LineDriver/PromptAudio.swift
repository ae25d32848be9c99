/// Audio the box plays (a prompt, a beep, a spoken digit), decoded once and shared read-only
/// with the frame threads. Whoever queues it keeps a reference for as long as it may play, so
/// the frame thread never drops the last one (which would free memory on that thread).
public final class PromptAudio: Sendable {
    public let name: String
    nonisolated(unsafe) private let storage: UnsafeMutableBufferPointer<Int16>

    public init(name: String, samples: [Int16]) {
        self.name = name
        storage = .allocate(capacity: samples.count)
        _ = storage.initialize(from: samples)
    }

    deinit { storage.deallocate() }

    public var samples: UnsafeBufferPointer<Int16> { UnsafeBufferPointer(storage) }
    public var durationMs: Int { samples.count * 1000 / 8000 }
}
