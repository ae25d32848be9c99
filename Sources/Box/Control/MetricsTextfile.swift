import Foundation

/// Writes the box's figures (BoxMetrics) to `metrics_file:` for node-exporter's textfile
/// collector, every `interval`, on a thread of its own: the store reads and the disk write
/// never touch the event or frame threads. Each write replaces the file whole (a `.new` file
/// renamed over it), so the collector never reads half a file (it reads only `*.prom`).
package final class MetricsTextfile: @unchecked Sendable {
    package static let interval: TimeInterval = 15
    private let path: String
    private let figures: () -> BoxMetrics
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = NSLock()
    private var stopping = false
    private var thread: Thread?

    private let log: (String) -> Void
    /// The last write's failure, so the log says it once, and again when writes work again.
    private var problem: String?

    package init(path: String, figures: @escaping () -> BoxMetrics, log: @escaping (String) -> Void) {
        self.path = path
        self.figures = figures
        self.log = log
    }

    package func start() {
        let t = Thread { [self] in
            while !isStopping {
                write()
                _ = wake.wait(timeout: .now() + Self.interval)
            }
        }
        t.name = "metrics textfile"
        thread = t
        t.start()
    }

    package func stop() {
        stopped.withLock { stopping = true }
        wake.signal()
    }

    private var isStopping: Bool { stopped.withLock { stopping } }

    /// One write of the file now (on the writer's thread, or a test's).
    package func write() {
        // 0644 whatever the daemon's umask: node-exporter reads it as another user.
        let temporary = path + ".new"
        let now: String?
        if !FileManager.default.createFile(atPath: temporary, contents: Data(figures().text.utf8), attributes: [.posixPermissions: 0o644]) {
            now = "warning: cannot write the metrics file \(temporary): \(String(cString: strerror(errno)))"
        } else if rename(temporary, path) != 0 {
            now = "warning: cannot write the metrics file \(path): \(String(cString: strerror(errno)))"
        } else {
            now = nil
        }
        if now != problem { log(now ?? "metrics file \(path) written again") }
        problem = now
    }

    deinit { stop() }
}
