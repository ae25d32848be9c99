import Crypto
import Foundation
import HotlineModel
import SystemSupport

/// The box's durable record of calls, cases, their media and survey answers, and the change
/// feed the central office pulls. Every method that creates something commits before it
/// returns (WAL, synchronous=FULL): a caller is only told an acceptance number the disk already
/// holds. One instance per thread.
public final class CaseStore {
    public let db: SQLiteConnection
    public let prefix: NodePrefix

    /// How long each kind of connection waits for another's write lock.
    public enum Waits: Int32, Sendable {
        /// The call event thread: a blocked write is logged and counted, never waited out.
        case callPath = 250
        /// The uplink, the control socket's workers, tools.
        case sideChannel = 2000
    }

    public init(path: String, prefix: NodePrefix, waits: Waits = .sideChannel) throws(SQLiteError) {
        db = try SQLiteConnection(path: path, busyTimeoutMs: waits.rawValue)
        self.prefix = prefix
        try Migrations.apply(to: db)
    }

    public enum StoreError: Error, CustomStringConvertible {
        case sql(SQLiteError)
        case media(path: String, reason: String)
        case numbersExhausted

        public var description: String {
            switch self {
            case .sql(let e): e.description
            case .media(let p, let r): "\(p): \(r)"
            case .numbersExhausted: "every acceptance number of this node is in use"
            }
        }
    }

    // MARK: Calls

