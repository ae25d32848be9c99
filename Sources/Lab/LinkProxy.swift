import Foundation
import Synchronization
import SystemSupport

/// A TCP relay on loopback standing in for the leased line between a box and the central
/// office: it can hold each direction to a bit rate (the 64 kbit/s benchmark) and cut every
/// connection once a given number of bytes has passed (the fault tests). It counts the bytes
/// that really crossed, TLS and HTTP overhead included.
package final class LinkProxy: Sendable {
    package let port: Int
    private let listener: Int32
    private let target: Int
    private let state = Mutex(State())
    /// Bytes per second each way; nil for no limit. A benchmark may scale it up to play an
    /// hour of traffic in minutes: the bytes are the same, the time scales back.
    package let bytesPerSecond: Double?

    package struct State {
        package var upstreamBytes = 0
        package var downstreamBytes = 0
        package var cutAfter: Int?
        package var cuts = 0
        package var sockets: Set<Int32> = []
        package var stopped = false
    }

    package struct Counts: Sendable {
        package var toBox: Int
        package var fromBox: Int
        package var cuts: Int
    }

    package init(to target: Int, bytesPerSecond: Double? = nil) throws {
        self.target = target
        self.bytesPerSecond = bytesPerSecond
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw SystemError.last("listen", "link proxy")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    package var counts: Counts { state.withLock { Counts(toBox: $0.upstreamBytes, fromBox: $0.downstreamBytes, cuts: $0.cuts) } }

    /// Cuts every connection once `bytes` more bytes have crossed (either way).
    package func cut(afterMoreBytes bytes: Int) {
        state.withLock { $0.cutAfter = $0.upstreamBytes + $0.downstreamBytes + bytes }
    }

    package func stop() {
        let sockets = state.withLock { s -> Set<Int32> in
            s.stopped = true
            return s.sockets
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = UInt16(port).bigEndian
        a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return a
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: target)
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard connected == 0, state.withLock({ s in
                if s.stopped { return false }
                s.sockets.formUnion([client, upstream])
                return true
            }) else {
                close(client)
                close(upstream)
                continue
            }
            let finished = Mutex(0)
            for (from, to, up) in [(client, upstream, true), (upstream, client, false)] {
                Thread.detachNewThread { [self] in
                    pump(from: from, to: to, toBox: up)
                    if finished.withLock({ $0 += 1; return $0 }) == 2 {
                        state.withLock { _ = $0.sockets.remove(client); _ = $0.sockets.remove(upstream) }
                        close(client)
                        close(upstream)
                    }
                }
            }
        }
    }

    private func pump(from: Int32, to: Int32, toBox: Bool) {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let started = Date()
        var sent = 0
        while true {
            let n = read(from, &buffer, buffer.count)
            if n <= 0 { break }
            var chunk = n
            let cut = state.withLock { s -> Bool in
                let total = s.upstreamBytes + s.downstreamBytes
                if let limit = s.cutAfter, total + n >= limit { chunk = max(0, limit - total) }
                if toBox { s.upstreamBytes += chunk } else { s.downstreamBytes += chunk }
                return chunk < n
            }
            if chunk > 0, !writeAll(to, buffer, chunk) { break }
            if cut {
                state.withLock { s in
                    s.cutAfter = nil
                    s.cuts += 1
                    for fd in s.sockets { shutdown(fd, Int32(SHUT_RDWR)) }
                }
                break
            }
            sent += chunk
            if let rate = bytesPerSecond {
                let due = Double(sent) / rate - Date().timeIntervalSince(started)
                if due > 0 { Thread.sleep(forTimeInterval: due) }
            }
        }
        shutdown(to, Int32(SHUT_WR))
    }

    private func writeAll(_ fd: Int32, _ buffer: [UInt8], _ count: Int) -> Bool {
        var at = 0
        while at < count {
            let w = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + at, count - at) }
            if w <= 0 { return false }
            at += w
        }
        return true
    }
}
