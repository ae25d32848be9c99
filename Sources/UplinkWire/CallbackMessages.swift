import Foundation
import HotlineModel

/// `POST /v1/callbacks`: a call-back the box is to make. `id` is the central office's own:
/// posting the same `id` again finds the first job (a retry after a lost reply is safe).
package struct CallbackSchedule: Codable, Sendable, Equatable {
    package var id: String
    package var `case`: String
    package var number: String
    package var purpose: CallbackPurpose?
    /// Set on the case first, as `PUT /v1/cases/{number}/status` would (the next version).
    package var status: CaseStatus?
    package var note: String?
    /// ISO 8601 moments with their offset: no attempt before, none after.
    package var notBefore: String?
    package var expiresAt: String?
    package var attempts: Int?
    package var retryAfterS: Int?

    package init(id: String, case number: String, number phone: String, purpose: CallbackPurpose? = nil, status: CaseStatus? = nil, note: String? = nil,
                 notBefore: String? = nil, expiresAt: String? = nil, attempts: Int? = nil, retryAfterS: Int? = nil) {
        self.id = id
        self.case = number
        self.number = phone
        self.purpose = purpose
        self.status = status
        self.note = note
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.attempts = attempts
        self.retryAfterS = retryAfterS
    }

    enum CodingKeys: String, CodingKey {
        case id, `case`, number, purpose, status, note, notBefore = "not_before", expiresAt = "expires_at", attempts, retryAfterS = "retry_after_s"
    }

    /// Words outside their lists say which words there are.
    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func word<W: RawRepresentable & CaseIterable>(_ key: CodingKeys, _: W.Type) throws -> W? where W.RawValue == String {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let value = W(rawValue: text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "must be one of \(W.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        id = try c.decode(String.self, forKey: .id)
        self.case = try c.decode(String.self, forKey: .case)
        number = try c.decode(String.self, forKey: .number)
        purpose = try word(.purpose, CallbackPurpose.self)
        status = try word(.status, CaseStatus.self)
        note = try c.decodeIfPresent(String.self, forKey: .note)
        notBefore = try c.decodeIfPresent(String.self, forKey: .notBefore)
        expiresAt = try c.decodeIfPresent(String.self, forKey: .expiresAt)
        attempts = try c.decodeIfPresent(Int.self, forKey: .attempts)
        retryAfterS = try c.decodeIfPresent(Int.self, forKey: .retryAfterS)
    }
}

/// A call-back job as the box holds it: the reply to its scheduling, a look-up and a cancel.
package struct CallbackReply: Codable, Sendable, Equatable {
    package var id: String
    package var `case`: String
    package var number: String
    /// False when `id` was posted before: this is that job, and nothing new was queued.
    package var created: Bool
    package var state: OutboundJobState
    package var attempts: Int
    package var maxAttempts: Int
    package var nextAttemptAt: String?
    package var expiresAt: String
    package var outcome: OutboundOutcome?
    package var rating: SatisfactionRating?
    /// Why the citizen will not hear the note, when they will not.
    package var noteWarning: String?

    package init(id: String, case number: String, number phone: String, created: Bool, state: OutboundJobState, attempts: Int, maxAttempts: Int,
                 nextAttemptAt: String?, expiresAt: String, outcome: OutboundOutcome?, rating: SatisfactionRating?, noteWarning: String? = nil) {
        self.id = id
        self.case = number
        self.number = phone
        self.created = created
        self.state = state
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.nextAttemptAt = nextAttemptAt
        self.expiresAt = expiresAt
        self.outcome = outcome
        self.rating = rating
        self.noteWarning = noteWarning
    }

    enum CodingKeys: String, CodingKey {
        case id, `case`, number, created, state, attempts, maxAttempts = "max_attempts", nextAttemptAt = "next_attempt_at", expiresAt = "expires_at",
             outcome, rating, noteWarning = "note_warning"
    }
}
