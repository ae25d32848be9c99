import Box
import Central
import Crypto
import Foundation
import LocalDB
import NIOSSL
import SwiftASN1
import SystemTestSupport
import Testing
import TestSupport
import UplinkServer
import UplinkWire
import X509

/// Who may talk to the box, and the record of what they changed.
@Suite(.serialized, .tags(.system), .skippedInFastRun)
struct UplinkIdentityTests {
    /// On 429158c enrolled certificates were CA certificates installed as trust roots, so one
    /// signed by the central office's key got in although it was never enrolled.
    @Test func aCertificateSignedByAnEnrolledKeyIsRefused() async throws {
        let rig = try await UplinkRig.make(populated: false)
        let dir = try UplinkRig.identities.get()
        try Self.forge(name: "forged", signedBy: "central", in: dir)
        let client = UplinkRig.client(identity: "forged")
        await #expect(throws: (any Error).self) { _ = try await rig.request(.GET, "/v1/health", client: client) }
        try await client.shutdown()
        #expect(try await rig.request(.GET, "/v1/health").status == 200)
        await rig.shutdown()
    }

    @Test func certificatesAreLeavesForTheirEnd() throws {
        for (role, usage) in [(UplinkCertificate.Role.server, ExtendedKeyUsage.Usage.serverAuth), (.client, .clientAuth)] {
            let made = try UplinkCertificate.create(name: "x", hosts: ["127.0.0.1"], days: 10, role: role)
            let c = try Certificate(pemEncoded: made.certificatePEM)
            #expect(try c.extensions.basicConstraints == .notCertificateAuthority)
            #expect(try c.extensions.keyUsage == (role == .client ? KeyUsage(digitalSignature: true) : nil))
            #expect(try c.extensions.extendedKeyUsage.map(Array.init) == [usage])
        }
    }

    /// A pin admits its key while the certificate is valid, and nothing else.
    @Test func pinsAdmitTheirKeyWhileValid() throws {
        let dir = try UplinkRig.identities.get()
        let central = try NIOSSLCertificate.fromPEMFile("\(dir)/central.crt")
        let pins = try UplinkPins(central)
        #expect(pins.admit(central)?.subject.contains("central") == true)
        #expect(pins.admit(central, now: Date().addingTimeInterval(400 * 86_400)) == nil)
        #expect(pins.admit(try NIOSSLCertificate.fromPEMFile("\(dir)/stranger.crt")) == nil)
        #expect(pins.admit([]) == nil)
    }

