import Foundation
import Synchronization
import SystemSupport

/// The daemon's control socket: a UNIX stream socket, open to root and the technicians' group
/// only (mode 0660). Each connection sends one command line and gets the answer text back; the
/// socket thread only reads requests, and the daemon's event thread answers them between polls,
/// so commands see the box's state without locks around it.
package final class ControlServer: @unchecked Sendable {
    // Unchecked: `requests` is behind its Mutex; the listening fd is only closed by `stop`.
    package struct Request: Sendable {
        package let fd: Int32
        package let line: String
    }

    package let path: String
    private let listener: Int32
    private let requests = Mutex<[Request]>([])
    private let running = Atomic<Bool>(true)

    package struct SetupError: Error, CustomStringConvertible {
        package var description: String
    }

    package init(path: String, group: String = "technicians") throws {
        self.path = path
        unlink(path)
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw SystemError.last("socket", "control socket") }
        guard let address = UnixSocketAddress(path) else {
            close(listener)
            throw SetupError(description: "control socket path too long: \(path)")
        }
        let bound = address.withSockaddr { bind(listener, $0, $1) }
        guard bound == 0, listen(listener, 8) == 0 else {
            let failure = SystemError.last(bound == 0 ? "listen" : "bind", "control socket \(path)")
            close(listener)
            throw failure
        }
        // Root and the technicians' group only.
        chmod(path, 0o660)
        if let entry = getgrnam(group) { chown(path, getuid(), entry.pointee.gr_gid) }
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
    /// `answer` returns nil for a request it will answer later through `reply`.
    package func serve(_ answer: (Request) -> String?) {
        let waiting = requests.withLock { r in defer { r.removeAll() }; return r }
        for request in waiting {
            if let text = answer(request) { reply(request, text) }
        }
    }

    package func reply(_ request: Request, _ text: String) {
        let bytes = Array((text.hasSuffix("\n") ? text : text + "\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let n = SystemCall.result { bytes[sent...].withUnsafeBytes { write(request.fd, $0.baseAddress, $0.count) } }
            if n <= 0 { break }
            sent += n
        }
        close(request.fd)
    }

    private func acceptLoop() {
        while running.load(ordering: .relaxed) {
            let fd = SystemCall.result { accept(listener, nil, nil) }
            if fd < 0 { return }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var line: [UInt8] = []
            var byte: UInt8 = 0
            while line.count < 4096, read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            requests.withLock { $0.append(Request(fd: fd, line: text)) }
        }
    }

    /// Client side: sends one command and returns the answer.
    package static func ask(_ path: String, _ command: String, timeoutSeconds: Int = 30) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError.last("socket", "control socket") }
        defer { close(fd) }
        guard let address = UnixSocketAddress(path) else { throw SetupError(description: "control socket path too long: \(path)") }
        let connected = SystemCall.result { address.withSockaddr { connect(fd, $0, $1) } }
        guard connected == 0 else {
            throw SetupError(description: "cannot reach the box at \(path): \(SystemError.last("connect").errno) (is `appliance run` running, and are you in the technicians group?)")
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array((command + "\n").utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
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
