import Central
import Foundation
import Testing
import TestSupport
import UplinkWire

/// The central office's inventory of boxes: enrolled through `hotline-central box`, pulled
/// each trusting only its own certificate, a few at a time, with each box's health recorded.
@Suite(.serialized, .tags(.system), .skippedInFastRun)
struct InventoryTests {
    static var tls: String { (try? UplinkRig.identities.get()) ?? "" }

    func central(_ db: PulledDatabase, _ arguments: String...) throws -> Tool.Output { try central(db, arguments) }

    /// Box 1 is pulled; box 2 presents a certificate other than the one it was enrolled with;
    /// box 3 says it is another node than it was enrolled as; box 4 is down. Only box 1's data
    /// lands, each box's health says what happened, and the metrics file says it too.
    @Test func eachBoxIsPulledTrustingOnlyItsOwnCertificate() async throws {
        let rigs = [try await UplinkRig.make(node: "1"), try await UplinkRig.make(node: "2"), try await UplinkRig.make(node: "5")]
        let db = try await PulledDatabase.make()
        for (node, url, certificate) in [("1", rigs[0].base, "box"), ("2", rigs[1].base, "stranger"), ("3", rigs[2].base, "box"),
                                         ("4", "https://127.0.0.1:1", "box")] {
            let r = try central(db, "box", "add", "--node", node, "--url", url, "--certificate", "\(Self.tls)/\(certificate).crt", "--district", "西湖区")
            #expect(r.status == 0, "\(r.stderr)")
        }
        let metrics = db.scratch.path("central.prom")
        let r = try central(db, "pull", "--cert", "\(Self.tls)/central.crt", "--key", "\(Self.tls)/central.key", "--store", db.store.root,
                            "--parallel", "2", "--metrics-file", metrics)
        #expect(r.status == 1)
        #expect(r.stdout.contains("node 1,"), "\(r.stdout)")
        #expect(r.stderr.contains("says it is node 5, but it is enrolled as 3; nothing was stored"), "\(r.stderr)")
        try await db.expectExactlyOnce(rig: rigs[0], node: "1", replay: nil)
        #expect(try await db.count("SELECT count(*) FROM changes WHERE node <> '1'") == 0)

        let health = Dictionary(uniqueKeysWithValues: try await BoxInventory(database: db.database).health().map { ($0.node, $0) })
        #expect(health["1"]?.lastError == nil && health["1"]?.lastPull != nil && health["1"]?.lagChanges == 0)
        for node in ["2", "3", "4"] {
            #expect(health[node]?.lastError != nil && health[node]?.lastPull == nil, "box \(node)")
        }
        let list = try central(db, "box", "list")
        #expect(list.status == 0 && list.stdout.contains("failing") && list.stdout.contains("last error:"), "\(list.stdout)")
        let figures = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(figures.contains("hotline_central_box_last_attempt_failed{node=\"1\",district=\"西湖区\"} 0.0"), "\(figures)")
        #expect(figures.contains("hotline_central_box_last_attempt_failed{node=\"4\",district=\"西湖区\"} 1.0"), "\(figures)")
        #expect(figures.contains("hotline_central_boxes{state=\"enrolled\"} 4"))
        #expect(figures.contains("hotline_central_box_certificate_expiry_timestamp_seconds{node=\"1\""))

        // Retired boxes are pulled no more, and what they sent stays.
        for node in ["2", "3", "4"] { #expect(try central(db, "box", "remove", "--node", node).status == 0) }
        let again = try central(db, "pull", "--cert", "\(Self.tls)/central.crt", "--key", "\(Self.tls)/central.key", "--store", db.store.root)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try await db.count("SELECT count(*) FROM changes WHERE node = '1'") > 0)
        await db.close()
        for rig in rigs { await rig.shutdown() }
    }

    @Test func aBoxThatCannotBeEnrolledIsRefusedSayingWhy() async throws {
        let db = try await PulledDatabase.make()
        let good = ["--url", "https://box-1.district:8443", "--certificate", "\(Self.tls)/box.crt", "--district", "d"]
        #expect(try central(db, ["box", "add", "--node", "1"] + good).status == 0)
        let ca = db.scratch.path("ca.crt")
        _ = try Tool.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", db.scratch.path("ca.key"),
                                              "-out", ca, "-subj", "/CN=city CA", "-days", "30", "-addext", "basicConstraints=critical,CA:TRUE"])
        for (arguments, why) in [
            (["--node", "1234"] + good, "node prefix 1234: 1 to 3 digits"),
            (["--node", "1"] + good, "node 1 is already enrolled"),
            (["--node", "2"] + good, "https://box-1.district:8443 is already box 1's URL"),
            (["--node", "2", "--url", "http://box-2:8443", "--certificate", "\(Self.tls)/box.crt", "--district", "d"], "a box is reached at an https:// URL"),
            (["--node", "2", "--url", "https://box-2:8443", "--certificate", ca, "--district", "d"], "is a CA certificate"),
            (["--node", "2", "--url", "https://box-2:8443", "--certificate", db.scratch.path("none.crt"), "--district", "d"], "missing"),
        ] {
            let r = try central(db, ["box", "add"] + arguments)
            #expect(r.status != 0 && r.stderr.contains(why), "\(arguments): \(r.stderr)")
        }
        let unknown = try central(db, "box", "remove", "--node", "9")
        #expect(unknown.status != 0 && unknown.stderr.contains("node 9 is not an enrolled box"), "\(unknown.stderr)")
        // A retired box's node can be enrolled again (a replaced box keeps its prefix).
        #expect(try central(db, "box", "remove", "--node", "1").status == 0)
        #expect(try central(db, ["box", "add", "--node", "1"] + good).status == 0)
        await db.close()
    }

    func central(_ db: PulledDatabase, _ arguments: [String]) throws -> Tool.Output {
        try Tool.run(Tool.central, arguments + ["--database", "\(db.database.url.rawValue)"])
    }
}
