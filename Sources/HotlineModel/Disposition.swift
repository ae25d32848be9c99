/// What a call achieved, as the CDR and the log line record it. A call moves from unanswered to
/// answered when the box picks up, and on to one of the outcomes; crash recovery marks the calls
/// a restart cut off as interrupted.
public enum Disposition: String, Sendable, Codable, CaseIterable {
    case unanswered
    case answered
    case caseCreated = "case_created"
    case transferred
    case faxReceived = "fax_received"
    case faxSent = "fax_sent"
    case faxFailed = "fax_failed"
    case interrupted
}
