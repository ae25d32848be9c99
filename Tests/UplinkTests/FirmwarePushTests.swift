import Box
import Central
import Foundation
import HotlineModel
import Lab
import LocalDB
import SystemSupport
import SystemTestSupport
import Testing
import TestSupport
import UplinkServer
import UplinkWire

/// The headers of one firmware piece.
@Suite(.tags(.unit)) struct FirmwarePieceHeaderTests {
    @Test(arguments: [
        ("bytes 0-0/1", FirmwareReceiver.Piece(first: 0, last: 0, total: 1)),
        ("bytes 0-1048575/230000000", FirmwareReceiver.Piece(first: 0, last: 1_048_575, total: 230_000_000)),
        ("bytes 229999999-229999999/230000000", FirmwareReceiver.Piece(first: 229_999_999, last: 229_999_999, total: 230_000_000)),
    ])
    func aContentRangeIsOnePieceOfAKnownWhole(_ header: String, _ piece: FirmwareReceiver.Piece) {
        #expect(FirmwareReceiver.Piece(contentRange: header) == piece)
    }

    @Test(arguments: ["", "bytes", "bytes 0-9", "bytes 0-9/*", "bytes */10", "bytes=0-9/10", "bytes 5-3/10", "bytes 0-10/10", "bytes -1-3/10",
                      "bytes 0-3/99999999999999999999999", "bytes 0x0-3/10", "bytes 0-3/10/20", "bytes 0--3/10", "bytes ٠-٣/10", " bytes 0-3/10"])
    func anythingElseIsNoPiece(_ header: String) {
        #expect(FirmwareReceiver.Piece(contentRange: header) == nil)
    }

    @Test func aReprDigestNamesTheBundleBySHA256() {
        let digest = Data((0..<32).map { UInt8($0) })
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        #expect(FirmwareReceiver.digest(reprDigest: "sha-256=:\(digest.base64EncodedString()):") == hex)
        #expect(FirmwareReceiver.digest(reprDigest: "sha-512=:AAAA:, sha-256=:\(digest.base64EncodedString()):") == hex)
        #expect(FirmwareReceiver.digest(reprDigest: "sha-256=:\(Data(count: 16).base64EncodedString()):") == nil)
        #expect(FirmwareReceiver.digest(reprDigest: "sha-256=:not base64!:") == nil)
        #expect(FirmwareReceiver.digest(reprDigest: "md5=:\(digest.base64EncodedString()):") == nil)
        #expect(FirmwareReceiver.digest(reprDigest: "") == nil)
    }
}

/// A firmware bundle pushed over the uplink (`PUT /v1/content/firmware`): a piece at a time,
/// across a restart, verified whole, handed to RAUC once; every bad piece refused with what was
/// wrong and nothing of it kept.
@Suite(.serialized, .tags(.system), .skippedInFastRun)
struct FirmwarePushTests {
    static let piece = UplinkLimits.firmwarePieceBytes

    static func bundle(_ bytes: Int, seed: UInt8 = 7) -> Data {
        var generator = SeededGenerator(seed: UInt64(seed))
        return generator.bytes(bytes)
    }

    static func headers(_ bundle: Data, from first: Int, count: Int) -> [(String, String)] {
        [("Content-Range", "bytes \(first)-\(first + count - 1)/\(bundle.count)"), ("Repr-Digest", reprDigest(bundle))]
    }

    static func reprDigest(_ bundle: Data) -> String { "sha-256=:\(Data(hexString: ContentDigest.sha256Hex(bundle)).base64EncodedString()):" }

    /// A box whose RAUC is SimulatedRAUC in `scratch`.
    static func box(_ scratch: ScratchDirectory, installsUntilEnded: Bool = false, diskFreeBytes: (@Sendable () -> Int)? = nil) async throws -> UplinkRig {
        let updates = UpdateInstaller(tools: try SimulatedRAUC.tools(in: scratch.url.path, installsUntilEnded: installsUntilEnded), scratch: scratch.url.path)
        return try await UplinkRig.make(populated: false, scratch: scratch, updates: updates, diskFreeBytes: diskFreeBytes)
    }

    static func send(_ rig: UplinkRig, _ bundle: Data, from first: Int, count: Int) async throws -> UplinkRig.Reply {
        try await rig.request(.PUT, "/v1/content/firmware", body: bundle.subdata(in: first..<(first + count)), headers: headers(bundle, from: first, count: count))
    }

