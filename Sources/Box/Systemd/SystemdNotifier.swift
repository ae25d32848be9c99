import Foundation

/// sd_notify without libsystemd: one datagram per message to `$NOTIFY_SOCKET` (a path, or an
/// abstract socket when it starts with "@"). Without the variable (not under systemd) every
/// message is dropped.
package struct SystemdNotifier {
    package let socketPath: String?

    package init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    @discardableResult
    package func send(_ message: String) -> Bool {
        guard let path = socketPath, let address = UnixSocketAddress(path) else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let payload = Array(message.utf8)
        let sent = address.withSockaddr { sa, length in
            // Never block the event loop on systemd: a message it cannot take now is dropped.
            payload.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT), sa, length) }
        }
        return sent == payload.count
    }
}

/// Pings systemd's watchdog only while the frame loop is making progress: if the frames stop
/// (a stuck driver read, a deadlock), the pings stop, and systemd restarts the box.
package final class Watchdog {
    private let notifier: SystemdNotifier
    /// Half of `WATCHDOG_USEC`, as systemd recommends; nil when no watchdog is configured.
    package let interval: Double?
    private var lastPing = -Double.infinity
    private var lastBeat = -1
    private var lastProgress: Double
    package private(set) var stalled = false
    private let stallAfter: Double

    package init(notifier: SystemdNotifier, environment: [String: String] = ProcessInfo.processInfo.environment, now: Double, stallAfter: Double = 2) {
        self.notifier = notifier
        let pidMatches = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        interval = pidMatches ? environment["WATCHDOG_USEC"].flatMap(Double.init).map { $0 / 2e6 } : nil
        lastProgress = now
        self.stallAfter = stallAfter
    }

    /// Called often from the event thread with the frame loop's heartbeat. Returns true when the
    /// loop has just been found stalled (for one log line).
    @discardableResult
    package func tick(now: Double, heartbeat: Int) -> Bool {
        if heartbeat != lastBeat {
            lastBeat = heartbeat
            lastProgress = now
            stalled = false
        }
        let stalledNow = now - lastProgress > stallAfter
        defer { stalled = stalledNow }
        guard let interval, !stalledNow, now - lastPing >= interval else { return stalledNow && !stalled }
        lastPing = now
        notifier.send("WATCHDOG=1")
        return false
    }
}
