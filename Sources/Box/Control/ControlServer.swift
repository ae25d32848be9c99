import Foundation
import Synchronization
import SystemSupport

/// The daemon's control socket: a UNIX stream socket for root and the technicians' group. Each
/// connection sends one command line and gets the answer text back. Every client has a worker
/// thread of its own (at most `maxClients` at once; one more is told the box is busy) that
/// reads the line and writes the answer under deadlines, so a slow or stuck client costs its
/// own worker only. Read-only commands are answered on the worker; the rest are queued for the
/// daemon's event thread, which computes the text between polls and hands it back without
/// ever touching the socket.
package final class ControlServer: @unchecked Sendable {
    // Unchecked: `requests` and `clients` are behind their Mutex and Atomic; the listening fd
    // is only closed by `stop`.

    /// A command waiting for the event thread, and the answer it gets.
    package final class Request: Sendable {
        package let line: String
        private let answer = Mutex<String?>(nil)
        private let answered = DispatchSemaphore(value: 0)

        init(line: String) { self.line = line }

        /// The answer (from the event thread or a later callback): never blocks.
        package func reply(_ text: String) {
            let first = answer.withLock { a in
                guard a == nil else { return false }
                a = text
                return true
            }
            if first { answered.signal() }
        }

        func wait(seconds: Int) -> String? {
            guard answered.wait(timeout: .now() + .seconds(seconds)) == .success else { return nil }
            return answer.withLock { $0 }
        }
    }

    package struct Limits: Sendable {
        package var maxClients = 8
        /// From connect to the end of the command line.
        package var readSeconds = 5
        /// For the whole answer to be taken by the client.
        package var writeSeconds = 5
        /// For the event thread's answer (line tests and recordings take this long at most).
        package var answerSeconds = 150
        package static let maxLine = 4096
        package init() {}
    }

    package let path: String
    private let listener: Int32
    private let limits: Limits
    private let requests = Mutex<[Request]>([])
    private let clients = Atomic<Int>(0)
    private let running = Atomic<Bool>(true)
    private let onWorker: @Sendable (String) -> String?

    package struct SetupError: Error, CustomStringConvertible {
        package var description: String
    }

    /// Why technicians may not be able to connect, if they may not (set once, in init).
    package private(set) var problem: String?

    /// `onWorker` answers a line on the client's worker, or returns nil to hand it to the
    /// event thread (`serve`).
    package init(path: String, group: String = "technicians", limits: Limits = .init(), onWorker: @escaping @Sendable (String) -> String?) throws {
        self.path = path
        self.limits = limits
        self.onWorker = onWorker
        unlink(path)
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw SystemError.last("socket", "control socket") }
        guard let address = UnixSocketAddress(path) else {
            close(listener)
            throw SetupError(description: "control socket path too long: \(path)")
        }
        let bound = address.withSockaddr { bind(listener, $0, $1) }
        guard bound == 0, listen(listener, 16) == 0 else {
            let failure = SystemError.last(bound == 0 ? "listen" : "bind", "control socket \(path)")
            close(listener)
            throw failure
        }
        // Root and the technicians' group only; if the group cannot have it, the console
        // cannot connect, which the daemon says at start rather than leaving to be found.
        chmod(path, 0o660)
        if let entry = getgrnam(group) {
            if chown(path, getuid(), entry.pointee.gr_gid) != 0 {
                problem = "\(SystemError.last("chown", path)): members of \(group) (the console) cannot connect"
            }
        } else {
            problem = "there is no group \(group) on this system: only \(path)'s owner can connect"
        }
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "control"
        thread.start()
    }

    package func stop() {
        running.store(false, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        unlink(path)
    }

    /// Answers every waiting request with `answer` (called on the daemon's event thread).
    /// `answer` returns nil for a request it will answer later through `Request.reply`.
    package func serve(_ answer: (Request) -> String?) {
        let waiting = requests.withLock { r in defer { r.removeAll() }; return r }
        for request in waiting {
            if let text = answer(request) { request.reply(text) }
        }
    }

    private func acceptLoop() {
        while running.load(ordering: .relaxed) {
            let fd = SystemCall.result { accept(listener, nil, nil) }
            if fd < 0 {
                if Glibc.errno == EMFILE || Glibc.errno == ENFILE || Glibc.errno == ECONNABORTED { usleep(100_000); continue }
                return
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            guard clients.add(1, ordering: .relaxed).newValue <= limits.maxClients else {
                clients.subtract(1, ordering: .relaxed)
                Self.deliver(fd, "busy: \(limits.maxClients) technicians are connected; try again in a moment\n", seconds: 1)
                close(fd)
                continue
            }
            let worker = Thread { [self] in
                defer { clients.subtract(1, ordering: .relaxed) }
                serveClient(fd)
            }
            worker.name = "control-client"
            worker.start()
        }
    }

    private func serveClient(_ fd: Int32) {
        defer { close(fd) }
        guard let line = Self.readLine(fd, seconds: limits.readSeconds) else {
            Self.deliver(fd, "error: no command line within \(limits.readSeconds) s\n", seconds: 1)
            return
        }
        var text = onWorker(line)
        if text == nil {
            let request = Request(line: line)
            requests.withLock { $0.append(request) }
            text = request.wait(seconds: limits.answerSeconds) ?? "error: the box did not answer within \(limits.answerSeconds) s"
        }
        let answer = text ?? ""
        Self.deliver(fd, answer.hasSuffix("\n") ? answer : answer + "\n", seconds: limits.writeSeconds)
    }

    /// One line (without its newline) read within `seconds` in all, however slowly it drips
    /// in; nil on timeout, end of input before a newline with nothing read, or an error.
    static func readLine(_ fd: Int32, seconds: Int) -> String? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while bytes.count < Limits.maxLine {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = SystemCall.result { poll(&poller, 1, Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)) }
            guard ready > 0 else { if ready < 0 { return nil }; continue }
            let n = SystemCall.result { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
            if n <= 0 { break }
            bytes += buffer[0..<n]
            if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                bytes.removeSubrange(newline...)
                break
            }
        }
        if bytes.isEmpty { return nil }
        return String(decoding: bytes.prefix(Limits.maxLine), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes `text` within `seconds`; a client that stops reading is abandoned, never waited on.
    static func deliver(_ fd: Int32, _ text: String, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(text.utf8)
        let deadline = ContinuousClock.now + .seconds(seconds)
        var sent = 0
        while sent < bytes.count, ContinuousClock.now < deadline {
            let n = SystemCall.result { bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            if n <= 0 { return }
            sent += n
        }
    }

    /// Client side: sends one command and returns the answer.
    package static func ask(_ path: String, _ command: String, timeoutSeconds: Int = 180) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError.last("socket", "control socket") }
        defer { close(fd) }
        guard let address = UnixSocketAddress(path) else { throw SetupError(description: "control socket path too long: \(path)") }
        let connected = SystemCall.result { address.withSockaddr { connect(fd, $0, $1) } }
        guard connected == 0 else {
            throw SetupError(description: "cannot reach the box at \(path): \(SystemError.last("connect").errno) (is `appliance run` running, and are you in the technicians group?)")
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        deliver(fd, command + "\n", seconds: 5)
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = SystemCall.result { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
