import Foundation
import HotlineModel

/// A job for the outbound queue, as the central office (or a caller's fax request) asks for it.
public struct NewOutboundJob: Sendable, Equatable {
    /// Given by whoever asked: asking again with the same id finds the first job, not a second.
    public var clientID: String
    public var kind: OutboundJobKind
    public var caseNumber: AcceptanceNumber?
    /// The digits the box dials.
    public var number: String
    public var purpose: CallbackPurpose?
    /// The status a call-back tells, and the handling note with it.
    public var status: CaseStatus?
    public var note: String?
    /// The document a fax job sends.
    public var document: String?
    public var maxAttempts: Int
    public var retryAfterSeconds: Int
    /// No attempt before this moment (the calling window is asked besides).
    public var notBefore: Date
    public var expiresAt: Date

    public init(clientID: String, kind: OutboundJobKind, caseNumber: AcceptanceNumber?, number: String, purpose: CallbackPurpose? = nil,
                status: CaseStatus? = nil, note: String? = nil, document: String? = nil, maxAttempts: Int, retryAfterSeconds: Int,
                notBefore: Date, expiresAt: Date) {
        self.clientID = clientID
        self.kind = kind
        self.caseNumber = caseNumber
        self.number = number
        self.purpose = purpose
        self.status = status
        self.note = note
        self.document = document
        self.maxAttempts = maxAttempts
        self.retryAfterSeconds = retryAfterSeconds
        self.notBefore = notBefore
        self.expiresAt = expiresAt
    }
}

/// A job as the queue holds it.
public struct OutboundJob: Sendable, Equatable {
    public var id: Int
    public var request: NewOutboundJob
    public var state: OutboundJobState
    public var attempts: Int
    public var nextAt: Date
    public var outcome: OutboundOutcome?
    public var rating: SatisfactionRating?
    public var pages: Int?
}

/// One dialling of a job.
public struct OutboundAttempt: Sendable, Equatable {
    public var line: Int
    public var callID: Int?
    public var startedAt: Date
    /// The call's result (`OutboundResult`), or `interrupted` for an attempt a restart cut off.
    public var result: String?
}

/// The outbound queue: every job the box starts itself, durable across restarts. A job is
/// dialled by one line at a time (`dialling` while it is), never after it is done (cancelled,
/// expired, or finished), and each attempt and outcome goes to the change feed as an
/// `outbound_job`.
extension CaseStore {
    /// Queues `job`, or finds the job queued before under its client id (`created` false).
    public func queueOutbound(_ job: NewOutboundJob, at date: Date) throws(StoreError) -> (job: OutboundJob, created: Bool) {
        let time = StoreTime.string(date)
        return try run {
            if let existing = try db.query("SELECT * FROM outbound_jobs WHERE client_id = ?", [job.clientID]).first {
                return (Self.outboundJob(existing), false)
            }
            try db.query("""
                INSERT INTO outbound_jobs (client_id, kind, case_number, number, purpose, status, note, document, max_attempts, retry_after_s,
                                           state, next_at, expires_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)
                """, [job.clientID, job.kind.rawValue, job.caseNumber?.digits, job.number, job.purpose?.rawValue, job.status?.rawValue, job.note,
                      job.document, job.maxAttempts, job.retryAfterSeconds, StoreTime.string(job.notBefore), StoreTime.string(job.expiresAt), time, time])
            let id = db.lastInsertedRowID
            try change("outbound_job", id, "created", time)
            return (try outboundJob(id)!, true)
        }
    }

    public func outboundJob(id: Int) throws(StoreError) -> OutboundJob? { try read { try outboundJob(id) } }

    public func outboundJob(clientID: String) throws(StoreError) -> OutboundJob? {
        try read { try db.query("SELECT * FROM outbound_jobs WHERE client_id = ?", [clientID]).first.map(Self.outboundJob) }
    }

    /// The last `limit` jobs, oldest first.
    public func outboundJobs(last limit: Int = Int.max) throws(StoreError) -> [OutboundJob] {
        try read { try db.query("SELECT * FROM (SELECT * FROM outbound_jobs ORDER BY id DESC LIMIT ?) ORDER BY id", [limit]).map(Self.outboundJob) }
    }

