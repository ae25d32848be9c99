/// Why a call ended. Every call ends with exactly one.
public enum DisconnectReason: String, Sendable, Codable, CaseIterable {
    case loopCurrentLost = "loop_current_lost"
    case polarityReversal = "polarity_reversal"
    case busyTone = "busy_tone"
    case congestionTone = "congestion_tone"
    case silence
    case maxDuration = "max_duration"
    /// The box ended the call (the flow finished).
    case local
    /// The caller stopped ringing before the box answered.
    case unanswered
    case alarm
    /// The box stopped (crash, power cut, kill) while the call was up; set by crash recovery.
    case boxRestarted = "box_restarted"
}

/// How an outbound call went.
public enum OutboundResult: String, Sendable, Codable {
    case answered
    case busy
    /// Ringback, then busy tone: the callee turned the call away (a mobile's reject key).
    case rejected
    case congestion
    case noDialTone = "no_dial_tone"
    case noAnswer = "no_answer"
    /// Loop current went away before anyone answered.
    case lineDropped = "line_dropped"
}
