import Foundation
import NIOSSL

/// TLS settings for both ends of the uplink. Each end presents its certificate and accepts only
/// the other's: the box trusts the central office's pinned certificates (or its CA); the puller
/// trusts the boxes' certificates it was given.
package enum UplinkTLS {
    package struct SetupError: Error, CustomStringConvertible {
        package var description: String
    }

    package static func server(certificate: String, key keyPath: String, trust: String) throws -> TLSConfiguration {
        let chain = try certificates(certificate, what: "the box's certificate")
        let trusted = try certificates(trust, what: "the central office's trusted certificates (enrol one with `appliance cert enrol`)")
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(try key(keyPath)))
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates(trusted)
        tls.minimumTLSVersion = .tlsv12
        return tls
    }

    package static func client(certificate: String, key keyPath: String, trust: String) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateChain = try certificates(certificate, what: "the central office's certificate").map { .certificate($0) }
        tls.privateKey = .privateKey(try key(keyPath))
        tls.trustRoots = .certificates(try certificates(trust, what: "the boxes' trusted certificates"))
        tls.minimumTLSVersion = .tlsv12
        return tls
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