    /// Jobs by kind and state, and, for those done, by outcome: what the metrics count.
    public func outboundTotals() throws(StoreError) -> [(kind: String, state: String, outcome: String?, count: Int)] {
        try read {
            try db.query("SELECT kind, state, outcome, count(*) AS n FROM outbound_jobs GROUP BY kind, state, outcome ORDER BY kind, state, outcome").map {
                ($0.text("kind") ?? "", $0.text("state") ?? "", $0.text("outcome"), $0.int("n") ?? 0)
            }
        }
    }

    /// The job a call was an attempt of: what a call-back's message is about, found again after
    /// a crash from the call it was left in.
    public func outboundJob(call: Int) throws(StoreError) -> OutboundJob? {
        try read {
            try db.query("SELECT j.* FROM outbound_jobs j JOIN outbound_attempts a ON a.job_id = j.id WHERE a.call_id = ? LIMIT 1", [call]).first.map(Self.outboundJob)
        }
    }

    public func outboundAttempts(job: Int) throws(StoreError) -> [OutboundAttempt] {
        try read {
            try db.query("SELECT * FROM outbound_attempts WHERE job_id = ? ORDER BY id", [job]).map {
                OutboundAttempt(line: $0.int("line") ?? 0, callID: $0.int("call_id"), startedAt: $0.date("started_at") ?? .distantPast, result: $0.text("result"))
            }
        }
    }

    /// Jobs whose expiry has passed while they waited end as `expired`; how many did.
    @discardableResult
    public func expireOutbound(at date: Date) throws(StoreError) -> Int {
        let time = StoreTime.string(date)
        let due = "SELECT id FROM outbound_jobs WHERE state = 'queued' AND expires_at <= ?"
        // Looked at without the write lock: most seconds nothing expires.
        guard try read({ try db.query(due + " LIMIT 1", [time]).isEmpty }) == false else { return 0 }
        return try run {
            let ids = try db.query(due, [time]).compactMap { $0.int("id") }
            for id in ids { try finish(id, .expired, time) }
            return ids.count
        }
    }

    /// The queued job of `kinds` whose next attempt is due first at `date`, if any is due.
    public func nextDueOutbound(at date: Date, kinds: Set<OutboundJobKind> = Set(OutboundJobKind.allCases)) throws(StoreError) -> OutboundJob? {
        let time = StoreTime.string(date)
        let names = kinds.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
        return try read {
            try db.query("""
                SELECT * FROM outbound_jobs WHERE state = 'queued' AND next_at <= ? AND expires_at > ? AND kind IN (\(names)) ORDER BY next_at, id LIMIT 1
                """, [time, time]).first.map(Self.outboundJob)
        }
    }

    /// Starts an attempt of a queued job on `line`; nil when the job is no longer queued (it was
    /// cancelled or taken meanwhile), so nothing is dialled.
    public func beginOutboundAttempt(job: Int, line: Int, call: Int, at date: Date) throws(StoreError) -> Int? {
        let time = StoreTime.string(date)
        return try run {
            try db.query("UPDATE outbound_jobs SET state = 'dialling', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'queued'", [time, job])
            guard db.changes == 1 else { return nil }
            try db.query("INSERT INTO outbound_attempts (job_id, call_id, line, started_at) VALUES (?, ?, ?, ?)", [job, call, line, time])
            let attempt = db.lastInsertedRowID
            try change("outbound_job", job, "attempt", time)
            return attempt
        }
    }

