/// A job the box starts itself, from the outbound queue: a call-back with a case's result, or a
/// fax to a number a caller keyed.
public enum OutboundJobKind: String, Sendable, Codable, CaseIterable {
    case callback
    case fax
}

/// Why the central office asks the box to call a citizen back.
public enum CallbackPurpose: String, Sendable, Codable, CaseIterable {
    /// The handling result (处理意见), then a satisfaction rating.
    case result
    /// The return visit (回访) alone: the rating.
    case survey
}

/// Where a job is: waiting for its next attempt, on a line now, or finished with an outcome.
public enum OutboundJobState: String, Sendable, Codable, CaseIterable {
    case queued
    case dialling
    case done
}

/// How a job ended. The first three are a call-back's successes, `sent` a fax job's; the
/// others say why it gave up.
public enum OutboundOutcome: String, Sendable, Codable, CaseIterable {
    /// The citizen heard the result and keyed a rating.
    case rated
    /// The citizen heard the result and keyed no rating.
    case heard
    /// Nobody keyed anything: a short message with the number was left (an answering machine).
    case heardByMachine = "heard_by_machine"
    case sent
    /// Every attempt found the number busy (or turned away), or every attempt rang out.
    case busy
    case noAnswer = "no_answer"
    /// Attempts ran out otherwise (congestion, no dial tone, an answer that hung up at once).
    case failed
    case cancelled
    /// Its expiry passed before an attempt got through.
    case expired

    /// The outcome when attempts run out on `last`.
    public static func exhausted(after last: OutboundResult?) -> OutboundOutcome {
        switch last {
        case .busy?, .rejected?: .busy
        case .noAnswer?: .noAnswer
        case .answered?, .congestion?, .noDialTone?, .lineDropped?, nil: .failed
        }
    }
}

/// A satisfaction rating as the citizen keys it: 满意 1, 基本满意 2, 不满意 3.
public enum SatisfactionRating: String, Sendable, Codable, CaseIterable {
    case satisfied = "1"
    case basicallySatisfied = "2"
    case dissatisfied = "3"
}
