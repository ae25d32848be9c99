import Foundation
import IVR
import SystemSupport
import Yams

/// The `uplink:` section of the config: where the central office reaches the box, with which
/// identity, whom it trusts, and how long acked media stay on the box.
package struct UplinkConfig: Sendable {
    /// False when the config has no `uplink:` section: the box serves no uplink.
    package var enabled = false
    package var host = "127.0.0.1"
    package var port = 8443
    /// The box's certificate and key (default DATA_DIR/tls/box.crt, box.key).
    package var certificate: String?
    package var key: String?
    /// PEM certificates trusted for the central office's client certificate: a directory of
    /// pinned certificates (default DATA_DIR/tls/central, where `appliance cert enrol` puts
    /// them) or one CA file.
    package var trust: String?
    /// Plain HTTP: for tests only, and only on a loopback address.
    package var plainHTTP = false
    /// The technician set `listen` at the console (`uplink listen`), the config has no section.
    package var setAtConsole = false
    /// Days acked media stay on the box before their files are deleted.
    package var retentionDays = 30.0
    package var bounds = UplinkBounds()

    package init(enabled: Bool = false, host: String = "127.0.0.1", port: Int = 8443, certificate: String? = nil, key: String? = nil,
                 trust: String? = nil, plainHTTP: Bool = false, retentionDays: Double = 30) {
        self.enabled = enabled
        self.host = host
        self.port = port
        self.certificate = certificate
        self.key = key
        self.trust = trust
        self.plainHTTP = plainHTTP
        self.retentionDays = retentionDays
    }

    package func certificatePath(data: String) -> String { certificate ?? "\(data)/tls/box.crt" }
    package func keyPath(data: String) -> String { key ?? "\(data)/tls/box.key" }
    package func trustDirectory(data: String) -> String { trust ?? "\(data)/tls/central" }


    /// `HOST:PORT` (an IPv6 host in brackets) as its parts; nil when it is not one.
    package static func listenAddress(_ text: String) -> (host: String, port: Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, let port = parts.last.flatMap({ Int($0) }), (1...65535).contains(port) else { return nil }
        let host = parts.dropLast().joined(separator: ":").trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:".contains($0)) }) else { return nil }
        return (host, port)
    }

    /// Reads the section; problems go to `y` with their lines.
    package static func parse(_ value: Yams.Node, _ y: YAMLReader, path: (String) -> String) -> UplinkConfig {
        var u = UplinkConfig(enabled: true)
        var plainLine: Yams.Node?
        var listened = false
        let pairs = y.pairs(value, what: "uplink")
        for (k, v, l) in pairs {
            switch k {
            case "listen":
                listened = true
                if let s = y.string(v, k, in: "uplink", at: l) {
                    if let (host, port) = listenAddress(s) { (u.host, u.port) = (host, port) } else { y.fail(v, "uplink: listen must be HOST:PORT, e.g. 10.8.0.21:8443") }
                }
            case "certificate": u.certificate = y.string(v, k, in: "uplink", at: l).map(path)
            case "key": u.key = y.string(v, k, in: "uplink", at: l).map(path)
            case "trust": u.trust = y.string(v, k, in: "uplink", at: l).map(path)
            case "plain_http":
                plainLine = v
                u.plainHTTP = y.bool(v, k, in: "uplink") ?? u.plainHTTP
            case "retention_days":
                if let s = v.string, let d = Double(s), (0...3650).contains(d) { u.retentionDays = d } else { y.fail(v, "uplink: retention_days must be a number of days, 0 to 3650") }
            default:
                if !u.bounds.parse(k, v, y) { y.fail(l, "uplink: unknown key \"\(k)\"") }
            }
        }
        // The box answers on the leased line's address alone unless told otherwise: a default of
        // every interface would put the case store on whatever network the box is plugged into.
        if !listened { y.fail(pairs.first?.line ?? y.line(value), "uplink: listen is required: the leased line's address and port, e.g. 10.8.0.21:8443") }
        if u.plainHTTP, !LoopbackAddress.contains(u.host), let plainLine {
            y.fail(plainLine, "uplink: plain_http is only allowed when listen is a loopback address (127.0.0.1); citizens' complaints never cross a network unencrypted")
        }
        return u
    }
}