    static func installs(_ scratch: ScratchDirectory, count: Int) -> [String] {
        SimulatedRAUC.installs(in: scratch.url.path, awaiting: count, within: 10)
    }

    @Test func aBundleArrivesInPiecesAcrossARestartAndRAUCGetsItOnce() async throws {
        let scratch = try ScratchDirectory()
        let bundle = Self.bundle(Self.piece * 2 + 12_345)
        let sha = ContentDigest.sha256Hex(bundle)
        var rig = try await Self.box(scratch)
        let first = try await Self.send(rig, bundle, from: 0, count: Self.piece)
        #expect(first.status == 200 && first.json["received"] as? Int == Self.piece && first.json["handed_to_rauc"] as? Bool == false, "\(first.json)")
        // The box restarts (or its power is cut): the piece it acknowledged is still there.
        await rig.shutdown()
        rig = try await Self.box(scratch)
        let state = try await rig.request(.GET, "/v1/content/firmware").json
        let transfer = try #require(state["transfer"] as? [String: Any])
        #expect(transfer["sha256"] as? String == sha && transfer["received"] as? Int == Self.piece && transfer["total"] as? Int == bundle.count)
        #expect((state["update"] as? [String])?.first?.hasPrefix("slot A:") == true, "\(state)")
        // A piece past the box's end is refused with where to go on from.
        let gap = try await Self.send(rig, bundle, from: Self.piece * 2, count: 12_345)
        #expect(gap.status == 409 && (gap.json["error"] as? String ?? "").contains("send from byte \(Self.piece)"), "\(gap.json)")
        // A piece it has already (its reply was lost) changes nothing.
        let again = try await Self.send(rig, bundle, from: 0, count: Self.piece)
        #expect(again.status == 200 && again.json["received"] as? Int == Self.piece)
        #expect(try await Self.send(rig, bundle, from: Self.piece, count: Self.piece).status == 200)
        let last = try await Self.send(rig, bundle, from: Self.piece * 2, count: 12_345)
        #expect(last.status == 200 && last.json["handed_to_rauc"] as? Bool == true && (last.json["update"] as? String ?? "").hasPrefix("installing "), "\(last.json)")
        #expect(Self.installs(scratch, count: 1) == [sha])
        // The last piece again after a lost reply: RAUC is not given the bundle twice.
        let repeated = try await Self.send(rig, bundle, from: Self.piece * 2, count: 12_345)
        #expect(repeated.status == 200 && repeated.json["handed_to_rauc"] as? Bool == true)
        usleep(300_000)
        #expect(SimulatedRAUC.installs(in: scratch.url.path) == [sha])
        // RAUC has ended: the bundle's bytes are gone from the data partition.
        var waited = 0
        while FileManager.default.fileExists(atPath: "\(rig.data)/firmware/\(sha).raucb") && waited < 10_000 { usleep(20_000); waited += 20 }
        #expect(!FileManager.default.fileExists(atPath: "\(rig.data)/firmware/\(sha).raucb"))
        let audit = try CaseStore(path: "\(rig.data)/cases.sqlite", prefix: rig.config.nodePrefix).db.query("SELECT target, result FROM audit WHERE action = 'firmware'")
            .map { "\($0.text("target") ?? "") → \($0.text("result") ?? "")" }
        #expect(audit.count == 6 && audit.allSatisfy { $0.hasPrefix("bundle \(sha.prefix(16)) bytes ") } && audit[1].hasSuffix("→ 409: the box has \(Self.piece) bytes of bundle \(sha.prefix(16))…: send from byte \(Self.piece), not \(Self.piece * 2)"), "\(audit)")
        await rig.shutdown()
    }

