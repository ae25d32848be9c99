import Foundation

/// The JSON the change feed carries for one entity: its row as stored (internal file paths
/// left out), a case with its latest status entry, media with where to fetch them.
enum ChangeSnapshot {
    static func json(of entity: String, id: Int, in db: SQLiteConnection) throws -> String? {
        let table: String
        switch entity {
        case "call": table = "calls"
        case "case": table = "cases"
        case "media": table = "media"
        case "survey_answer": table = "survey_answers"
        case "fax_result": table = "fax_results"
        case "outbound_job": table = "outbound_jobs"
        default: return nil
        }
        guard let row = try db.query("SELECT * FROM \(table) WHERE id = ?", [id]).first else { return nil }
        var object = row.jsonObject
        switch entity {
        case "case":
            if let last = try db.query("SELECT status, version, source, note, changed_at FROM case_status_history WHERE case_id = ? ORDER BY id DESC LIMIT 1", [id]).first {
                object["last_status_change"] = last.jsonObject
            }
        case "media":
            object["path"] = nil
            object["download"] = "/v1/media/\(id)"
        case "outbound_job":
            object["attempt_list"] = try db.query("SELECT line, call_id, started_at, ended_at, result FROM outbound_attempts WHERE job_id = ? ORDER BY id", [id])
                .map(\.jsonObject)
        default: break
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

extension SQLRow {
    /// The row as a JSON object (NULL columns included as null).
    var jsonObject: [String: Any] {
        values.mapValues { value -> Any in
            switch value {
            case .integer(let v): v
            case .real(let v): v
            case .text(let v): v
            case .null: NSNull()
            }
        }
    }
}
