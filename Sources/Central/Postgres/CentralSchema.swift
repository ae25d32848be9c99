/// The central office's schema, as versioned migrations: each runs once, in its own
/// transaction, in order; `schema_migrations` records which ran. Never edit a migration that
/// has shipped: add the next one.
///
/// Every box's rows are keyed by (node, the box's own id), so boxes never collide. Each entity
/// row keeps the box's last snapshot as JSONB (`data`) beside the columns a desk searches, and
/// `last_seq`, the change that wrote it, so an older snapshot never overwrites a newer one.
package enum CentralSchema {
    package static let migrations: [[String]] = [
        // 1: the system of record for pulled boxes.
        [
            """
            CREATE TABLE boxes (
                node text PRIMARY KEY,
                url text,
                cursor bigint NOT NULL DEFAULT 0,
                last_pull_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            // Every change as it came; (node, seq) is the box's feed position, so a change can
            // only land once.
            """
            CREATE TABLE changes (
                node text NOT NULL REFERENCES boxes(node),
                seq bigint NOT NULL,
                entity text NOT NULL,
                entity_id bigint NOT NULL,
                change text NOT NULL,
                at timestamptz,
                data jsonb NOT NULL,
                pulled_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (node, seq)
            )
            """,
            "CREATE INDEX changes_entity ON changes (node, entity, entity_id)",
            """
            CREATE TABLE calls (
                node text NOT NULL REFERENCES boxes(node), id bigint NOT NULL,
                uid text, line bigint, direction text, caller_number text, caller_name text,
                started_at timestamptz, answered_at timestamptz, ended_at timestamptz,
                disconnect_reason text, disposition text, ivr_path text,
                last_seq bigint NOT NULL, data jsonb NOT NULL,
                PRIMARY KEY (node, id)
            )
            """,
            """
            CREATE TABLE cases (
                node text NOT NULL REFERENCES boxes(node), id bigint NOT NULL,
                number text, kind text, status text, status_version bigint, call_id bigint,
                caller_number text, complete boolean, reopens text,
                created_at timestamptz, updated_at timestamptz,
                last_seq bigint NOT NULL, data jsonb NOT NULL,
                PRIMARY KEY (node, id)
            )
            """,
            "CREATE INDEX cases_number ON cases (number)",
            "CREATE INDEX cases_created ON cases (created_at)",
            "CREATE INDEX cases_caller ON cases (caller_number)",
            // Each status a case went through, from the snapshots that carried it.
            """
            CREATE TABLE case_status_history (
                node text NOT NULL REFERENCES boxes(node), case_id bigint NOT NULL,
                version bigint NOT NULL, status text NOT NULL, source text, note text,
                changed_at timestamptz, changed_at_text text NOT NULL,
                PRIMARY KEY (node, case_id, version, changed_at_text)
            )
            """,
            // Stored files, by the SHA-256 of their bytes (docs/CENTRAL.md has the layout).
            """
            CREATE TABLE blobs (
                sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
                size bigint NOT NULL,
                content_type text NOT NULL,
                stored_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE media (
                node text NOT NULL REFERENCES boxes(node), id bigint NOT NULL,
                case_id bigint, call_id bigint, kind text, duration_ms bigint, pages bigint,
                size bigint, sha256 text, complete boolean, created_at timestamptz,
                blob_sha256 text REFERENCES blobs(sha256),
                pdf_sha256 text REFERENCES blobs(sha256),
                pdf_error text,
                gone boolean NOT NULL DEFAULT false,
                last_seq bigint NOT NULL, data jsonb NOT NULL,
                PRIMARY KEY (node, id)
            )
            """,
            "CREATE INDEX media_case ON media (node, case_id)",
            """
            CREATE TABLE survey_answers (
                node text NOT NULL REFERENCES boxes(node), id bigint NOT NULL,
                call_id bigint, survey text, question text, answer text, answered_at timestamptz,
                last_seq bigint NOT NULL, data jsonb NOT NULL,
                PRIMARY KEY (node, id)
            )
            """,
            """
            CREATE TABLE fax_results (
                node text NOT NULL REFERENCES boxes(node), id bigint NOT NULL,
                call_id bigint, direction text, success boolean, pages bigint, reason text,
                document text, finished_at timestamptz,
                last_seq bigint NOT NULL, data jsonb NOT NULL,
                PRIMARY KEY (node, id)
            )
            """,
            // The box's outbound queue: call-backs (kind 'callback') and fax sends.
            """
            CREATE TABLE outbound_jobs (
                node text NOT NULL REFERENCES boxes(node), id bigint NOT NULL,
                client_id text, kind text, case_number text, number text, purpose text,
                state text, attempts bigint, outcome text, rating text, pages bigint,
                created_at timestamptz, updated_at timestamptz,
                last_seq bigint NOT NULL, data jsonb NOT NULL,
                PRIMARY KEY (node, id)
            )
            """,
            "CREATE INDEX outbound_jobs_case ON outbound_jobs (case_number)",
        ],
        // 2: the inventory of boxes (docs/CENTRAL.md): district, the one certificate each box
        // may present, retirement, and how its pulls go.
        [
            """
            ALTER TABLE boxes
                ADD COLUMN district text,
                ADD COLUMN certificate text,
                ADD COLUMN certificate_pin text,
                ADD COLUMN certificate_not_after timestamptz,
                ADD COLUMN retired_at timestamptz,
                ADD COLUMN last_attempt_at timestamptz,
                ADD COLUMN last_error text,
                ADD COLUMN lag_changes bigint,
                ADD COLUMN lag_bytes bigint,
                ADD COLUMN last_pull_seconds double precision
            """,
            "CREATE UNIQUE INDEX boxes_url ON boxes (url) WHERE retired_at IS NULL AND certificate IS NOT NULL",
        ],
        // 3: the desk (its staff, their sessions) and the outbox of what goes back to boxes.
        [
            """
            CREATE TABLE desk_users (
                name text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
                password_hash text NOT NULL,
                failed_logins bigint NOT NULL DEFAULT 0,
                locked_until timestamptz,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            // A session is kept by the SHA-256 of its cookie, so a leaked table logs nobody in.
            """
            CREATE TABLE desk_sessions (
                token_sha256 text PRIMARY KEY,
                name text NOT NULL REFERENCES desk_users(name) ON DELETE CASCADE,
                csrf text NOT NULL,
                expires_at timestamptz NOT NULL
            )
            """,
            // What goes back to a box, in order per box, until the box has it: a status with its
            // note (versioned per case), a call-back (idempotent by client_id), a content push
            // (its bytes in the media store, by digest).
            """
            CREATE TABLE outbox (
                id bigserial PRIMARY KEY,
                node text NOT NULL REFERENCES boxes(node),
                kind text NOT NULL CHECK (kind IN ('status', 'callback', 'content')),
                case_number text,
                body jsonb NOT NULL,
                content_sha256 text REFERENCES blobs(sha256),
                created_by text,
                created_at timestamptz NOT NULL DEFAULT now(),
                attempts bigint NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                delivered_at timestamptz,
                refused_at timestamptz,
                last_error text,
                reply jsonb
            )
            """,
            "CREATE INDEX outbox_pending ON outbox (node, id) WHERE delivered_at IS NULL AND refused_at IS NULL",
        ],
    ]
}