    /// Bad pieces, each from a fresh box: the status and what the refusal says.
    static let badPieces: [(name: String, headers: @Sendable (Data) -> [(String, String)], body: @Sendable (Data) -> Data, status: Int, problem: String)] = [
        ("no digest", { b in [("Content-Range", "bytes 0-\(b.count - 1)/\(b.count)")] }, { $0 }, 400, "Repr-Digest"),
        ("an MD5 digest", { b in [("Content-Range", "bytes 0-\(b.count - 1)/\(b.count)"), ("Repr-Digest", "md5=:\(Data(count: 16).base64EncodedString()):")] }, { $0 }, 400, "Repr-Digest"),
        ("no range", { b in [("Repr-Digest", reprDigest(b))] }, { $0 }, 400, "Content-Range: bytes FIRST-LAST/TOTAL"),
        ("a range past its total", { b in [("Content-Range", "bytes 0-\(b.count)/\(b.count)"), ("Repr-Digest", reprDigest(b))] }, { $0 }, 400, "Content-Range"),
        ("a body shorter than its range", { b in headers(b, from: 0, count: b.count) }, { $0.prefix(100) }, 400, "the body has 100 bytes"),
        ("a bundle over 1 GiB", { b in [("Content-Range", "bytes 0-\(b.count - 1)/\(UplinkLimits.maxFirmwareBytes + 1)"), ("Repr-Digest", reprDigest(b))] }, { $0 }, 413, "at most \(UplinkLimits.maxFirmwareBytes) bytes"),
        ("a first piece not at byte 0", { b in [("Content-Range", "bytes 10-\(b.count + 9)/\(b.count + 10)"), ("Repr-Digest", reprDigest(b))] }, { $0 }, 409, "send from byte 0, not 10"),
        ("bytes that hash to another digest", { b in [("Content-Range", "bytes 0-\(b.count - 1)/\(b.count)"), ("Repr-Digest", reprDigest(Data(b.reversed())))] }, { $0 }, 422, "hash to"),
        ("a piece over 16 MiB", { _ in [("Content-Range", "bytes 0-\((17 << 20) - 1)/\(17 << 20)"), ("Repr-Digest", reprDigest(Data(count: 17 << 20)))] }, { _ in Data(count: 17 << 20) }, 413, "a firmware piece is limited to"),
    ]

    @Test(arguments: badPieces.indices)
    func aBadPieceIsRefusedWithWhatWasWrongAndNothingIsKept(_ index: Int) async throws {
        let bad = Self.badPieces[index]
        let scratch = try ScratchDirectory()
        let rig = try await Self.box(scratch)
        let bundle = Self.bundle(4096, seed: UInt8(index))
        let reply = try await rig.request(.PUT, "/v1/content/firmware", body: bad.body(bundle), headers: bad.headers(bundle))
        #expect(reply.status == bad.status, "\(bad.name): \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        let said = (reply.json["error"] as? String ?? "") + ((reply.json["problems"] as? [String]) ?? []).joined()
        #expect(said.contains(bad.problem), "\(bad.name): \(said)")
        let state = try await rig.request(.GET, "/v1/content/firmware").json
        #expect(state["transfer"] == nil, "\(bad.name): \(state)")
        usleep(200_000)
        #expect(SimulatedRAUC.installs(in: scratch.url.path).isEmpty)
        await rig.shutdown()
    }

    @Test func aBundleThatWouldEatTheRecordingsRoomIsRefusedBeforeItsBytesCross() async throws {
        let scratch = try ScratchDirectory()
        let rig = try await Self.box(scratch, diskFreeBytes: { 300 << 20 })
        let body = Data(count: 1024)
        let reply = try await rig.request(.PUT, "/v1/content/firmware", body: body,
                                          headers: [("Content-Range", "bytes 0-1023/\(100 << 20)"), ("Repr-Digest", Self.reprDigest(body))])
        #expect(reply.status == 507 && (reply.json["error"] as? String ?? "").contains("kept for recordings"), "\(reply.json)")
        #expect(try await rig.request(.GET, "/v1/content/firmware").json["transfer"] == nil)
        await rig.shutdown()
    }

    @Test func aBoxWithoutRAUCRefusesFirmwareAtTheFirstPiece() async throws {
        let scratch = try ScratchDirectory()
        var tools = UpdateInstaller.Tools()
        tools.rauc = scratch.path("no-rauc")
        let rig = try await UplinkRig.make(populated: false, scratch: scratch, updates: UpdateInstaller(tools: tools, scratch: scratch.url.path))
        let bundle = Self.bundle(1000)
        let reply = try await Self.send(rig, bundle, from: 0, count: 1000)
        #expect(reply.status == 422 && ((reply.json["problems"] as? [String])?.first ?? "").contains("no RAUC"), "\(reply.json)")
        await rig.shutdown()
    }