    @discardableResult
    public func beginCall(line: Int, direction: CallDirection = .inbound, at date: Date, caller: CallerInfo = CallerInfo()) throws(StoreError) -> Int {
        let time = StoreTime.string(date)
        return try run {
            try db.query("""
                INSERT INTO calls (uid, line, direction, started_at, caller_number, caller_name, caller_absence, caller_id_standard)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [UUID().uuidString.lowercased(), line, direction.rawValue, time, caller.number, caller.name, caller.absence, caller.standard])
            let id = db.lastInsertedRowID
            try change("call", id, "created", time)
            return id
        }
    }

    public func setCaller(call: Int, _ caller: CallerInfo) throws(StoreError) {
        try run {
            try db.query("UPDATE calls SET caller_number = ?, caller_name = ?, caller_absence = ?, caller_id_standard = ? WHERE id = ?",
                         [caller.number, caller.name, caller.absence, caller.standard, call])
        }
    }

    public func answerCall(_ call: Int, at date: Date) throws(StoreError) {
        let time = StoreTime.string(date)
        return try run { try db.query("UPDATE calls SET answered_at = ? WHERE id = ?", [time, call]) }
    }

    /// Marks a call in progress with a wall-clock jump (ms, forward positive; jumps add up), so
    /// its times are known to straddle it.
    public func markClockJump(call: Int, byMs jump: Int) throws(StoreError) {
        try run { try db.query("UPDATE calls SET clock_jump_ms = COALESCE(clock_jump_ms, 0) + ? WHERE id = ?", [jump, call]) }
    }

    /// Closes the CDR: how it ended, the path through the IVR and every digit keyed.
    public func finishCall(_ call: Int, at date: Date, disconnectReason: DisconnectReason?, disposition: Disposition, ivrPath: [String], digits: String) throws(StoreError) {
        let time = StoreTime.string(date)
        return try run {
            try db.query("UPDATE calls SET ended_at = ?, disconnect_reason = ?, disposition = ?, ivr_path = ?, digits = ? WHERE id = ?",
                         [time, disconnectReason?.rawValue ?? "", disposition.rawValue, ivrPath.joined(separator: " "), digits, call])
            try change("call", call, "ended", time)
        }
    }

    /// The last `limit` calls, oldest first.
    public func calls(last limit: Int = Int.max) throws(StoreError) -> [CallRecordRow] {
        try read {
            try db.query("SELECT * FROM (SELECT * FROM calls ORDER BY id DESC LIMIT ?) ORDER BY id", [limit]).map { r in
                CallRecordRow(id: r.int("id") ?? 0, uid: r.text("uid") ?? "", line: r.int("line") ?? 0, direction: r.text("direction") ?? "",
                              startedAt: r.date("started_at") ?? .distantPast, answeredAt: r.date("answered_at"), endedAt: r.date("ended_at"),
                              callerNumber: r.text("caller_number"), disconnectReason: r.text("disconnect_reason"),
                              disposition: r.text("disposition"), ivrPath: r.text("ivr_path") ?? "", digits: r.text("digits") ?? "",
                              clockJumpMs: r.int("clock_jump_ms"))
            }
        }
    }

    // MARK: Cases

    /// Creates a case with its media in one transaction, and returns it with its new number.
    /// `reopens`: the case a `reopen` case asks to be worked again.
    public func createCase(kind: CaseKind, call: Int?, callerNumber: String?, complete: Bool = true, media: [NewMedia] = [],
                           reopens: AcceptanceNumber? = nil, at date: Date) throws(StoreError) -> CaseRecord {
        let time = StoreTime.string(date)
        let digests = try media.map { m throws(StoreError) in (m, try Self.digest(m.path)) }
        return try run {
            let number = try nextNumber()
            try db.query("""
                INSERT INTO cases (number, kind, status, status_version, call_id, caller_number, complete, created_at, updated_at, reopens)
                VALUES (?, ?, 'accepted', 1, ?, ?, ?, ?, ?, ?)
                """, [number.digits, kind.rawValue, call, callerNumber, complete, time, time, reopens?.digits])
            let id = db.lastInsertedRowID
            try db.query("INSERT INTO case_status_history (case_id, status, version, source, changed_at) VALUES (?, 'accepted', 1, 'box', ?)", [id, time])
            try change("case", id, "created", time)
            for (m, d) in digests { try insertMedia(m, digest: d, caseID: id, callID: call, at: date) }
            return CaseRecord(id: id, number: number, kind: kind, status: .accepted, statusVersion: 1, callID: call,
                              callerNumber: callerNumber, complete: complete, createdAt: StoreTime.date(time) ?? date)
        }
    }

    /// Attaches a file to a call (a whole-call recording, say).
    public func addMedia(_ media: NewMedia, call: Int, at date: Date) throws(StoreError) {
        let time = StoreTime.string(date)
        let digest = try Self.digest(media.path)
        try run { try insertMedia(media, digest: digest, caseID: nil, callID: call, at: date) }
    }

    public func lookup(_ number: AcceptanceNumber) throws(StoreError) -> CaseRecord? {
        try read { try db.query("SELECT * FROM cases WHERE number = ?", [number.digits]).first.map(Self.caseRecord) }
    }

    /// The last `limit` cases, oldest first.
    public func cases(last limit: Int = Int.max) throws(StoreError) -> [CaseRecord] {
        try read { try db.query("SELECT * FROM (SELECT * FROM cases ORDER BY id DESC LIMIT ?) ORDER BY id", [limit]).map(Self.caseRecord) }
    }

    /// Up to `limit` cases whose number or caller contains `text`, newest last.
    public func cases(containing text: String, limit: Int) throws(StoreError) -> [CaseRecord] {
        let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
        return try read {
            try db.query("""
                SELECT * FROM (SELECT * FROM cases WHERE number LIKE ?1 ESCAPE '\\' OR caller_number LIKE ?1 ESCAPE '\\' ORDER BY id DESC LIMIT ?2) ORDER BY id
                """, [pattern, limit]).map(Self.caseRecord)
        }
    }

    /// A case's status changes, oldest first.
    public func statusHistory(case caseID: Int) throws(StoreError) -> [(status: String, version: Int, source: String, at: String)] {
        try read {
            try db.query("SELECT status, version, source, changed_at FROM case_status_history WHERE case_id = ? ORDER BY id", [caseID]).map {
                ($0.text("status") ?? "", $0.int("version") ?? 0, $0.text("source") ?? "", $0.text("changed_at") ?? "")
            }
        }
    }

    /// Rows in a table, for the console's status line.
    public func count(_ table: CountedTable) throws(StoreError) -> Int {
        try read { try db.query("SELECT count(*) AS n FROM \(table.rawValue)").first?.int("n") ?? 0 }
    }

    public enum CountedTable: String, Sendable { case calls, cases }

    public func media(case caseID: Int) throws(StoreError) -> [MediaRecord] {
        try read { try db.query("SELECT * FROM media WHERE case_id = ? ORDER BY id", [caseID]).map(Self.mediaRecord) }
    }

    public func media(call callID: Int) throws(StoreError) -> [MediaRecord] {
        try read { try db.query("SELECT * FROM media WHERE call_id = ? ORDER BY id", [callID]).map(Self.mediaRecord) }
    }

    public enum StatusUpdate: Equatable, Sendable {
        case applied(version: Int)
        /// The case already has this version or a newer one: nothing changed (idempotent).
        case stale(current: Int)
        /// A number of this box's own that it never gave out.
        case unknownCase
    }

    /// Sets a case's status. With `version`, the update applies only if it is newer than the
    /// case's (so a repeated or reordered push changes nothing); without, it is the next one.
    /// A number from another node of the district (the central desk, another box) that this box
    /// has no case for is kept as a remote case, so callers here can ask after it; `note` nil
    /// keeps a remote case's earlier note.
    public func setStatus(_ number: AcceptanceNumber, to status: CaseStatus, version: Int? = nil, source: String = "central",
                          note: String? = nil, at date: Date) throws(StoreError) -> StatusUpdate {
        let time = StoreTime.string(date)
        return try run {
            guard let row = try db.query("SELECT id, status_version FROM cases WHERE number = ?", [number.digits]).first,
                  let id = row.int("id"), let current = row.int("status_version") else {
                return number.digits.hasPrefix(prefix.digits) ? .unknownCase : try setRemoteStatus(number, status, version, note, time)
            }
            let next = version ?? current + 1
            guard next > current else { return .stale(current: current) }
            try db.query("UPDATE cases SET status = ?, status_version = ?, updated_at = ? WHERE id = ?", [status.rawValue, next, time, id])
            try db.query("INSERT INTO case_status_history (case_id, status, version, source, note, changed_at) VALUES (?, ?, ?, ?, ?, ?)",
                         [id, status.rawValue, next, source, note, time])
            try change("case", id, "status", time)
            return .applied(version: next)
        }
    }

    private func setRemoteStatus(_ number: AcceptanceNumber, _ status: CaseStatus, _ version: Int?, _ note: String?, _ time: String) throws -> StatusUpdate {
        let current = try db.query("SELECT status_version FROM remote_cases WHERE number = ?", [number.digits]).first?.int("status_version") ?? 0
        let next = version ?? current + 1
        guard next > current else { return .stale(current: current) }
        try db.query("""
            INSERT INTO remote_cases (number, status, status_version, note, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT (number) DO UPDATE SET status = ?2, status_version = ?3, note = COALESCE(?4, note), updated_at = ?5
            """, [number.digits, status.rawValue, next, note, time])
        return .applied(version: next)
    }

    /// What a caller asking after `number` hears: its status and the central office's latest
    /// handling note (an empty note clears it), from this box's cases or the district's.
    public func callerStatus(_ number: AcceptanceNumber) throws(StoreError) -> CallerStatus? {
        try read {
            let row = try db.query("""
                SELECT status, (SELECT NULLIF(note, '') FROM case_status_history h WHERE h.case_id = cases.id AND note IS NOT NULL ORDER BY h.id DESC LIMIT 1) AS note
                FROM cases WHERE number = ?1
                UNION ALL SELECT status, NULLIF(note, '') FROM remote_cases WHERE number = ?1
                LIMIT 1
                """, [number.digits]).first
            return row.flatMap { r in r.text("status").flatMap(CaseStatus.init(rawValue:)).map { CallerStatus(status: $0, note: r.text("note")) } }
        }
    }

    // MARK: Surveys

    public func recordSurveyAnswer(call: Int, survey: String, question: String, answer: String, at date: Date) throws(StoreError) {
        let time = StoreTime.string(date)
        return try run {
            try db.query("INSERT INTO survey_answers (call_id, survey, question, answer, answered_at) VALUES (?, ?, ?, ?, ?)",
                         [call, survey, question, answer, time])
            try change("survey_answer", db.lastInsertedRowID, "created", time)
        }
    }

    public func surveyAnswers(call: Int) throws(StoreError) -> [(question: String, answer: String)] {
        try read { try db.query("SELECT question, answer FROM survey_answers WHERE call_id = ? ORDER BY id", [call]).map { ($0.text("question") ?? "", $0.text("answer") ?? "") } }
    }

    // MARK: Fax results

    /// What a fax session on a call achieved, either way (a received fax also becomes a case).
    public func recordFaxResult(call: Int, direction: FaxDirection, success: Bool, pages: Int, reason: String?, document: String?,
                                at date: Date) throws(StoreError) {
        let time = StoreTime.string(date)
        return try run {
            try db.query("""
                INSERT INTO fax_results (call_id, direction, success, pages, reason, document, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [call, direction.rawValue, success, pages, reason, document, time])
            try change("fax_result", db.lastInsertedRowID, "created", time)
        }
    }

    // MARK: Internals

    /// A write, in a transaction that holds the write lock from its start.
    func run<T>(_ body: () throws -> T) throws(StoreError) -> T { try transaction(.immediate, body) }

    /// A read, in a deferred transaction: one consistent snapshot, no lock.
    func read<T>(_ body: () throws -> T) throws(StoreError) -> T { try transaction(.deferred, body) }

    private func transaction<T>(_ mode: SQLiteConnection.TransactionMode, _ body: () throws -> T) throws(StoreError) -> T {
        do { return try db.transaction(mode, body) } catch let e as SQLiteError { throw .sql(e) } catch let e as StoreError { throw e } catch {
            throw .sql(SQLiteError(code: 0, message: "\(error)", context: "case store"))
        }
    }

    /// Appends to the change feed, with a snapshot of the entity as it is now, so the feed reads
    /// the same however often and however late the central office pulls it.
    func change(_ entity: String, _ id: Int, _ what: String, _ time: String) throws {
        let payload = try ChangeSnapshot.json(of: entity, id: id, in: db)
        try db.query("INSERT INTO changes (entity, entity_id, change, at, payload) VALUES (?, ?, ?, ?, ?)", [entity, id, what, time, payload])
    }

    /// The next number of this node's sequence, in one read and one write: numbers are never
    /// reused (cases are kept), so the sequence simply runs to its end, 10^(7 - prefix digits)
    /// cases (docs/UPLINK.md, "Acceptance numbers"); health warns long before.
    private func nextNumber() throws -> AcceptanceNumber {
        let value = (try db.query("SELECT value FROM sequences WHERE name = 'case'").first?.int("value") ?? 0) + 1
        guard value <= prefix.sequenceLimit else { throw StoreError.numbersExhausted }
        try db.query("INSERT INTO sequences (name, value) VALUES ('case', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value", [value])
        return AcceptanceNumber(prefix: prefix, sequence: value % prefix.sequenceLimit)
    }

    /// Acceptance numbers given out so far, and how many this node's prefix allows.
    public func acceptanceNumbers() throws(StoreError) -> (used: Int, capacity: Int) {
        try read { (try db.query("SELECT value FROM sequences WHERE name = 'case'").first?.int("value") ?? 0, prefix.sequenceLimit) }
    }

    private func insertMedia(_ m: NewMedia, digest: (size: Int, sha256: String), caseID: Int?, callID: Int?, at date: Date) throws {
        let time = StoreTime.string(date)
        try db.query("""
            INSERT INTO media (case_id, call_id, kind, path, duration_ms, pages, size, sha256, complete, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [caseID, callID, m.kind.rawValue, m.path, m.durationMs, m.pages, digest.size, digest.sha256, m.complete, time])
        try change("media", db.lastInsertedRowID, "created", time)
    }

    static func digest(_ path: String) throws(StoreError) -> (size: Int, sha256: String) {
        do { return try ContentDigest.sha256Hex(file: path) } catch { throw .media(path: path, reason: "cannot read the file: \(error)") }
    }

    private static func caseRecord(_ r: SQLRow) -> CaseRecord {
        CaseRecord(id: r.int("id") ?? 0, number: AcceptanceNumber(trusted: r.text("number") ?? ""), kind: CaseKind(rawValue: r.text("kind") ?? "") ?? .complaint,
                   status: CaseStatus(rawValue: r.text("status") ?? "") ?? .accepted, statusVersion: r.int("status_version") ?? 1,
                   callID: r.int("call_id"), callerNumber: r.text("caller_number"), complete: r.int("complete") == 1,
                   createdAt: r.date("created_at") ?? .distantPast)
    }

    static func mediaRecord(_ r: SQLRow) -> MediaRecord {
        MediaRecord(id: r.int("id") ?? 0, caseID: r.int("case_id"), callID: r.int("call_id"), kind: MediaKind(rawValue: r.text("kind") ?? "") ?? .recording,
                    path: r.text("path") ?? "", durationMs: r.int("duration_ms"), pages: r.int("pages"), size: r.int("size") ?? 0,
                    sha256: r.text("sha256") ?? "", complete: r.int("complete") == 1)
    }
}
