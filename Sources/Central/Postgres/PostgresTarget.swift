import Foundation
import PostgresNIO
import SystemSupport
import UplinkWire

/// The central office's system of record: each page of a box's feed, its rows and the box's
/// cursor commit in one PostgreSQL transaction, before the puller acks. A crash or a cut link
/// at any point therefore loses nothing (the box keeps what is not acked) and duplicates
/// nothing (the cursor moved with the rows, and (node, seq) is the changes' key).
///
/// Media go to the content-addressed `MediaStore` first. Until the page naming a medium
/// commits, a small note in the box's staging directory (ID.stored) says what the store holds
/// for it, so a pull cut in between does not download it again.
package struct PostgresTarget: PullTarget {
    package let database: CentralDatabase
    package let store: MediaStore

    package init(database: CentralDatabase, store: MediaStore) {
        self.database = database
        self.store = store
    }

    package func open(node: String, url: String) async throws -> any BoxSink {
        try await database.client.query("""
            INSERT INTO boxes (node, url) VALUES (\(node), \(url)) ON CONFLICT (node) DO UPDATE SET url = EXCLUDED.url
            """, logger: database.logger)
        return Sink(database: database, store: store, node: node, staging: try store.staging(node: node))
    }

    /// The table an entity's rows are kept in.
    package static func table(of entity: Change.Entity) -> String { EntityTable.of(entity).name }

    /// What the store holds for a medium not yet committed, or that the box had it no more.
    enum Kept: Codable, Equatable {
        case stored(MediaStore.Stored)
        case gone
    }

    private struct Sink: BoxSink {
        let database: CentralDatabase
        let store: MediaStore
        let node: String
        let staging: String

        func cursor() async throws -> Int {
            for try await cursor in try await database.client.query("SELECT cursor FROM boxes WHERE node = \(node)", logger: database.logger).decode(Int.self) {
                return cursor
            }
            return 0
        }

        private func note(_ id: Int) -> String { "\(staging)/\(id).stored" }

        func holds(media id: Int) async throws -> Bool {
            if FileManager.default.fileExists(atPath: note(id)) { return true }
            let rows = try await database.client.query("""
                SELECT 1 FROM media WHERE node = \(node) AND id = \(id) AND (blob_sha256 IS NOT NULL OR gone)
                """, logger: database.logger)
            for try await _ in rows { return true }
            return false
        }

        func keep(media id: Int, file: String, contentType: String, sha256: String, size: Int) async throws {
            let stored = try store.put(file: file, sha256: sha256, size: size, contentType: contentType)
            try DurableFile.write(WireJSON.encode(Kept.stored(stored)), to: note(id))
        }

        func keepGone(media id: Int) async throws { try DurableFile.write(WireJSON.encode(Kept.gone), to: note(id)) }

        func commit(_ changes: [Change]) async throws {
            guard !changes.isEmpty else { return }
            let logger = database.logger
            let (node, noted) = (node, try changes.compactMap(kept))
            try await database.transaction { connection in
                // The cursor row is locked for the page: two pullers of one box take turns, and
                // the second skips what the first committed.
                var cursor = 0
                for try await value in try await connection.query("SELECT cursor FROM boxes WHERE node = \(node) FOR UPDATE", logger: logger).decode(Int.self) {
                    cursor = value
                }
                let fresh = changes.filter { $0.seq > cursor }
                guard let last = fresh.last?.seq else { return }
                for change in fresh {
                    let data = Self.jsonb(change.data)
                    try await connection.query("""
                        INSERT INTO changes (node, seq, entity, entity_id, change, at, data)
                        VALUES (\(node), \(change.seq), \(change.entity.rawValue), \(change.id), \(change.change.rawValue),
                                \(ISO8601Time.date(change.at)), \(data)::jsonb)
                        """, logger: logger)
                    try await connection.query(EntityTable.of(change.entity).upsert(change, node: node, data: data), logger: logger)
                    if change.entity == .case, let entry = change.data["last_status_change"] {
                        try await connection.query(Self.history(entry, node: node, caseID: change.id), logger: logger)
                    }
                }
                for (id, kept) in noted where fresh.contains(where: { $0.entity == .media && $0.id == id }) {
                    switch kept {
                    case .gone:
                        try await connection.query("UPDATE media SET gone = true WHERE node = \(node) AND id = \(id)", logger: logger)
                    case .stored(let stored):
                        try await Self.insertBlob(stored.sha256, size: stored.size, type: stored.contentType, on: connection, logger: logger)
                        if let pdf = stored.pdf {
                            try await Self.insertBlob(pdf.sha256, size: pdf.size, type: MediaContentType.pdf, on: connection, logger: logger)
                        }
                        try await connection.query("""
                            UPDATE media SET blob_sha256 = \(stored.sha256), pdf_sha256 = \(stored.pdf?.sha256), pdf_error = \(stored.pdfError)
                            WHERE node = \(node) AND id = \(id)
                            """, logger: logger)
                    }
                }
                try await connection.query("UPDATE boxes SET cursor = \(last), last_pull_at = now() WHERE node = \(node)", logger: logger)
            }
            for (id, _) in noted { try? FileManager.default.removeItem(atPath: note(id)) }
        }

        /// The note for a medium this page creates, if the puller kept one.
        private func kept(_ change: Change) throws -> (Int, Kept)? {
            guard change.entity == .media, change.change == .created, let data = FileManager.default.contents(atPath: note(change.id)) else { return nil }
            return (change.id, try WireJSON.decode(Kept.self, from: data))
        }

        private static func insertBlob(_ sha256: String, size: Int, type: String, on connection: PostgresConnection, logger: Logger) async throws {
            try await connection.query("""
                INSERT INTO blobs (sha256, size, content_type) VALUES (\(sha256), \(size), \(type)) ON CONFLICT (sha256) DO NOTHING
                """, logger: logger)
        }

        private static func history(_ entry: JSONValue, node: String, caseID: Int) -> PostgresQuery {
            let status = SnapshotValue.text(entry["status"]) ?? "", version = SnapshotValue.integer(entry["version"]) ?? 0
            let changedAt = SnapshotValue.text(entry["changed_at"]) ?? ""
            return """
                INSERT INTO case_status_history (node, case_id, version, status, source, note, changed_at, changed_at_text)
                VALUES (\(node), \(caseID), \(version), \(status), \(SnapshotValue.text(entry["source"])), \(SnapshotValue.text(entry["note"])),
                        \(ISO8601Time.date(changedAt)), \(changedAt))
                ON CONFLICT DO NOTHING
                """
        }

        /// The snapshot as JSONB accepts it: PostgreSQL refuses the NUL character even escaped,
        /// so a box's string holding one is kept with U+FFFD in its place.
        static func jsonb(_ value: JSONValue) -> String {
            let text = String(decoding: WireJSON.encode(value), as: UTF8.self)
            return text.contains("\\u0000") ? text.replacingOccurrences(of: "\\u0000", with: "\\ufffd") : text
        }
    }
}