    @Test func aCompleteBundleWaitsWhileRAUCInstallsAnotherAndIsHandedOverWhenAskedAgain() async throws {
        let scratch = try ScratchDirectory()
        let rig = try await Self.box(scratch, installsUntilEnded: true)
        let one = Self.bundle(5000, seed: 1), two = Self.bundle(6000, seed: 2)
        #expect(try await Self.send(rig, one, from: 0, count: 5000).json["handed_to_rauc"] as? Bool == true)
        let busy = try await Self.send(rig, two, from: 0, count: 6000)
        #expect(busy.status == 503 && busy.headers.first(name: "Retry-After") == "60" && (busy.json["error"] as? String ?? "").contains("running already"), "\(busy.json)")
        let waiting = try #require(try await rig.request(.GET, "/v1/content/firmware").json["transfer"] as? [String: Any])
        #expect(waiting["received"] as? Int == 6000 && waiting["handed_to_rauc"] as? Bool == false)
        try "".write(toFile: scratch.path("end"), atomically: true, encoding: .utf8)
        var reply = busy
        var waited = 0
        while reply.status == 503 && waited < 10_000 { usleep(50_000); waited += 50; reply = try await Self.send(rig, two, from: 5000, count: 1000) }
        #expect(reply.status == 200 && reply.json["handed_to_rauc"] as? Bool == true, "\(reply.json)")
        #expect(Self.installs(scratch, count: 2) == [ContentDigest.sha256Hex(one), ContentDigest.sha256Hex(two)])
        await rig.shutdown()
    }

    /// A box in the central office's inventory, and a bundle of `bytes` in a file there.
    static func enrolledBox(_ scratch: ScratchDirectory, bundle bytes: Int, seed: UInt8) async throws -> (UplinkRig, PulledDatabase, bundle: Data, file: String) {
        let rig = try await box(scratch)
        let db = try await PulledDatabase.make()
        try await BoxInventory(database: db.database).add(node: "1", url: rig.base, district: "d", certificate: "\(try UplinkRig.identities.get())/box.crt")
        let bundle = Self.bundle(bytes, seed: seed)
        let file = db.scratch.path("hotline-next.raucb")
        try bundle.write(to: URL(fileURLWithPath: file))
        return (rig, db, bundle, file)
    }

    /// `hotline-central push firmware`: queued, then sent in pieces from where the box is (a
    /// piece it already had is not sent again), installed once.
    @Test func theCentralOfficePushesABundleAndGoesOnFromTheBoxsBytes() async throws {
        let scratch = try ScratchDirectory()
        let (rig, db, bundle, file) = try await Self.enrolledBox(scratch, bundle: Self.piece * 3 + 777, seed: 9)
        let tls = try UplinkRig.identities.get()
        // An earlier round got one piece across before the line dropped.
        #expect(try await Self.send(rig, bundle, from: 0, count: Self.piece).status == 200)
        let push = try Tool.run(Tool.central, ["push", "firmware", file, "--node", "1", "--store", db.store.root, "--database", db.database.url.rawValue,
                                               "--cert", "\(tls)/central.crt", "--key", "\(tls)/central.key"])
        #expect(push.status == 0 && push.stdout.contains("box 1: sent 1, refused 0, 0 waiting"), "\(push.stdout)\(push.stderr)")
        #expect(Self.installs(scratch, count: 1) == [ContentDigest.sha256Hex(bundle)])
        let targets = try CaseStore(path: "\(rig.data)/cases.sqlite", prefix: rig.config.nodePrefix).db.query("SELECT target FROM audit WHERE action = 'firmware'")
            .compactMap { $0.text("target") }
        #expect(targets.filter { $0.contains(" bytes 0-") }.count == 1, "the first piece crossed once: \(targets)")
        #expect(targets.count == 4, "\(targets)")
        let reply = try await db.rows("SELECT reply::text FROM outbox WHERE delivered_at IS NOT NULL").first?.first ?? nil
        #expect(reply?.contains("\"handed_to_rauc\": true") == true, "\(reply ?? "")")
        await db.close()
        await rig.shutdown()
    }

