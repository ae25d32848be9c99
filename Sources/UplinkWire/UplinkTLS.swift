import Foundation
import NIOSSL
import X509

/// TLS settings for both ends of the uplink. Each end presents its certificate and accepts only
/// the other's: the box trusts the central office's pinned certificates (or its CA); the puller
/// trusts the boxes' certificates it was given.
package enum UplinkTLS {
    package struct SetupError: Error, CustomStringConvertible {
        package var description: String
    }

    /// Whom an end accepts: a directory of enrolled certificates, pinned by key, or one CA
    /// file, named in `trust:` on purpose, whose certificates it signed.
    package enum Trust {
        case pinned(UplinkPins, [NIOSSLCertificate])
        case authority([NIOSSLCertificate])

        var roots: [NIOSSLCertificate] {
            switch self {
            case .pinned(_, let certificates), .authority(let certificates): certificates
            }
        }
    }

    package static func trust(_ path: String, what: String) throws -> Trust {
        var isDirectory: ObjCBool = false
        let certificates = try certificates(path, what: what)
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return .authority(certificates) }
        return .pinned(try UplinkPins(certificates), certificates)
    }

    /// The box's side. With pinned certificates the handshake admits exactly their keys (the
    /// chain a client presents is not consulted); with a CA file, what that CA signed.
    package static func server(certificate: String, key keyPath: String, trust path: String) throws -> (TLSConfiguration, UplinkPins?) {
        let chain = try certificates(certificate, what: "the box's certificate")
        let trust = try trust(path, what: "the central office's trusted certificates (enrol one with `appliance cert enrol`)")
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(try key(keyPath)))
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates(trust.roots)
        tls.minimumTLSVersion = .tlsv12
        if case .pinned(let pins, _) = trust { return (tls, pins) }
        return (tls, nil)
    }

    /// The central office's side. Enrolled box certificates are the only trust anchors, and a
    /// CA certificate among them is refused: it could vouch for a box never enrolled.
    package static func client(certificate: String, key keyPath: String, trust path: String) throws -> TLSConfiguration {
        let trust = try trust(path, what: "the boxes' trusted certificates")
        if case .pinned = trust { try refuseAuthorities(trust.roots, in: path) }
        return try client(certificate: certificate, key: keyPath, roots: trust.roots)
    }

    /// The central office's side for one box of its inventory: that box's enrolled certificate
    /// is the only trust anchor.
    package static func client(certificate: String, key keyPath: String, box: NIOSSLCertificate, named: String) throws -> TLSConfiguration {
        try refuseAuthorities([box], in: named)
        return try client(certificate: certificate, key: keyPath, roots: [box])
    }

    private static func client(certificate: String, key keyPath: String, roots: [NIOSSLCertificate]) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateChain = try certificates(certificate, what: "the central office's certificate").map { .certificate($0) }
        tls.privateKey = .privateKey(try key(keyPath))
        tls.trustRoots = .certificates(roots)
        tls.minimumTLSVersion = .tlsv12
        return tls
    }

    package static func refuseAuthorities(_ certificates: [NIOSSLCertificate], in place: String) throws {
        for certificate in certificates where try isAuthority(certificate) {
            let subject = (try? PeerIdentity(certificate).subject) ?? "?"
            throw SetupError(description: "\(place): \(subject) is a CA certificate, which could vouch for boxes never enrolled; make the box a leaf certificate with `appliance cert create`, or name a CA file in --trust on purpose")
        }
    }

    private static func isAuthority(_ certificate: NIOSSLCertificate) throws -> Bool {
        let parsed = try Certificate(derEncoded: try certificate.toDERBytes())
        guard let constraints = try parsed.extensions.basicConstraints else { return false }
        if case .isCertificateAuthority = constraints { return true }
        return false
    }

    /// Every certificate in a PEM file, or in the .crt/.pem files of a directory.
    package static func certificates(_ path: String, what: String) throws -> [NIOSSLCertificate] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw SetupError(description: "\(path): missing (\(what))") }
        let files = isDirectory.boolValue
            ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".crt") || $0.hasSuffix(".pem") }.sorted().map { "\(path)/\($0)" }
            : [path]
        var out: [NIOSSLCertificate] = []
        for file in files {
            do { out += try NIOSSLCertificate.fromPEMFile(file) } catch { throw SetupError(description: "\(file): not a PEM certificate (\(what))") }
        }
        guard !out.isEmpty else { throw SetupError(description: "\(path): holds no certificate (\(what))") }
        return out
    }

    package static func key(_ path: String) throws -> NIOSSLPrivateKey {
        do { return try NIOSSLPrivateKey(file: path, format: .pem) } catch { throw SetupError(description: "\(path): not a readable PEM private key") }
    }
}