    /// The puller refuses a CA certificate among the boxes it pins: it could vouch for a box
    /// never enrolled.
    @Test func thePullerRefusesACACertificateAmongItsPins() throws {
        let scratch = try ScratchDirectory()
        try FileManager.default.createDirectory(atPath: scratch.path("boxes"), withIntermediateDirectories: true)
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("old box") }
        let ca = try Certificate(version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: Date(), notValidAfter: Date() + 86_400,
                                 issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                                 extensions: try Certificate.Extensions { Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0)) },
                                 issuerPrivateKey: .init(key))
        try ca.serializeAsPEM().pemString.write(toFile: scratch.path("boxes/old.crt"), atomically: true, encoding: .utf8)
        let dir = try UplinkRig.identities.get()
        #expect {
            _ = try UplinkTLS.client(certificate: "\(dir)/central.crt", key: "\(dir)/central.key", trust: scratch.path("boxes"))
        } throws: { "\($0)".contains("CA certificate") }
    }

    /// Every ack, status update and push is recorded with the certificate that sent it and
    /// what came of it, in the store and in the box's log.
    @Test func everyChangeIsAuditedWithItsSender() async throws {
        let rig = try await UplinkRig.make()
        let latest = try #require(try await rig.request(.GET, "/v1/health").json["latest_change"] as? Int)
        #expect(try await rig.json(.POST, "/v1/ack", ["seq": latest]).status == 200)
        #expect(try await rig.json(.POST, "/v1/ack", ["seq": true]).status == 400)
        let store = try CaseStore(path: "\(rig.data)/cases.sqlite", prefix: rig.config.nodePrefix)
        let number = try #require(try store.cases().first).number.digits
        #expect(try await rig.json(.PUT, "/v1/cases/\(number)/status", ["status": "in_progress", "version": 1]).status == 200)
        #expect(try await rig.request(.PUT, "/v1/content/flow", body: Data("nodes: [".utf8)).status == 422)
        let fingerprint = try UplinkCertificate.fingerprint(try Certificate(pemEncoded: String(contentsOfFile: "\(try UplinkRig.identities.get())/central.crt", encoding: .utf8)))
        let entries = try store.auditEntries(last: 10)
        #expect(entries.map(\.action) == ["ack", "ack", "status", "push"])
        #expect(entries.allSatisfy { $0.peerFingerprint == fingerprint && $0.peerSubject?.contains("central") == true })
        #expect(entries[0].target == "seq \(latest)" && entries[0].result == "200")
        #expect(entries[1].result.hasPrefix("400"))
        #expect(entries[2].target == "case \(number) → in_progress v1")
        #expect(entries[3].target.hasPrefix("flow (8 bytes") && entries[3].result.hasPrefix("422"))
        let notices = rig.runner.service.notices.withLock { $0 }
        #expect(notices.filter { $0.hasPrefix("audit: ") }.count == 4, "\(notices)")
        await rig.shutdown()
    }

    /// Health and metrics say when the box's certificate ends, and warn 30 days ahead.
    @Test(arguments: [(300.0, false), (345.0, true), (400.0, true)])
    func certificateExpiryIsReported(daysFromNow: Double, warned: Bool) throws {
        let scratch = try ScratchDirectory()
        let made = try UplinkCertificate.create(name: "box", hosts: ["127.0.0.1"], days: 365, role: .server)
        try made.certificatePEM.write(toFile: scratch.path("box.crt"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: scratch.path("data"), withIntermediateDirectories: true)
        var config = try SimulationRig.config(data: scratch.path("data"))
        config.uplink = UplinkConfig(enabled: true, certificate: scratch.path("box.crt"))
        let service = try UplinkService(config: config, now: { Date().addingTimeInterval(daysFromNow * 86_400) })
        let health = try service.health()
        let left = try #require(health.certificate?.daysLeft)
        #expect(abs(left - Int(365 - daysFromNow)) <= 1)
        #expect((health.status == .warning) == warned && health.warnings.isEmpty == !warned)
        #expect(try service.metrics().contains("hotline_uplink_certificate_days_left \(left)"))
    }

    /// The box's certificate is renewed with a new key: the central office trusts both for the
    /// change-over, the box restarts with the new one, and the pull goes on from its cursor
    /// with nothing twice (docs/UPLINK.md, "Renewing a certificate").
    @Test func aRenewedBoxCertificateKeepsThePullCursor() async throws {
        let rig = try await UplinkRig.make()
        let central = try ScratchDirectory()
        let dir = try UplinkRig.identities.get()
        let (first, url) = try rig.puller(into: central.path("pulled"))
        _ = try await first.pull(box: url)
        try await first.shutdown()
        rig.runner.stop()

        let renewed = try UplinkCertificate.create(name: "box", hosts: ["localhost", "127.0.0.1"], days: 365, role: .server)
        try FileManager.default.createDirectory(atPath: central.path("boxes"), withIntermediateDirectories: true)
        try renewed.certificatePEM.write(toFile: central.path("boxes/box-new.crt"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: "\(dir)/box.crt", toPath: central.path("boxes/box-old.crt"))
        try renewed.keyPEM.write(toFile: central.path("box-new.key"), atomically: true, encoding: .utf8)
        var config = rig.config
        config.uplink.certificate = central.path("boxes/box-new.crt")
        config.uplink.key = central.path("box-new.key")
        let renewedConfig = config
        let runner = try await offPool { try UplinkRunner(service: UplinkService(config: renewedConfig)) }
        defer { runner.stop() }
        let tls = try UplinkTLS.client(certificate: "\(dir)/central.crt", key: "\(dir)/central.key", trust: central.path("boxes"))
        let second = Puller(tls: tls, into: central.path("pulled"))
        let again = try await second.pull(box: "https://127.0.0.1:\(runner.port)")
        #expect(again.changes == 0 && again.media == 0)
        try UplinkTests.expectExactlyOnce(central.path("pulled/1"), rig: rig)
        try await second.shutdown()
        await rig.shutdown()
    }

    /// A client certificate with its own key whose issuer is `signer`'s subject, signed by
    /// `signer`'s key: NAME.crt (with the signer's certificate after it) and NAME.key.
    static func forge(name: String, signedBy signer: String, in dir: String) throws {
        let signerKey = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: "\(dir)/\(signer).key", encoding: .utf8))
        let signerPEM = try String(contentsOfFile: "\(dir)/\(signer).crt", encoding: .utf8)
        let key = P256.Signing.PrivateKey()
        let forged = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: Date() - 3600, notValidAfter: Date() + 86_400,
            issuer: try Certificate(pemEncoded: signerPEM).subject, subject: try DistinguishedName { CommonName(name) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { try ExtendedKeyUsage([.clientAuth]) }, issuerPrivateKey: .init(signerKey))
        try (try forged.serializeAsPEM().pemString + "\n" + signerPEM).write(toFile: "\(dir)/\(name).crt", atomically: true, encoding: .utf8)
        try key.pemRepresentation.write(toFile: "\(dir)/\(name).key", atomically: true, encoding: .utf8)
    }
}
