import Foundation

/// Whether a host names this machine's loopback interface: `localhost`, an IPv4 address in
/// 127.0.0.0/8 written in full dotted form, or `::1`. Text that merely starts with "127." (a
/// host name such as 127.example.com) is not loopback.
public enum LoopbackAddress {
    public static func contains(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        }
        return false
    }

    /// A TCP connection to 127.0.0.1:`port`, or nil (for benches and tests that flood a server
    /// with raw sockets). Without `waiting`, the socket is non-blocking and may still be
    /// connecting when it is returned.
    public static func connect(port: Int, waiting: Bool = true) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | (waiting ? 0 : Int32(SOCK_NONBLOCK.rawValue)), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 || (!waiting && Glibc.errno == EINPROGRESS) else {
            close(fd)
            return nil
        }
        return fd
    }
}