    /// Rounds of one piece each (a round's time is up after every piece): the entry stays
    /// waiting, with how far it is, until the box has the bundle; nothing is sent twice.
    @Test func aBundleLongerThanARoundGoesOnRoundAfterRound() async throws {
        let scratch = try ScratchDirectory()
        let (rig, db, bundle, file) = try await Self.enrolledBox(scratch, bundle: Self.piece * 2 + 5, seed: 11)
        let outbox = Outbox(database: db.database)
        try await outbox.pushContent(.firmware, file: file, to: ["1"], store: db.store, by: "test")
        let (puller, base) = try rig.puller(target: db.postgres)
        var rounds: [Outbox.Delivery] = []
        var progress: [[String?]] = []
        for _ in 0..<3 {
            rounds.append(try await outbox.deliver(node: "1", base: base, via: puller, store: db.store, firmwareRound: .zero))
            progress += try await db.rows("SELECT coalesce(last_error, 'none'), attempts::text FROM outbox")
        }
        #expect(rounds == [Outbox.Delivery(waiting: 1), Outbox.Delivery(waiting: 1), Outbox.Delivery(delivered: 1)])
        #expect(progress == [["firmware: the box has \(Self.piece) of \(bundle.count) bytes", "0"],
                             ["firmware: the box has \(Self.piece * 2) of \(bundle.count) bytes", "0"], ["none", "1"]], "\(progress)")
        #expect(Self.installs(scratch, count: 1) == [ContentDigest.sha256Hex(bundle)])
        let targets = try CaseStore(path: "\(rig.data)/cases.sqlite", prefix: rig.config.nodePrefix).db.query("SELECT target FROM audit WHERE action = 'firmware'")
        #expect(targets.count == 3)
        try await puller.client.shutdown()
        await db.close()
        await rig.shutdown()
    }

    /// A leased line that drops in the middle of a piece costs that piece, sent again on a new
    /// connection in the same round; a line down for longer fails the round and backs off as
    /// any failure does, and the next round's progress starts the back-off afresh, so the
    /// outages of an hours-long push do not add up to hour-long waits. RAUC gets the bundle once.
    @Test func aLineThatDropsCostsAPieceAndProgressStartsTheBackOffAfresh() async throws {
        let scratch = try ScratchDirectory()
        let (rig, db, bundle, file) = try await Self.enrolledBox(scratch, bundle: Self.piece * 3 + 5, seed: 13)
        let outbox = Outbox(database: db.database)
        try await outbox.pushContent(.firmware, file: file, to: ["1"], store: db.store, by: "test")
        let proxy = try LinkProxy(to: rig.runner.port)
        defer { proxy.stop() }
        let (puller, base) = try rig.puller(target: db.postgres, via: proxy.port)
        func round(via base: String, for budget: Duration) async throws -> (Outbox.Delivery, [String?]) {
            _ = try await db.rows("UPDATE outbox SET next_attempt_at = now()")
            let delivery = try await outbox.deliver(node: "1", base: base, via: puller, store: db.store, firmwareRound: budget)
            return (delivery, try await db.rows("SELECT attempts::text, coalesce(last_error, 'none') FROM outbox").first ?? [])
        }
        let progress = { (bytes: Int) -> [String?] in ["0", "firmware: the box has \(bytes) of \(bundle.count) bytes"] }
        #expect(try await round(via: base, for: .zero) == (Outbox.Delivery(waiting: 1), progress(Self.piece)))
        // The line is down: nothing answers where the box was (for the client's 20 s).
        #expect(try await round(via: "https://127.0.0.1:1", for: .zero).1.first == "1")
        // It drops half-way through the next piece, which crosses again on a new connection.
        proxy.cut(afterMoreBytes: Self.piece / 2)
        #expect(try await round(via: base, for: .zero) == (Outbox.Delivery(waiting: 1), progress(Self.piece * 2)))
        #expect(proxy.counts.cuts == 1 && proxy.counts.toBox >= Self.piece * 5 / 2, "the cut piece crossed again")
        #expect(try await round(via: base, for: .seconds(600)).0 == Outbox.Delivery(delivered: 1))
        #expect(Self.installs(scratch, count: 1) == [ContentDigest.sha256Hex(bundle)])
        let pieces = try CaseStore(path: "\(rig.data)/cases.sqlite", prefix: rig.config.nodePrefix).db.query("SELECT target, result FROM audit WHERE action = 'firmware'")
        let stored = pieces.filter { $0.text("result") == "200" }.compactMap { $0.text("target") }
        #expect(stored.count == 4 && Set(stored).count == 4 && pieces.count == 5, "each piece stored once: \(pieces.map { ($0.text("target") ?? "") + " → " + ($0.text("result") ?? "") })")
        #expect(pieces.contains { ($0.text("result") ?? "").hasPrefix("400: a firmware piece was cut off: the connection closed before its last byte") },
                "the cut piece is audited as cut off: \(pieces.map { $0.text("result") ?? "" })")
        try await puller.client.shutdown()
        await db.close()
        await rig.shutdown()
    }
}
