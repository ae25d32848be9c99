import ArgumentParser
import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

package enum UplinkCertificate {
    package struct Made {
        package var keyPEM: String
        package var certificatePEM: String
        package var fingerprint: String
    }

    /// Which end of the uplink a certificate identifies: the box serves, the central office is
    /// its client.
    package enum Role: Sendable {
        case server, client
        var usage: ExtendedKeyUsage.Usage { self == .server ? .serverAuth : .clientAuth }
    }

    /// A self-signed leaf certificate (CA:FALSE, serverAuth or clientAuth): the other end pins
    /// its key, and it can vouch for nothing another could present. The central office's carries
    /// KeyUsage digitalSignature. The box's carries no KeyUsage (optional for an end entity,
    /// RFC 5280 §4.2.1.3): the puller's TLS (BoringSSL, through AsyncHTTPClient, which offers
    /// no verification callback) takes a self-signed certificate as its own trust anchor only if
    /// a KeyUsage present allows certificate signing, and CA:FALSE already keeps it from signing
    /// for others.
    package static func create(name: String, hosts: [String], days: Int, role: Role) throws -> Made {
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
                Critical(BasicConstraints.notCertificateAuthority)
                if role == .client { Critical(KeyUsage(digitalSignature: true)) }
                try ExtendedKeyUsage([role.usage])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(key))
        return Made(keyPEM: key.pemRepresentation, certificatePEM: try certificate.serializeAsPEM().pemString,
                    fingerprint: try fingerprint(certificate))
    }

    /// The end of a certificate's validity.
    package static func notValidAfter(_ certificate: NIOSSLCertificate) throws -> Date {
        try Certificate(derEncoded: try certificate.toDERBytes()).notValidAfter
    }

    /// Whole days until the end of a PEM certificate file's validity (negative once past); nil
    /// when there is no readable certificate there.
    package static func daysLeft(pemFile: String, now: Date = Date()) -> Int? {
        guard let certificate = try? NIOSSLCertificate.fromPEMFile(pemFile).first, let end = try? notValidAfter(certificate) else { return nil }
        return Int((end.timeIntervalSince(now) / 86_400).rounded(.down))
    }

    package static func fingerprint(_ certificate: Certificate) throws -> String {
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
