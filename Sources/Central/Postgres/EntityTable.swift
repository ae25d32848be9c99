import Foundation
import PostgresNIO
import UplinkWire

/// How one feed entity lands in its table: which snapshot keys fill which typed columns. The
/// snapshot itself is kept whole in `data`; the columns are for searching, so a value of the
/// wrong type or out of range is stored as NULL there, never refused (the box's data is kept
/// as it came, and one odd row does not stop a box's pull).
struct EntityTable: Sendable {
    enum ColumnType: Sendable {
        case text, integer, flag, time
    }

    struct Column: Sendable {
        var name: String
        var type: ColumnType
        /// The snapshot key, when it differs from the column's name.
        var key: String

        init(_ name: String, _ type: ColumnType, key: String? = nil) {
            self.name = name
            self.type = type
            self.key = key ?? name
        }
    }

    var name: String
    var columns: [Column]

    static func of(_ entity: Change.Entity) -> EntityTable {
        switch entity {
        case .call:
            EntityTable(name: "calls", columns: [
                .init("uid", .text), .init("line", .integer), .init("direction", .text), .init("caller_number", .text),
                .init("caller_name", .text), .init("started_at", .time), .init("answered_at", .time), .init("ended_at", .time),
                .init("disconnect_reason", .text), .init("disposition", .text), .init("ivr_path", .text),
            ])
        case .case:
            EntityTable(name: "cases", columns: [
                .init("number", .text), .init("kind", .text), .init("status", .text), .init("status_version", .integer),
                .init("call_id", .integer), .init("caller_number", .text), .init("complete", .flag), .init("reopens", .text),
                .init("created_at", .time), .init("updated_at", .time),
            ])
        case .media:
            EntityTable(name: "media", columns: [
                .init("case_id", .integer), .init("call_id", .integer), .init("kind", .text), .init("duration_ms", .integer),
                .init("pages", .integer), .init("size", .integer), .init("sha256", .text), .init("complete", .flag),
                .init("created_at", .time),
            ])
        case .surveyAnswer:
            EntityTable(name: "survey_answers", columns: [
                .init("call_id", .integer), .init("survey", .text), .init("question", .text), .init("answer", .text),
                .init("answered_at", .time),
            ])
        case .faxResult:
            EntityTable(name: "fax_results", columns: [
                .init("call_id", .integer), .init("direction", .text), .init("success", .flag), .init("pages", .integer),
                .init("reason", .text), .init("document", .text), .init("finished_at", .time),
            ])
        case .outboundJob:
            EntityTable(name: "outbound_jobs", columns: [
                .init("client_id", .text), .init("kind", .text), .init("case_number", .text), .init("number", .text),
                .init("purpose", .text), .init("state", .text), .init("attempts", .integer), .init("outcome", .text),
                .init("rating", .text), .init("pages", .integer), .init("created_at", .time), .init("updated_at", .time),
            ])
        }
    }

    /// Inserts the entity's row from `change`, or brings it up to this change when the row is
    /// older. A change without a snapshot only makes sure the row exists.
    func upsert(_ change: Change, node: String, data: String) -> PostgresQuery {
        var binds = PostgresBindings()
        binds.append(node)
        binds.append(change.id)
        binds.append(change.seq)
        binds.append(data)
        guard case .object = change.data else {
            return PostgresQuery(unsafeSQL: """
                INSERT INTO \(name) (node, id, last_seq, data) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (node, id) DO NOTHING
                """, binds: binds)
        }
        for column in columns { SnapshotValue.bind(change.data[column.key], as: column.type, into: &binds) }
        let names = columns.map(\.name)
        let placeholders = names.indices.map { "$\($0 + 5)" }
        let updates = (["last_seq", "data"] + names).map { "\($0) = EXCLUDED.\($0)" }
        return PostgresQuery(unsafeSQL: """
            INSERT INTO \(name) (node, id, last_seq, data, \(names.joined(separator: ", ")))
            VALUES ($1, $2, $3, $4::jsonb, \(placeholders.joined(separator: ", ")))
            ON CONFLICT (node, id) DO UPDATE SET \(updates.joined(separator: ", ")) WHERE \(name).last_seq < EXCLUDED.last_seq
            """, binds: binds)
    }
}

/// A snapshot's values as PostgreSQL parameters.
enum SnapshotValue {
    static func bind(_ value: JSONValue?, as type: EntityTable.ColumnType, into binds: inout PostgresBindings) {
        switch type {
        case .text:
            if let text = text(value) { binds.append(text) } else { binds.appendNull() }
        case .integer:
            if let number = integer(value) { binds.append(number) } else { binds.appendNull() }
        case .flag:
            if let flag = flag(value) { binds.append(flag) } else { binds.appendNull() }
        case .time:
            if let date = time(value) { binds.append(date) } else { binds.appendNull() }
        }
    }

    /// PostgreSQL's text cannot hold NUL; a box's string with one is kept without it.
    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s): s.contains("\0") ? s.replacingOccurrences(of: "\0", with: "") : s
        case .integer(let i): String(i)
        default: nil
        }
    }

    /// Integers, and whole finite numbers that are exact in a Double.
    static func integer(_ value: JSONValue?) -> Int? {
        switch value {
        case .integer(let i): i
        case .number(let d) where d.isFinite && d.rounded() == d && abs(d) < 9.0e15: Int(d)
        default: nil
        }
    }

    static func flag(_ value: JSONValue?) -> Bool? {
        switch value {
        case .bool(let b): b
        case .integer(let i) where i == 0 || i == 1: i == 1
        default: nil
        }
    }

    /// The box writes ISO 8601 in UTC, with or without milliseconds.
    static func time(_ value: JSONValue?) -> Date? {
        guard case .string(let text) = value else { return nil }
        return ISO8601Time.date(text)
    }
}

/// ISO 8601 times as the box writes them. The two styles are made once: a page commits
/// several times per change, and a formatter made per call cost more than the parse.
enum ISO8601Time {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let whole = Date.ISO8601FormatStyle()

    static func date(_ text: String) -> Date? {
        guard let date = (try? withFraction.parse(text)) ?? (try? whole.parse(text)) else { return nil }
        // timestamptz runs from 4713 BC to 294276 AD; a box's year is 1970 to 9999.
        return (0...253_402_300_799).contains(date.timeIntervalSince1970) ? date : nil
    }
}
