import CSQLite

public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    public var code: Int32
    public var message: String
    public var context: String

    public var description: String { "\(context): \(message) (SQLite code \(code))" }
}

/// Owner of one `sqlite3*` connection, opened the way the case store needs it: WAL journal,
/// foreign keys enforced, synchronous=FULL so that a committed case survives power loss.
public final class SQLiteConnection {
    private let db: OpaquePointer
    public let path: String

    /// `busyTimeoutMs`: how long a statement waits for another connection's write lock before
    /// it fails. The event thread's is short: a call must never wait on another process.
    public init(path: String, busyTimeoutMs: Int32 = 5000) throws(SQLiteError) {
        self.path = path
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot allocate a connection"
            sqlite3_close_v2(handle)
            throw SQLiteError(code: rc, message: message, context: "opening \(path)")
        }
        db = handle
        sqlite3_busy_timeout(db, busyTimeoutMs)
        try execute("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;")
    }

    deinit { sqlite3_close_v2(db) }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(error)
            throw SQLiteError(code: rc, message: message, context: "executing \(sql.prefix(60))")
        }
    }

    /// Runs `sql` with `arguments` bound to its `?` placeholders; returns the rows.
    @discardableResult
    public func query(_ sql: String, _ arguments: [SQLBindable] = []) throws(SQLiteError) -> [SQLRow] {
        let statement = try Statement(db: db, sql: sql)
        statement.bind(arguments)
        return try statement.rows()
    }

    /// The rowid of the last row inserted on this connection.
    public var lastInsertedRowID: Int { Int(sqlite3_last_insert_rowid(db)) }
    /// Rows the last INSERT, UPDATE or DELETE touched.
    public var changes: Int { Int(sqlite3_changes(db)) }

    public enum TransactionMode: String, Sendable {
        /// Takes the write lock at once: for writes, so they never fail half-way on a lock.
        case immediate = "BEGIN IMMEDIATE"
        /// Takes no lock until it writes: for reads, which under WAL never wait for writers and
        /// never hold one up.
        case deferred = "BEGIN DEFERRED"
    }

    /// Runs `body` in one transaction (rolled back if it throws). With synchronous=FULL, what
    /// it wrote is on disk when this returns.
    public func transaction<T>(_ mode: TransactionMode = .immediate, _ body: () throws -> T) throws -> T {
        try execute(mode.rawValue)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The first column of the first row of `sql`, as text (nil when there is no row or NULL).
    public func scalar(_ sql: String) throws(SQLiteError) -> String? {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(db)), context: "preparing \(sql.prefix(60))")
        }
        defer { sqlite3_finalize(statement) }
        switch sqlite3_step(statement) {
        case SQLITE_ROW:
            return sqlite3_column_text(statement, 0).map { String(cString: $0) }
        case SQLITE_DONE:
            return nil
        case let code:
            throw SQLiteError(code: code, message: String(cString: sqlite3_errmsg(db)), context: "running \(sql.prefix(60))")
        }
    }
}