    /// Ends an attempt: the job is done with `outcome` when one is given, when its attempts are
    /// used up, or when it was cancelled meanwhile; otherwise it waits its retry time.
    @discardableResult
    public func endOutboundAttempt(_ attempt: Int, result: String, outcome: OutboundOutcome?, rating: SatisfactionRating? = nil, pages: Int? = nil,
                                   at date: Date) throws(StoreError) -> OutboundJob? {
        let time = StoreTime.string(date)
        return try run {
            guard let job = try db.query("SELECT job_id FROM outbound_attempts WHERE id = ? AND ended_at IS NULL", [attempt]).first?.int("job_id"),
                  let row = try db.query("SELECT * FROM outbound_jobs WHERE id = ?", [job]).first
            else { return nil }
            try db.query("UPDATE outbound_attempts SET ended_at = ?, result = ? WHERE id = ?", [time, result, attempt])
            let current = Self.outboundJob(row)
            try db.query("UPDATE outbound_jobs SET rating = coalesce(?, rating), pages = coalesce(?, pages) WHERE id = ?", [rating?.rawValue, pages, job])
            if current.state == .done {
                try change("outbound_job", job, "attempt", time)
            } else if result == Self.yielded {
                try db.query("UPDATE outbound_jobs SET state = 'queued', attempts = attempts - 1, updated_at = ? WHERE id = ?", [time, job])
                try change("outbound_job", job, "attempt", time)
            } else if let outcome {
                try finish(job, outcome, time)
            } else if current.attempts >= current.request.maxAttempts {
                try finish(job, .exhausted(after: OutboundResult(rawValue: result)), time)
            } else {
                let next = StoreTime.string(date.addingTimeInterval(Double(current.request.retryAfterSeconds)))
                try db.query("UPDATE outbound_jobs SET state = 'queued', next_at = ?, updated_at = ? WHERE id = ?", [next, time, job])
                try change("outbound_job", job, "attempt", time)
            }
            return try outboundJob(job)
        }
    }

    /// Cancels a job that is not done yet; an attempt on a line now is let finish, and the job
    /// is not dialled again. Nil for an unknown id.
    public func cancelOutbound(id: Int, at date: Date) throws(StoreError) -> OutboundJob? {
        let time = StoreTime.string(date)
        return try run {
            guard let row = try db.query("SELECT * FROM outbound_jobs WHERE id = ?", [id]).first else { return nil }
            if Self.outboundJob(row).state != .done { try finish(id, .cancelled, time) }
            return try outboundJob(id)
        }
    }

    /// After an unclean stop: attempts that were on a line end as `interrupted`, and their jobs
    /// are queued again for their next attempt (or end, if that was the last). How many.
    @discardableResult
    public func recoverOutbound(at date: Date) throws(StoreError) -> Int {
        let open = try read { try db.query("SELECT id FROM outbound_attempts WHERE ended_at IS NULL").compactMap { $0.int("id") } }
        for attempt in open { try endOutboundAttempt(attempt, result: Self.interrupted, outcome: nil, at: date) }
        return open.count
    }

    public static let interrupted = "interrupted"
    /// An attempt given up for callers: a caller rang on the line before it was seized, or
    /// callers took the lines kept free while it rang out. It does not count, and the job is due
    /// again at once (the switchboard's `quiet_after_ring` and `keep_free_lines` hold it back).
    public static let yielded = "yielded"

    private func finish(_ job: Int, _ outcome: OutboundOutcome, _ time: String) throws {
        try db.query("UPDATE outbound_jobs SET state = 'done', outcome = ?, updated_at = ? WHERE id = ?", [outcome.rawValue, time, job])
        try change("outbound_job", job, "done", time)
    }

    private func outboundJob(_ id: Int) throws -> OutboundJob? {
        try db.query("SELECT * FROM outbound_jobs WHERE id = ?", [id]).first.map(Self.outboundJob)
    }

    static func outboundJob(_ r: SQLRow) -> OutboundJob {
        let request = NewOutboundJob(
            clientID: r.text("client_id") ?? "", kind: OutboundJobKind(rawValue: r.text("kind") ?? "") ?? .callback,
            caseNumber: r.text("case_number").map(AcceptanceNumber.init(trusted:)), number: r.text("number") ?? "",
            purpose: r.text("purpose").flatMap(CallbackPurpose.init(rawValue:)), status: r.text("status").flatMap(CaseStatus.init(rawValue:)),
            note: r.text("note"), document: r.text("document"), maxAttempts: r.int("max_attempts") ?? 1, retryAfterSeconds: r.int("retry_after_s") ?? 0,
            notBefore: r.date("next_at") ?? .distantPast, expiresAt: r.date("expires_at") ?? .distantPast)
        return OutboundJob(id: r.int("id") ?? 0, request: request, state: OutboundJobState(rawValue: r.text("state") ?? "") ?? .done,
                           attempts: r.int("attempts") ?? 0, nextAt: r.date("next_at") ?? .distantPast,
                           outcome: r.text("outcome").flatMap(OutboundOutcome.init(rawValue:)),
                           rating: r.text("rating").flatMap(SatisfactionRating.init(rawValue:)), pages: r.int("pages"))
    }
}
