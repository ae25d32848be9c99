import Foundation
import HotlineModel
import Logging
import NIOHTTP1
import PostgresNIO
import SystemSupport
import UplinkWire

/// What goes back to the boxes: a case's status with its note, a call-back, new content (a
/// holiday calendar, a flow, prompts, documents). Written to the `outbox` table in the desk's
/// transaction, then delivered to the box in order, again and again until the box has it. A
/// retry after a lost reply, or after a restart, changes nothing twice: a status carries its
/// version (the box applies only a newer one), a call-back its `id` (the box finds the first
/// job again), and content is put in force whole or not at all, the same bytes each time.
package struct Outbox: Sendable {
    package let database: CentralDatabase

    package init(database: CentralDatabase) { self.database = database }

    /// Queues a status change for a case of box `node`; returns the version it carries: one past
    /// both the box's last reported version and any the desk already queued.
    @discardableResult
    package func setStatus(node: String, caseNumber: String, status: CaseStatus, note: String?, by user: String) async throws -> Int {
        let logger = database.logger
        return try await database.transaction { connection in
            var known: Int?
            for try await version in try await connection.query("""
                SELECT coalesce(status_version, 1) FROM cases WHERE node = \(node) AND number = \(caseNumber) FOR UPDATE
                """, logger: logger).decode(Int.self) { known = version }
            guard let known else { throw CentralRefusal("box \(node) has no case \(caseNumber)") }
            var queued = 0
            for try await version in try await connection.query("""
                SELECT coalesce(max((body->>'version')::bigint), 0) FROM outbox WHERE node = \(node) AND kind = 'status' AND case_number = \(caseNumber)
                """, logger: logger).decode(Int.self) { queued = version }
            let version = max(known, queued) + 1
            let body = String(decoding: WireJSON.encode(StatusUpdate(status: status, version: version, note: note)), as: UTF8.self)
            try await connection.query("""
                INSERT INTO outbox (node, kind, case_number, body, created_by) VALUES (\(node), 'status', \(caseNumber), \(body)::jsonb, \(user))
                """, logger: logger)
            return version
        }
    }

    /// Queues a call-back of the case's caller (or `number`), telling the case's status.
    package func scheduleCallback(node: String, caseNumber: String, number: String, by user: String) async throws -> String {
        let id = "desk-\(UUID().uuidString.lowercased())"
        let body = String(decoding: WireJSON.encode(CallbackSchedule(id: id, case: caseNumber, number: number, purpose: .result)), as: UTF8.self)
        try await database.client.query("""
            INSERT INTO outbox (node, kind, case_number, body, created_by) VALUES (\(node), 'callback', \(caseNumber), \(body)::jsonb, \(user))
            """, logger: database.logger)
        return id
    }

    /// Queues content or a firmware bundle for each of `nodes`; its bytes go to the media store
    /// once, by digest (copied and hashed a chunk at a time: a bundle is hundreds of MB).
    package func pushContent(_ kind: PushKind, file: String, to nodes: [String], store: MediaStore, by user: String) async throws {
        guard FileManager.default.isReadableFile(atPath: file) else { throw CentralRefusal("\(file): cannot be read") }
        let staging = try store.staging(node: "outbox")
        let copy = "\(staging)/\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: file, toPath: copy)
        let (size, sha) = try ContentDigest.sha256Hex(file: copy)
        let limit = Self.maxBytes(kind)
        guard size <= limit, size > 0 else {
            try? FileManager.default.removeItem(atPath: copy)
            throw CentralRefusal("\(file): \(size) bytes; a \(kind.name) push is 1 to \(limit) bytes")
        }
        let stored = try store.put(file: copy, sha256: sha, size: size, contentType: "application/octet-stream")
        let body = #"{"kind": "\#(kind.name)", "bytes": \#(size)}"#
        try await database.transaction { connection in
            try await connection.query("""
                INSERT INTO blobs (sha256, size, content_type) VALUES (\(stored.sha256), \(stored.size), \(stored.contentType)) ON CONFLICT DO NOTHING
                """, logger: database.logger)
            for node in nodes {
                var known = false
                for try await _ in try await connection.query("SELECT 1 FROM boxes WHERE node = \(node)", logger: database.logger) { known = true }
                guard known else { throw CentralRefusal("no box \(node) in the inventory") }
                try await connection.query("""
                    INSERT INTO outbox (node, kind, body, content_sha256, created_by) VALUES (\(node), 'content', \(body)::jsonb, \(sha), \(user))
                    """, logger: database.logger)
            }
        }
    }

    /// The box takes at most this much in one content push (`ContentPush.maxPackBytes` on its
    /// side), and a firmware bundle of at most `UplinkLimits.maxFirmwareBytes`.
    package static let maxContentBytes = 64 << 20

    package static func maxBytes(_ kind: PushKind) -> Int {
        switch kind {
        case .content: maxContentBytes
        case .firmware: UplinkLimits.maxFirmwareBytes
        }
    }

    /// How long one round sends a firmware bundle to one box before its other entries and the
    /// next box's turn (at 64 kbit/s, about 4.8 MB).
    package static let firmwareRound: Duration = .seconds(600)

    package struct Delivery: Sendable, Equatable {
        package var delivered = 0
        package var refused = 0
        package var waiting = 0

        package init(delivered: Int = 0, refused: Int = 0, waiting: Int = 0) {
            self.delivered = delivered
            self.refused = refused
            self.waiting = waiting
        }
    }

    /// Delivers box `node`'s queue through `puller`, oldest first. A box that cannot be reached
    /// or answers 5xx stops the round (a later status must not overtake an earlier one) and is
    /// tried again next round, later each time; a box that refuses an entry for good (4xx) has
    /// it marked refused with its words, and the round goes on.
    package func deliver(node: String, base: String, via puller: Puller, store: MediaStore, firmwareRound: Duration = Self.firmwareRound) async throws -> Delivery {
        let logger = database.logger
        var result = Delivery()
        let pending = try await database.client.query("""
            SELECT id, kind, case_number, body::text, attempts, next_attempt_at <= now(), content_sha256 FROM outbox
            WHERE node = \(node) AND delivered_at IS NULL AND refused_at IS NULL ORDER BY id
            """, logger: logger).decode((Int, String, String?, String, Int, Bool, String?).self)
        var entries: [(Int, String, String?, String, Int, Bool, String?)] = []
        for try await entry in pending { entries.append(entry) }
        // The oldest entry backing off holds the rest back with it, so order is kept.
        if let first = entries.first, !first.5 {
            result.waiting = entries.count
            return result
        }
        for (index, (id, kind, caseNumber, body, attempts, _, content)) in entries.enumerated() {
            let outcome: FirmwarePush.Outcome
            do {
                outcome = try await send(kind: kind, caseNumber: caseNumber, body: body, content: content, base: base, via: puller, store: store, firmwareRound: firmwareRound)
            } catch {
                try await retryLater(id, attempts: attempts, error: "\(error)")
                result.waiting = entries.count - index
                return result
            }
            guard case .answered(let status, let reply) = outcome else {
                // A firmware bundle part way: the next round goes on at once, no back-off (nothing
                // failed), and a line cut later starts its back-off afresh: the cuts of a long
                // push are not failures in a row.
                if case .inProgress(let received, let total) = outcome {
                    try await database.client.query("""
                        UPDATE outbox SET last_error = \("firmware: the box has \(received) of \(total) bytes"), attempts = 0, next_attempt_at = now() WHERE id = \(id)
                        """, logger: logger)
                }
                result.waiting = entries.count - index
                return result
            }
            switch status.code {
            case 200..<300:
                try await database.client.query("""
                    UPDATE outbox SET delivered_at = now(), attempts = attempts + 1, last_error = NULL, reply = \(String(decoding: reply, as: UTF8.self))::jsonb
                    WHERE id = \(id)
                    """, logger: logger)
                result.delivered += 1
            case 400..<500 where status != .tooManyRequests && status != .requestTimeout:
                try await database.client.query("""
                    UPDATE outbox SET refused_at = now(), attempts = attempts + 1, last_error = \("HTTP \(status.code): \(Puller.refusal(reply))")
                    WHERE id = \(id)
                    """, logger: logger)
                result.refused += 1
            default:
                try await retryLater(id, attempts: attempts, error: "HTTP \(status.code): \(Puller.refusal(reply))")
                result.waiting = entries.count - index
                return result
            }
        }
        return result
    }

    /// One entry as its request: a status, a call-back, or content with its bytes from the store
    /// (given ten minutes: a prompt pack at 64 kbit/s takes several), or a firmware bundle's
    /// pieces for a round.
    private func send(kind: String, caseNumber: String?, body: String, content: String?, base: String, via puller: Puller,
                      store: MediaStore, firmwareRound: Duration) async throws -> FirmwarePush.Outcome {
        switch kind {
        case "status":
            let (status, reply) = try await puller.send(.PUT, base, "/v1/cases/\(caseNumber ?? "")/status", body: Data(body.utf8))
            return .answered(status, reply)
        case "callback":
            let (status, reply) = try await puller.send(.POST, base, "/v1/callbacks", body: Data(body.utf8))
            return .answered(status, reply)
        default:
            let what = try WireJSON.decode(JSONValue.self, from: Data(body.utf8))
            guard case .string(let name)? = what["kind"], let pushed = PushKind(name: name), let sha = content,
                  FileManager.default.isReadableFile(atPath: store.path(sha256: sha)) else {
                throw CentralRefusal("content entry without its bytes in the store")
            }
            switch pushed {
            case .firmware:
                return try await FirmwarePush(puller: puller, base: base, file: store.path(sha256: sha), sha256: sha, budget: firmwareRound).run()
            case .content(let contentKind):
                let bytes = try Data(contentsOf: URL(fileURLWithPath: store.path(sha256: sha)))
                let (status, reply) = try await puller.send(.PUT, base, "/v1/content/\(contentKind.rawValue)", body: bytes, type: "application/octet-stream", timeout: 600)
                return .answered(status, reply)
            }
        }
    }

    /// Seconds an entry waits after its `attempts`-th failure in a row: from 30 s, doubling to
    /// at most an hour.
    package static func retryDelay(attempts: Int) -> Int { min(3600, 30 << min(attempts, 7)) }

    private func retryLater(_ id: Int, attempts: Int, error: String) async throws {
        let delay = Self.retryDelay(attempts: attempts)
        try await database.client.query("""
            UPDATE outbox SET attempts = attempts + 1, last_error = \(String(error.prefix(2000))),
                next_attempt_at = now() + make_interval(secs => \(Double(delay))) WHERE id = \(id)
            """, logger: database.logger)
    }
}
