import Foundation
import HotlineModel
import PostgresNIO

/// The cases across boxes, as the desk and Open311 read them.
package struct CaseQueries: Sendable {
    package let database: CentralDatabase

    package init(database: CentralDatabase) { self.database = database }

    /// A search: every field optional; numbers and callers match from their start.
    package struct Filter: Sendable, Equatable {
        package var numbers: [String] = []
        package var caller: String?
        package var kinds: [CaseKind] = []
        package var statuses: [CaseStatus] = []
        package var district: String?
        package var from: Date?
        package var to: Date?
        package var limit = 50
        package var offset = 0

        package init() {}
    }

    package struct Summary: Sendable {
        package var node: String
        package var id: Int
        package var number: String
        package var kind: String
        package var status: String
        package var callerNumber: String?
        package var district: String?
        package var createdAt: Date?
        package var updatedAt: Date?
        /// The newest status entry's note.
        package var note: String?
    }

    package func search(_ filter: Filter) async throws -> [Summary] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if !filter.numbers.isEmpty {
            conditions.append("(" + filter.numbers.map { "c.number LIKE \(bind($0 + "%"))" }.joined(separator: " OR ") + ")")
        }
        if let caller = filter.caller { conditions.append("c.caller_number LIKE \(bind(caller + "%"))") }
        if !filter.kinds.isEmpty { conditions.append("c.kind = ANY(\(bind(filter.kinds.map(\.rawValue))))") }
        if !filter.statuses.isEmpty { conditions.append("c.status = ANY(\(bind(filter.statuses.map(\.rawValue))))") }
        if let district = filter.district { conditions.append("b.district = \(bind(district))") }
        if let from = filter.from { conditions.append("c.created_at >= \(bind(from))") }
        if let to = filter.to { conditions.append("c.created_at < \(bind(to))") }
        let sql = """
            SELECT c.node, c.id, coalesce(c.number, ''), coalesce(c.kind, ''), coalesce(c.status, ''), c.caller_number, b.district,
                   c.created_at, c.updated_at,
                   (SELECT h.note FROM case_status_history h WHERE h.node = c.node AND h.case_id = c.id ORDER BY h.version DESC, h.changed_at DESC LIMIT 1)
            FROM cases c JOIN boxes b ON b.node = c.node
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY c.created_at DESC NULLS LAST, c.node, c.id
            LIMIT \(max(1, min(filter.limit, 1000))) OFFSET \(max(0, filter.offset))
            """
        var out: [Summary] = []
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger)
        for try await (node, id, number, kind, status, caller, district, created, updated, note) in rows.decode(
            (String, Int, String, String, String, String?, String?, Date?, Date?, String?).self) {
            out.append(Summary(node: node, id: id, number: number, kind: kind, status: status, callerNumber: caller, district: district,
                               createdAt: created, updatedAt: updated, note: note))
        }
        return out
    }

    package struct Detail: Sendable {
        package var summary: Summary
        package var complete: Bool?
        package var reopens: String?
        /// The caller's message, the whole call, the fax (its PDF).
        package var message: Stored?
        package var wholeCall: Stored?
        package var fax: Stored?
        package var faxProblem: String?
        package var history: [(status: String, version: Int, source: String?, note: String?, at: Date?)]
        package var outbox: [(kind: String, createdBy: String?, at: Date?, state: String, error: String?)]
        package var callbacks: [(number: String?, state: String?, outcome: String?, rating: String?)]
    }

    package struct Stored: Sendable {
        package var sha256: String
        package var durationMs: Int?
    }

    package func detail(node: String, number: String) async throws -> Detail? {
        let logger = database.logger
        let matches = try await search({ var f = Filter(); f.numbers = [number]; f.limit = 10; return f }())
        guard let summary = matches.first(where: { $0.node == node && $0.number == number }) else { return nil }
        var detail = Detail(summary: summary, history: [], outbox: [], callbacks: [])
        for try await (complete, reopens) in try await database.client.query("""
            SELECT complete, reopens FROM cases WHERE node = \(node) AND id = \(summary.id)
            """, logger: logger).decode((Bool?, String?).self) {
            detail.complete = complete
            detail.reopens = reopens
        }
        for try await (kind, blob, pdf, pdfError, duration) in try await database.client.query("""
            SELECT m.kind, m.blob_sha256, m.pdf_sha256, m.pdf_error, m.duration_ms FROM media m, cases c
            WHERE c.node = \(node) AND c.id = \(summary.id) AND m.node = c.node AND (m.case_id = c.id OR (c.call_id IS NOT NULL AND m.call_id = c.call_id))
            ORDER BY m.id
            """, logger: logger).decode((String?, String?, String?, String?, Int?).self) {
            switch kind {
            case MediaKind.recording.rawValue: if let blob { detail.message = Stored(sha256: blob, durationMs: duration) }
            case MediaKind.callRecording.rawValue: if let blob { detail.wholeCall = Stored(sha256: blob, durationMs: duration) }
            case MediaKind.fax.rawValue:
                if let pdf { detail.fax = Stored(sha256: pdf) } else { detail.faxProblem = pdfError ?? (blob == nil ? "not pulled yet" : nil) }
            default: break
            }
        }
        for try await (status, version, source, note, at) in try await database.client.query("""
            SELECT status, version, source, note, changed_at FROM case_status_history WHERE node = \(node) AND case_id = \(summary.id)
            ORDER BY version, changed_at
            """, logger: logger).decode((String, Int, String?, String?, Date?).self) {
            detail.history.append((status, version, source, note, at))
        }
        for try await (kind, by, at, delivered, refused, error) in try await database.client.query("""
            SELECT kind, created_by, created_at, delivered_at IS NOT NULL, refused_at IS NOT NULL, last_error FROM outbox
            WHERE node = \(node) AND case_number = \(number) ORDER BY id
            """, logger: logger).decode((String, String?, Date?, Bool, Bool, String?).self) {
            detail.outbox.append((kind, by, at, delivered ? "delivered" : (refused ? "refused" : "waiting"), error))
        }
        for try await row in try await database.client.query("""
            SELECT number, state, outcome, rating FROM outbound_jobs WHERE node = \(node) AND case_number = \(number) ORDER BY id
            """, logger: logger).decode((String?, String?, String?, String?).self) {
            detail.callbacks.append(row)
        }
        return detail
    }
}
