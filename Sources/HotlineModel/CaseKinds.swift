public enum CaseKind: String, Sendable, Codable, CaseIterable {
    case mayorMailbox = "mayor_mailbox"
    case complaint
    case report
    case consultationCallback = "consultation_callback"
    case fax
    case survey
    /// A caller who could not reach the desk (out of hours, or it was busy) and asked to be
    /// called back: the caller ID and a short message.
    case callbackRequest = "callback_request"
    /// A citizen called back with a case's result who was not satisfied and left a message:
    /// the first case is worked again (it names the case it reopens).
    case reopen
}

/// A case's status. The box creates cases as accepted (已受理); the central office moves them on:
/// being processed (正在受理), not accepted (不受理), closed (办结).
public enum CaseStatus: String, Sendable, Codable, CaseIterable {
    case accepted
    case inProgress = "in_progress"
    case rejected
    case closed
}

public enum MediaKind: String, Sendable, Codable {
    /// A caller's message (complaint, mailbox).
    case recording
    /// The whole call, caller left and box right.
    case callRecording = "call_recording"
    case fax
}
