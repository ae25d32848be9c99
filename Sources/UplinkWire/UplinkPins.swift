import Crypto
import Foundation
import NIOSSL
import X509

/// Who is at the other end of the uplink, as their certificate says: for the audit log.
package struct PeerIdentity: Sendable, Equatable, Codable {
    /// SHA-256 of the whole certificate, colon-separated hex (what `cert show` prints).
    package var fingerprint: String
    package var subject: String

    package init(fingerprint: String, subject: String) {
        self.fingerprint = fingerprint
        self.subject = subject
    }

    package init(_ certificate: NIOSSLCertificate) throws {
        let parsed = try Certificate(derEncoded: try certificate.toDERBytes())
        self.init(fingerprint: try UplinkCertificate.fingerprint(parsed), subject: parsed.subject.description)
    }
}

/// The certificates one end accepts from the other, pinned by their public key (SHA-256 of the
/// SubjectPublicKeyInfo), not by a chain: an enrolled certificate vouches for itself alone,
/// whatever its own extensions say, so nothing signed by its key gets in unenrolled.
package struct UplinkPins: Sendable {
    private let pinned: [String: PeerIdentity]

    package init(_ certificates: [NIOSSLCertificate]) throws {
        var pinned: [String: PeerIdentity] = [:]
        for certificate in certificates { pinned[try Self.spki(certificate)] = try PeerIdentity(certificate) }
        self.pinned = pinned
    }

    package var count: Int { pinned.count }

    /// The peer's certificate (the first of what it presented) when its key is pinned and it
    /// is valid now; nil otherwise.
    package func admit(_ presented: [NIOSSLCertificate], now: Date = Date()) -> PeerIdentity? {
        guard let leaf = presented.first, let key = try? Self.spki(leaf), pinned[key] != nil else { return nil }
        let seconds = time_t(now.timeIntervalSince1970)
        guard leaf.notValidBefore <= seconds, seconds <= leaf.notValidAfter else { return nil }
        return try? PeerIdentity(leaf)
    }

    package static func spki(_ certificate: NIOSSLCertificate) throws -> String {
        SHA256.hash(data: try certificate.extractPublicKey().toSPKIBytes()).map { String(format: "%02x", $0) }.joined()
    }
}
