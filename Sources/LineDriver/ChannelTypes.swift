import DSP
import HotlineModel

/// What a channel reports, stamped with the line time (samples) it happened at.
public struct ChannelEvent: Sendable {
    public enum Kind: Sendable {
        case line(LineEvent)
        case hook(HookCommand)
        case ringing(count: Int)
        case callerID(CallerIDSpill)
        case answered
        case disconnected(DisconnectReason)
        case outbound(OutboundResult)
        /// A supervised transfer's consultation ended (docs/FLOWS.md): answered, or failed and
        /// the caller taken back.
        case consulted(OutboundResult)
        /// A line test ended; the level is that of the line when it ended (dial tone, if any).
        case lineTested(dialTone: Bool, levelDBm0: Int)
        case digitBegan(Character, levelDBm0: Int)
        case digit(DTMFDigit)
        case tone(CallProgressDetection)
        case faxTone(FaxToneDetection)
        case voice(VoiceActivity)
        case playbackFinished(id: Int32, interrupted: Bool)
        case dialled
        case faxFinished
        /// The channel has let go of a recording ring: the recorder may finish it.
        case recordingStopped(RecordingTap)
    }

    public let channel: Int
    public let at: Int
    public let kind: Kind
}

/// Digits to dial, held inline (commands cross to the frame thread without allocating).
public struct DialString: Sendable {
    public private(set) var count = 0
    private var digits = InlineArray<32, UInt8>(repeating: 0)

    public init?(_ text: String) {
        guard DTMFKeypad.isDialString(text) else { return nil }
        for c in text.utf8 { digits[count] = c; count += 1 }
    }

    package func forEachDigit(_ body: (UInt8) -> Void) {
        for i in 0..<count { body(digits[i]) }
    }
}

/// A channel records into at most one ring per tap at a time.
public enum RecordingTap: Int, Sendable, CaseIterable {
    /// The whole call (usually stereo).
    case call = 0
    /// A caller's message (mono).
    case message = 1
    /// A technician recording a prompt from the line (mono).
    case technician = 2
}

/// What the rest of the box asks of a channel.
///
/// Unchecked Sendable: a `fax` command hands its terminal to the frame thread, which alone uses
/// it until it reports `faxFinished`; only then may the sender read the terminal's result.
public enum ChannelCommand: @unchecked Sendable {
    /// Queue audio; `bargeIn` stops it (and what is queued after it) at the first DTMF digit.
    case play(PromptAudio, id: Int32, bargeIn: Bool)
    case stopPlayback
    /// Tap the line into `ring`: the caller's audio, or caller left and box right.
    case record(SampleRing, stereo: Bool, tap: RecordingTap)
    case stopRecording(RecordingTap)
    case hangUp
    /// Seize the idle line and call `digits`, ringing at most `noAnswerMs` (the supervision
    /// config's no-answer time without it); `outbound` tells how it went.
    case dial(DialString, noAnswerMs: Int? = nil)
    /// Send what the line `to` hears (its echo taken out) down this line, until the line goes
    /// on-hook or `nil` ends it: two calls joined by the box itself, where the exchange offers
    /// no transfer.
    case bridge(to: Int?)
    /// Hold the connected caller with a hook flash and call `digits`, ringing at most
    /// `noAnswerMs` (`consulted` tells how it went).
    case consult(DialString, noAnswerMs: Int)
    /// Seize the idle line, listen for dial tone, release (`lineTested`).
    case testLine
    /// Hand the line to a fax session until it ends (`faxFinished`); the sender keeps the
    /// terminal and reads its result.
    case fax(FaxTerminal)
}

/// Which channels run the box's echo canceller, and the echo tail it models.
public struct EchoCancellerConfig: Sendable, Equatable {
    public var tailMs = 32
    public var channels: Set<Int> = []

    public init(tailMs: Int = 32, channels: Set<Int> = []) {
        self.tailMs = tailMs
        self.channels = channels
    }
}

/// What a channel runs, apart from line supervision.
public struct ChannelConfig: Sendable {
    public var supervision = SupervisionConfig()
    public var tonePlan = TonePlan.china
    public var dtmf = DTMFDetectorConfig()
    public var voice = VoiceActivityConfig()
    /// Level of dialled digits.
    public var dialling = DTMFSendingParameters(levelDBm0: -8, twistDB: 2, onMs: 100, offMs: 100)
    /// The box's own echo canceller (`EchoCanceller`), between the line and the detectors.
    public var echoCanceller = EchoCancellerConfig()

    public init() {}
}
