import IVR
import Yams

/// What one peer of the uplink may cost the box, each bound in the `uplink:` section with a safe
/// default (docs/UPLINK.md). The uplink is a guest: these keep it from taking descriptors,
/// memory or time the calls need.
package struct UplinkBounds: Sendable, Equatable {
    /// Open connections at once. The process keeps descriptors beyond this for lines,
    /// recordings and the store (systemd/appliance.service's LimitNOFILE covers both).
    package var maxConnections = 256
    /// From accept to a completed TLS handshake with an enrolled certificate.
    package var handshakeMs = 5_000
    /// With no byte read or written.
    package var idleMs = 30_000
    /// From a request's first byte to its last, for everything but pushes.
    package var requestMs = 30_000
    /// From a push's first byte to its answer: upload, unpacking and every check.
    package var pushMs = 600_000
    /// A JSON request body (acks, status updates).
    package var maxJSONBytes = 64 << 10

    package init() {}

    /// Descriptors the uplink never takes: lines, recordings being written, the store and its
    /// journal, logs, the control socket and its clients.
    package static let reservedDescriptors = 192

    /// Reads one key of the section into its bound; false when the key is not a bound.
    mutating func parse(_ key: String, _ value: Node, _ y: YAMLReader) -> Bool {
        switch key {
        case "max_connections": maxConnections = y.int(value, key, in: "uplink", range: 1...4096) ?? maxConnections
        case "handshake_timeout": handshakeMs = y.duration(value, key, in: "uplink", range: 500...60_000) ?? handshakeMs
        case "idle_timeout": idleMs = y.duration(value, key, in: "uplink", range: 1_000...3_600_000) ?? idleMs
        case "request_timeout": requestMs = y.duration(value, key, in: "uplink", range: 1_000...600_000) ?? requestMs
        case "push_timeout": pushMs = y.duration(value, key, in: "uplink", range: 10_000...3_600_000) ?? pushMs
        case "max_json_body": maxJSONBytes = y.int(value, key, in: "uplink", range: 1_024...(1 << 20)) ?? maxJSONBytes
        default: return false
        }
        return true
    }
}
