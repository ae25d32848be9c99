/// The case store's schema, one migration per version (SQLite's `user_version` holds the
/// version applied). Append new migrations; never edit one that has shipped.
package enum Migrations {
    package static let all: [String] = [
        // 1: calls, cases, status history, media, survey answers, sync bookkeeping.
        """
        CREATE TABLE calls (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            line INTEGER NOT NULL,
            direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
            started_at TEXT NOT NULL,
            answered_at TEXT,
            ended_at TEXT,
            caller_number TEXT,
            caller_name TEXT,
            caller_absence TEXT,
            caller_id_standard TEXT,
            disconnect_reason TEXT,
            disposition TEXT,
            ivr_path TEXT NOT NULL DEFAULT '',
            digits TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('mayor_mailbox', 'complaint', 'report', 'consultation_callback', 'fax', 'survey')),
            status TEXT NOT NULL CHECK (status IN ('accepted', 'in_progress', 'rejected', 'closed')),
            status_version INTEGER NOT NULL DEFAULT 1,
            call_id INTEGER REFERENCES calls(id),
            caller_number TEXT,
            complete INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE case_status_history (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            status TEXT NOT NULL,
            version INTEGER NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('box', 'central')),
            note TEXT,
            changed_at TEXT NOT NULL
        );
        CREATE TABLE media (
            id INTEGER PRIMARY KEY,
            case_id INTEGER REFERENCES cases(id),
            call_id INTEGER REFERENCES calls(id),
            kind TEXT NOT NULL CHECK (kind IN ('recording', 'call_recording', 'fax')),
            path TEXT NOT NULL,
            duration_ms INTEGER,
            pages INTEGER,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            complete INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE TABLE survey_answers (
            id INTEGER PRIMARY KEY,
            call_id INTEGER NOT NULL REFERENCES calls(id),
            survey TEXT NOT NULL,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            answered_at TEXT NOT NULL
        );
        CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            entity TEXT NOT NULL,
            entity_id INTEGER NOT NULL,
            change TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        CREATE INDEX cases_call ON cases(call_id);
        CREATE INDEX media_case ON media(case_id);
        """,
        // 2: the uplink: each change keeps a snapshot of what changed (so the feed is the same on
        // every read), fax results, the compressed form of media sent upstream, and pruning.
        """
        ALTER TABLE changes ADD COLUMN payload TEXT;
        ALTER TABLE media ADD COLUMN pruned_at TEXT;
        CREATE TABLE fax_results (
            id INTEGER PRIMARY KEY,
            call_id INTEGER NOT NULL REFERENCES calls(id),
            direction TEXT NOT NULL CHECK (direction IN ('receive', 'send')),
            success INTEGER NOT NULL,
            pages INTEGER NOT NULL,
            reason TEXT,
            document TEXT,
            finished_at TEXT NOT NULL
        );
        CREATE TABLE media_uplink (
            media_id INTEGER PRIMARY KEY REFERENCES media(id),
            path TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL
        );
        CREATE TABLE acks (seq INTEGER PRIMARY KEY, acked_at TEXT NOT NULL);
        CREATE INDEX changes_entity ON changes(entity, entity_id);
        """,
        // 3: who changed what over the uplink, and retention counted on the box's own clock
        // (seconds it has seen pass), which a wall-clock jump cannot move.
        """
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            peer_fingerprint TEXT,
            peer_subject TEXT,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            result TEXT NOT NULL
        );
        ALTER TABLE acks ADD COLUMN acked_clock REAL NOT NULL DEFAULT 0;
        """,
        // 4: how far the wall clock jumped while a call was in progress (ms, forward positive),
        // so the central office knows which CDR times straddle a jump.
        """
        ALTER TABLE calls ADD COLUMN clock_jump_ms INTEGER;
        """,
        // 5: the callback_request case kind. SQLite cannot change a CHECK in place, so the table
        // is rebuilt as its documented procedure does (foreign keys are off while it runs).
        """
        CREATE TABLE cases_new (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('mayor_mailbox', 'complaint', 'report', 'consultation_callback', 'fax', 'survey', 'callback_request')),
            status TEXT NOT NULL CHECK (status IN ('accepted', 'in_progress', 'rejected', 'closed')),
            status_version INTEGER NOT NULL DEFAULT 1,
            call_id INTEGER REFERENCES calls(id),
            caller_number TEXT,
            complete INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        INSERT INTO cases_new SELECT * FROM cases;
        DROP TABLE cases;
        ALTER TABLE cases_new RENAME TO cases;
        CREATE INDEX cases_call ON cases(call_id);
        """,
        // 6: the statuses of district cases this box did not make (taken at the central desk or
        // at another box), pushed so that callers here can ask after them too.
        """
        CREATE TABLE remote_cases (
            number TEXT PRIMARY KEY,
            status TEXT NOT NULL CHECK (status IN ('accepted', 'in_progress', 'rejected', 'closed')),
            status_version INTEGER NOT NULL,
            note TEXT,
            updated_at TEXT NOT NULL
        );
        """,
        // 7: the outbound queue (call-backs and fax sends, each attempt kept), and the reopen
        // case kind, which names the case it reopens (the table rebuilt as in 5).
        """
        CREATE TABLE cases_new (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('mayor_mailbox', 'complaint', 'report', 'consultation_callback', 'fax', 'survey', 'callback_request', 'reopen')),
            status TEXT NOT NULL CHECK (status IN ('accepted', 'in_progress', 'rejected', 'closed')),
            status_version INTEGER NOT NULL DEFAULT 1,
            call_id INTEGER REFERENCES calls(id),
            caller_number TEXT,
            complete INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            reopens TEXT
        );
        INSERT INTO cases_new SELECT *, NULL FROM cases;
        DROP TABLE cases;
        ALTER TABLE cases_new RENAME TO cases;
        CREATE INDEX cases_call ON cases(call_id);
        CREATE TABLE outbound_jobs (
            id INTEGER PRIMARY KEY,
            client_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('callback', 'fax')),
            case_number TEXT,
            number TEXT NOT NULL,
            purpose TEXT CHECK (purpose IN ('result', 'survey')),
            status TEXT CHECK (status IN ('accepted', 'in_progress', 'rejected', 'closed')),
            note TEXT,
            document TEXT,
            max_attempts INTEGER NOT NULL,
            retry_after_s INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('queued', 'dialling', 'done')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            outcome TEXT,
            rating TEXT,
            pages INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX outbound_due ON outbound_jobs(state, next_at);
        CREATE TABLE outbound_attempts (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES outbound_jobs(id),
            call_id INTEGER REFERENCES calls(id),
            line INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            result TEXT
        );
        CREATE INDEX outbound_attempts_job ON outbound_attempts(job_id);
        """,
    ]

    /// Brings the database up to `version` (the newest by default; tests make older ones).
    package static func apply(to db: SQLiteConnection, through version: Int = all.count) throws(SQLiteError) {
        let current = Int(try db.scalar("PRAGMA user_version") ?? "0") ?? 0
        guard current <= all.count else {
            throw SQLiteError(code: 0, message: "database schema version \(current) is newer than this software (\(all.count))", context: "opening \(db.path)")
        }
        guard current < version else { return }
        // A migration may rebuild a table that others reference; SQLite only allows that with
        // foreign keys off, and the pragma is ignored inside a transaction. Every reference is
        // checked again before each migration commits.
        try db.execute("PRAGMA foreign_keys=OFF;")
        defer { try? db.execute("PRAGMA foreign_keys=ON;") }
        for version in current..<min(version, all.count) {
            do throws(SQLiteError) {
                try db.execute("BEGIN IMMEDIATE; \(all[version]) PRAGMA user_version = \(version + 1);")
                if let broken = try db.scalar("PRAGMA foreign_key_check") {
                    throw SQLiteError(code: 0, message: "migration \(version + 1) would leave a broken reference in \(broken)", context: "migrating \(db.path)")
                }
                try db.execute("COMMIT;")
            } catch {
                try? db.execute("ROLLBACK;")
                throw error
            }
        }
    }
}
