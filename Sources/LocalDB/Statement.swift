import CSQLite
import Foundation

/// A value SQLite stores, for binding.
public enum SQLValue: Sendable, Equatable {
    case integer(Int)
    case real(Double)
    case text(String)
    case null
}

public protocol SQLBindable { var sqlValue: SQLValue { get } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .real(self) } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One row of a result, read by column name.
public struct SQLRow: Sendable {
    let values: [String: SQLValue]

    public func int(_ column: String) -> Int? { if case .integer(let v) = values[column] { v } else { nil } }
    public func double(_ column: String) -> Double? {
        switch values[column] {
        case .real(let v): v
        case .integer(let v): Double(v)
        default: nil
        }
    }
    public func text(_ column: String) -> String? { if case .text(let v) = values[column] { v } else { nil } }
    /// A time column, in the store's one format (`StoreTime`).
    public func date(_ column: String) -> Date? { text(column).flatMap(StoreTime.date) }
}

/// Owner of a prepared `sqlite3_stmt`.
final class Statement {
    private let statement: OpaquePointer
    private let db: OpaquePointer
    let sql: String

    init(db: OpaquePointer, sql: String) throws(SQLiteError) {
        var handle: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, sql, -1, &handle, nil)
        guard rc == SQLITE_OK, let handle else {
            throw SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(db)), context: "preparing \(sql.prefix(80))")
        }
        self.db = db
        self.sql = sql
        statement = handle
    }

    deinit { sqlite3_finalize(statement) }

    func bind(_ values: [SQLBindable]) {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        // SQLITE_TRANSIENT: SQLite copies the text before this call returns.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            switch value.sqlValue {
            case .integer(let v): sqlite3_bind_int64(statement, index, sqlite3_int64(v))
            case .real(let v): sqlite3_bind_double(statement, index, v)
            case .text(let v): sqlite3_bind_text(statement, index, v, -1, transient)
            case .null: sqlite3_bind_null(statement, index)
            }
        }
    }

    /// Runs the statement and returns every row.
    func rows() throws(SQLiteError) -> [SQLRow] {
        var out: [SQLRow] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return out }
            guard rc == SQLITE_ROW else {
                throw SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(db)), context: "running \(sql.prefix(80))")
            }
            var values: [String: SQLValue] = [:]
            for c in 0..<sqlite3_column_count(statement) {
                let name = String(cString: sqlite3_column_name(statement, c))
                switch sqlite3_column_type(statement, c) {
                case SQLITE_INTEGER: values[name] = .integer(Int(sqlite3_column_int64(statement, c)))
                case SQLITE_FLOAT: values[name] = .real(sqlite3_column_double(statement, c))
                case SQLITE_TEXT: values[name] = .text(String(cString: sqlite3_column_text(statement, c)))
                default: values[name] = .null
                }
            }
            out.append(SQLRow(values: values))
        }
    }
}
