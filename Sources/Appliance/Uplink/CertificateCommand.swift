import ArgumentParser
import Crypto
import Foundation
import SwiftASN1
import X509

/// Keys and certificates for the uplink's mutual TLS: the box's own, the central office's, and
/// enrolling a central office's certificate on a box.
struct CertificateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Create the box's (or a central office's) key and certificate; enrol a central office's certificate on the box.",
        subcommands: [Create.self, Enrol.self, Show.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a P-256 key (NAME.key, mode 0600) and a self-signed certificate (NAME.crt) in DIR.")
        @Option(help: "File name and certificate common name, e.g. box-0571 or central.") var name: String
        @Option(help: "Directory to write into.") var out: String
        @Option(name: .customLong("host"), help: "A DNS name or IP address the certificate is valid for (repeat). Default: localhost and 127.0.0.1.")
        var hosts: [String] = []
        @Option(help: "Days the certificate is valid.") var days = 3650

        func run() throws {
            let made = try UplinkCertificate.create(name: name, hosts: hosts.isEmpty ? ["localhost", "127.0.0.1"] : hosts, days: days)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let key = "\(out)/\(name).key", crt = "\(out)/\(name).crt"
            for path in [key, crt] where FileManager.default.fileExists(atPath: path) {
                throw CommandFailure("\(path) exists; remove it first if a new identity is really wanted")
            }
            guard FileManager.default.createFile(atPath: key, contents: Data(made.keyPEM.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CommandFailure("\(key): cannot write")
            }
            try made.certificatePEM.write(toFile: crt, atomically: true, encoding: .utf8)
            print("wrote \(key) and \(crt)\nfingerprint sha256 \(made.fingerprint)")
        }
    }

    struct Enrol: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trust a central office's certificate (PEM) for the uplink; takes effect at the next start.")
        @Argument(help: "The central office's certificate (PEM).") var certificate: String
        @Option(help: "Config file (YAML); the certificate goes into its uplink trust directory.") var config: String?

        func run() throws {
            let settings = try BoxConfig.forCommand(config)
            guard let text = try? String(contentsOfFile: certificate, encoding: .utf8) else { throw CommandFailure("\(certificate): cannot read") }
            let parsed: Certificate
            do { parsed = try Certificate(pemEncoded: text) } catch { throw CommandFailure("\(certificate): not a PEM certificate: \(error)") }
            let directory = settings.uplink.trustDirectory(data: settings.dataDirectory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let name = (certificate as NSString).lastPathComponent
            try DurableFile.write(Data(text.utf8), to: "\(directory)/\(name)")
            print("enrolled \(parsed.subject) (sha256 \(try UplinkCertificate.fingerprint(parsed))) in \(directory)")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a certificate's subject, validity and SHA-256 fingerprint.")
        @Argument var certificate: String

        func run() throws {
            guard let text = try? String(contentsOfFile: certificate, encoding: .utf8),
                  let parsed = try? Certificate(pemEncoded: text) else { throw CommandFailure("\(certificate): not a readable PEM certificate") }
            print("subject \(parsed.subject)\nvalid \(parsed.notValidBefore) to \(parsed.notValidAfter)\nsha256 \(try UplinkCertificate.fingerprint(parsed))")
        }
    }
}

enum UplinkCertificate {
    struct Made {
        var keyPEM: String
        var certificatePEM: String
        var fingerprint: String
    }

    /// A self-signed certificate usable both as a TLS server and client identity and as its own
    /// trust anchor (each side pins the other's certificate).
    static func create(name: String, hosts: [String], days: Int) throws -> Made {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("12345 hotline")
            CommonName(name)
        }
        let names: [GeneralName] = hosts.map { host in
            if let ip = IPv4(host) { return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(ip))) }
            return .dnsName(host)
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(Double(days) * 86400),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(key))
        return Made(keyPEM: key.pemRepresentation, certificatePEM: try certificate.serializeAsPEM().pemString,
                    fingerprint: try fingerprint(certificate))
    }

    static func fingerprint(_ certificate: Certificate) throws -> String {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return SHA256.hash(data: serializer.serializedBytes).map { String(format: "%02x", $0) }.joined(separator: ":")
    }

    private static func IPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map { UInt8($0) }
        guard parts.count == 4, parts.allSatisfy({ $0 != nil }) else { return nil }
        return parts.compactMap { $0 }
    }
}
