import Foundation

/// One entry of the change feed: a stable sequence number and a snapshot of what changed.
public struct FeedChange: Sendable, Equatable {
    public var seq: Int
    public var entity: String
    public var entityID: Int
    public var change: String
    public var at: String
    /// The entity as it was when it changed (JSON object text).
    public var payload: String?
}

/// The compressed form of a media file, as it is sent upstream.
public struct UplinkForm: Sendable, Equatable {
    public var path: String
    public var contentType: String
    public var size: Int
    public var sha256: String

    public init(path: String, contentType: String, size: Int, sha256: String) {
        self.path = path
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
    }
}

public enum AckResult: Sendable, Equatable {
    case acked(Int)
    /// The cursor is past the end of the feed: nothing is acked.
    case beyondFeed(latest: Int)
}

/// What the uplink needs of the case store: the feed since a cursor, acks, media to serve and
/// media whose retention after the ack has run out.
extension CaseStore {
    public func changes(after cursor: Int, limit: Int) throws(StoreError) -> [FeedChange] {
        try read {
            try db.query("SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", [cursor, limit]).map { r in
                FeedChange(seq: r.int("seq") ?? 0, entity: r.text("entity") ?? "", entityID: r.int("entity_id") ?? 0,
                           change: r.text("change") ?? "", at: r.text("at") ?? "", payload: r.text("payload"))
            }
        }
    }

    public func latestChange() throws(StoreError) -> Int { try read { try latestSeq() } }

    public func ackedChange() throws(StoreError) -> Int { try read { try ackedSeq() } }

    /// The newest change, and the highest ack; 0 when there is none (inside a transaction).
    private func latestSeq() throws -> Int { try db.query("SELECT COALESCE(MAX(seq), 0) AS s FROM changes").first?.int("s") ?? 0 }
    private func ackedSeq() throws -> Int { try db.query("SELECT COALESCE(MAX(seq), 0) AS s FROM acks").first?.int("s") ?? 0 }

    /// Records that the central office holds every change up to `seq`. Acks only move forward:
    /// a repeated or older ack changes nothing.
    /// `clock` is the retention clock's reading, which retention counts from.
    public func ack(upTo seq: Int, at date: Date, clock: Double) throws(StoreError) -> AckResult {
        let time = StoreTime.string(date)
        return try run {
            let latest = try latestSeq()
            guard seq <= latest else { return .beyondFeed(latest: latest) }
            let acked = try ackedSeq()
            if seq > acked {
                try db.query("INSERT INTO acks (seq, acked_at, acked_clock) VALUES (?, ?, ?)", [seq, time, clock])
                try db.query("INSERT INTO sync_state (key, value) VALUES ('last_pull', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [time])
            }
            return .acked(max(seq, acked))
        }
    }

    /// When the central office last acked anything.
    public func lastPull() throws(StoreError) -> String? {
        try read { try db.query("SELECT value FROM sync_state WHERE key = 'last_pull'").first?.text("value") }
    }

    public func mediaRecord(_ id: Int) throws(StoreError) -> (media: MediaRecord, prunedAt: String?, uplink: UplinkForm?)? {
        try read {
            guard let r = try db.query("SELECT * FROM media WHERE id = ?", [id]).first else { return nil }
            let u = try db.query("SELECT * FROM media_uplink WHERE media_id = ?", [id]).first.map {
                UplinkForm(path: $0.text("path") ?? "", contentType: $0.text("content_type") ?? "", size: $0.int("size") ?? 0, sha256: $0.text("sha256") ?? "")
            }
            return (Self.mediaRecord(r), r.text("pruned_at"), u)
        }
    }

    /// Media not yet in their uplink form (nor pruned), oldest first.
    public func mediaAwaitingUplinkForm(limit: Int) throws(StoreError) -> [Int] {
        try read {
            try db.query("""
                SELECT m.id FROM media m LEFT JOIN media_uplink u ON u.media_id = m.id
                WHERE u.media_id IS NULL AND m.pruned_at IS NULL ORDER BY m.id LIMIT ?
                """, [limit]).compactMap { $0.int("id") }
        }
    }

    public func setUplinkForm(media id: Int, _ form: UplinkForm) throws(StoreError) {
        try run {
            try db.query("INSERT OR REPLACE INTO media_uplink (media_id, path, content_type, size, sha256) VALUES (?, ?, ?, ?, ?)",
                         [id, form.path, form.contentType, form.size, form.sha256])
        }
    }

    /// Media acked when the retention clock read `cutoff` or earlier and not pruned yet, with
    /// the files that hold them (original and uplink form).
    public func mediaPastRetention(ackedBefore cutoff: Double) throws(StoreError) -> [(id: Int, files: [String])] {
        try read {
            let horizon = try db.query("SELECT COALESCE(MAX(seq), 0) AS s FROM acks WHERE acked_clock <= ?", [cutoff]).first?.int("s") ?? 0
            return try db.query("""
                SELECT m.id, m.path, u.path AS uplink_path FROM media m
                JOIN changes c ON c.entity = 'media' AND c.entity_id = m.id AND c.change = 'created'
                LEFT JOIN media_uplink u ON u.media_id = m.id
                WHERE m.pruned_at IS NULL AND c.seq <= ? ORDER BY m.id
                """, [horizon]).map { r in (r.int("id") ?? 0, [r.text("path"), r.text("uplink_path")].compactMap { $0 }) }
        }
    }

    public func markPruned(media id: Int, at date: Date) throws(StoreError) {
        let time = StoreTime.string(date)
        return try run { try db.query("UPDATE media SET pruned_at = ? WHERE id = ?", [time, id]) }
    }

    /// Calls handled and cases made, by kind, since the box began.
    public func totals() throws(StoreError) -> (calls: Int, cases: [(kind: String, count: Int)]) {
        try read {
            (try db.query("SELECT COUNT(*) AS n FROM calls").first?.int("n") ?? 0,
             try db.query("SELECT kind, COUNT(*) AS n FROM cases GROUP BY kind ORDER BY kind").map { ($0.text("kind") ?? "", $0.int("n") ?? 0) })
        }
    }

    /// Changes and media bytes the central office has not acked yet.
    public func pendingUplink() throws(StoreError) -> (changes: Int, mediaBytes: Int) {
        try read {
            let acked = try ackedSeq()
            let changes = try db.query("SELECT COUNT(*) AS n FROM changes WHERE seq > ?", [acked]).first?.int("n") ?? 0
            let bytes = try db.query("""
                SELECT COALESCE(SUM(m.size), 0) AS b FROM media m
                JOIN changes c ON c.entity = 'media' AND c.entity_id = m.id AND c.change = 'created' WHERE c.seq > ?
                """, [acked]).first?.int("b") ?? 0
            return (changes, bytes)
        }
    }

    /// Changes not acked yet, counted by entity.
    public func pendingByEntity() throws(StoreError) -> [(entity: String, count: Int)] {
        try read {
            let acked = try ackedSeq()
            return try db.query("SELECT entity, count(*) AS n FROM changes WHERE seq > ? GROUP BY entity ORDER BY entity", [acked]).map {
                ($0.text("entity") ?? "", $0.int("n") ?? 0)
            }
        }
    }
}
