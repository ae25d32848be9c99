import DSP

/// How the exchange sends caller ID (chan_dahdi's `cidsignalling`/`cidstart`).
public enum CallerIDSignalling: Sendable, Equatable, Codable {
    case none
    /// FSK between the first and second ring (China's YDN 069: Bell 202).
    case fskAfterFirstRing(CallerIDStandard)
    /// DTMF before the first ring.
    case dtmfBeforeRing
}

/// Line supervision settings, with chan_dahdi's defaults where they make sense. Times in ms of
/// line time.
public struct SupervisionConfig: Sendable, Equatable, Codable {
    public var answerAfterRings = 2
    public var callerID: CallerIDSignalling = .fskAfterFirstRing(.bell202)
    /// A ringing call is abandoned when no ring starts for this long (chan_dahdi `ringtimeout`).
    public var ringTimeoutMs = 8000
    /// Loop current must stay off this long before it counts as a hang-up.
    public var loopDropDebounceMs = 100
    public var hangUpOnPolarityReversal = true
    /// Hang up on confirmed busy or congestion tone (the only hang-up many exchanges give).
    public var hangUpOnBusyTone = true
    /// Hang up after this long with neither the caller nor the box making a sound; 0 = never.
    public var silenceTimeoutMs = 30_000
    public var maxCallMs = 30 * 60_000
    /// Outbound: dial tone must come within this long of going off-hook.
    public var dialToneTimeoutMs = 3000
    /// Outbound: give up when nobody answers within this long of the last digit.
    public var noAnswerTimeoutMs = 45_000
    /// Outbound: the callee's voice must last this long to count as an answer.
    public var answerVoiceMs = 300

    public init() {}

    /// Settings that cannot work, for configuration errors.
    public func problems() -> [String] {
        var out: [String] = []
        if answerAfterRings < 1 { out.append("answer_after_rings must be at least 1") }
        if case .fskAfterFirstRing = callerID, answerAfterRings < 2 {
            out.append("FSK caller ID comes after the first ring: answer_after_rings must be at least 2")
        }
        if ringTimeoutMs < 5000 { out.append("ring_timeout_ms \(ringTimeoutMs) is shorter than China's 4 s ring pause") }
        if loopDropDebounceMs < 0 || loopDropDebounceMs > 2000 { out.append("loop_drop_debounce_ms must be 0-2000") }
        if silenceTimeoutMs < 0 { out.append("silence_timeout_ms must be 0 (off) or more") }
        if maxCallMs < 60_000 { out.append("max_call_ms must be at least 60000") }
        return out
    }
}

