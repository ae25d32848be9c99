import Foundation
import HotlineModel
import LineDriver
import LocalDB

/// A call-back as the central office asks for one (`POST /v1/callbacks`, a scenario's
/// `schedule_callback`), and its queuing: the case's status and note, when given, are set as a
/// status push sets them, and the note is spoken now, on the asker's thread, never on a call.
package struct CallbackRequest: Sendable, Equatable {
    /// The asker's id for the request: asking again with it finds the first job.
    package var id: String
    package var caseNumber: AcceptanceNumber
    package var number: String
    package var purpose = CallbackPurpose.result
    package var status: CaseStatus?
    package var note: String?
    package var notBefore: Date?
    package var expiresAt: Date?
    package var attempts: Int?
    package var retryAfterSeconds: Int?

    package init(id: String, caseNumber: AcceptanceNumber, number: String, purpose: CallbackPurpose = .result, status: CaseStatus? = nil,
                 note: String? = nil, notBefore: Date? = nil, expiresAt: Date? = nil, attempts: Int? = nil, retryAfterSeconds: Int? = nil) {
        self.id = id
        self.caseNumber = caseNumber
        self.number = number
        self.purpose = purpose
        self.status = status
        self.note = note
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.attempts = attempts
        self.retryAfterSeconds = retryAfterSeconds
    }

    package static let maxIDLength = 64

    package enum Refusal: Error, Equatable, CustomStringConvertible {
        /// A field is wrong: its name and why.
        case invalid(field: String, String)
        /// The case is not one callers here could ask after.
        case unknownCase(String)

        package var description: String {
            switch self {
            case .invalid(let field, let why): "\(field): \(why)"
            case .unknownCase(let why): why
            }
        }
    }

    /// What was queued: the job (the first one, for an id asked before), and why the note will
    /// not be heard, if it will not.
    package struct Queued: Sendable {
        package var job: OutboundJob
        package var created: Bool
        package var noteWarning: String?
    }

    /// Checks the request, sets the case's status and note (a new request only), and queues it.
    package func queue(store: CaseStore, settings: OutboundSettings, notes: HandlingNotes, at now: Date) throws -> Queued {
        try check(settings: settings)
        if let existing = try store.outboundJob(clientID: id) { return Queued(job: existing, created: false) }
        if let status {
            switch try store.setStatus(caseNumber, to: status, note: note, at: now) {
            case .applied, .stale: break
            case .unknownCase: throw Refusal.unknownCase(Self.unknown(caseNumber, prefix: store.prefix))
            }
        } else if try store.callerStatus(caseNumber) == nil {
            throw Refusal.unknownCase(Self.unknown(caseNumber, prefix: store.prefix))
        }
        let warning = note.flatMap { notes.speak($0, for: caseNumber) }
        let start = max(notBefore ?? now, now)
        let job = NewOutboundJob(clientID: id, kind: .callback, caseNumber: caseNumber, number: number, purpose: purpose, status: status, note: note,
                                 maxAttempts: attempts ?? settings.attempts, retryAfterSeconds: retryAfterSeconds ?? settings.retryAfterSeconds,
                                 notBefore: start, expiresAt: expiresAt ?? start.addingTimeInterval(Double(settings.expiresAfterSeconds)))
        let (queued, created) = try store.queueOutbound(job, at: now)
        return Queued(job: queued, created: created, noteWarning: warning)
    }

    private func check(settings: OutboundSettings) throws(Refusal) {
        guard (1...Self.maxIDLength).contains(id.utf8.count), id.utf8.allSatisfy({ Self.idBytes.contains($0) }) else {
            throw .invalid(field: "id", "must be 1 to \(Self.maxIDLength) characters of A-Z a-z 0-9 . _ -")
        }
        guard DialString(number) != nil, number.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { throw .invalid(field: "number", "must be 1 to 32 digits") }
        if let attempts, !OutboundSettings.attemptRange.contains(attempts) {
            throw .invalid(field: "attempts", "must be \(OutboundSettings.attemptRange.lowerBound) to \(OutboundSettings.attemptRange.upperBound)")
        }
        if let r = retryAfterSeconds, !OutboundSettings.retryRangeSeconds.contains(r) {
            throw .invalid(field: "retry_after_s", "must be \(OutboundSettings.retryRangeSeconds.lowerBound) to \(OutboundSettings.retryRangeSeconds.upperBound) seconds")
        }
        if let expiresAt, let notBefore, expiresAt <= notBefore { throw .invalid(field: "expires_at", "must be after not_before") }
        if let note, note.count > Self.maxNoteCharacters { throw .invalid(field: "note", "must be at most \(Self.maxNoteCharacters) characters") }
    }

    /// A note is kept for the record up to this length (callers hear it only up to
    /// `HandlingNotes.maxSpokenCharacters`).
    package static let maxNoteCharacters = 4096

    private static let idBytes = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-".utf8)

    private static func unknown(_ number: AcceptanceNumber, prefix: NodePrefix) -> String {
        "no case \(number.digits) that callers here can ask after: give it a status (a number of another node is kept as a remote case; "
            + "this box's own prefix \(prefix.digits) never gave this one out)"
    }
}
