import DSP

/// How the far end leaves a call.
public enum HangUpMode: String, Sendable, Codable, CaseIterable {
    /// Loop current drops (kewlstart disconnect supervision).
    case loopDrop = "loop_drop"
    /// Loop current drops and the exchange plays busy tone.
    case loopDropBusy = "loop_drop_busy"
    /// No signalling at all: only busy tone, as many Chinese exchanges do (the hard case).
    case busyOnly = "busy_only"
    case polarityReversal = "polarity_reversal"
    /// The line just goes quiet.
    case silent
}

/// One step of a simulated caller (or callee). Waits end when their condition is met or their
/// timeout passes (noted in the call record).
public enum CallerAction: Sendable, Codable, Equatable {
    case wait(ms: Int)
    /// Until the caller hears the box start talking.
    case waitForPrompt(timeoutMs: Int)
    /// Until the box has been quiet for `ms`.
    case waitForSilence(ms: Int, timeoutMs: Int)
    /// Until a beep at `hz` has sounded and stopped.
    case waitForBeep(hz: Int, timeoutMs: Int)
    case dtmf(String, DTMFSendingParameters)
    /// Play a WAV file (8 kHz mono 16-bit) into the line.
    case play(wav: String)
    case sendFax(tiff: String)
    case receiveFax(into: String)
    case hangUp(HangUpMode)
}

/// Impairments of the line between the exchange and the box.
public struct LineImpairments: Sendable, Codable, Equatable {
    /// Loss in both directions, dB.
    public var attenuationDB: Double = 0
    /// White noise added to what the box receives, dBm0.
    public var noiseDBm0: Double?
    /// Hybrid echo: the box's own audio comes back after `echoDelayMs`, `echoReturnLossDB` down.
    public var echoDelayMs: Int = 0
    public var echoReturnLossDB: Double?

    public init(attenuationDB: Double = 0, noiseDBm0: Double? = nil, echoDelayMs: Int = 0, echoReturnLossDB: Double? = nil) {
        self.attenuationDB = attenuationDB
        self.noiseDBm0 = noiseDBm0
        self.echoDelayMs = echoDelayMs
        self.echoReturnLossDB = echoReturnLossDB
    }
}

/// A call the exchange places into the box.
public struct SimulatedCall: Sendable {
    /// Sent between the first and second ring (FSK) or before the first ring (DTMF), by its
    /// standard; nil sends none.
    public var callerID: CallerID?
    public var script: [CallerAction]
    public var impairments: LineImpairments
    /// The caller gives up after this many unanswered rings.
    public var giveUpAfterRings: Int
    /// Keep everything the caller hears (written by `SimulatedCallRecord.writeHeard`).
    public var listens: Bool

    public init(callerID: CallerID? = nil, script: [CallerAction], impairments: LineImpairments = .init(),
                giveUpAfterRings: Int = 10, listens: Bool = false) {
        self.callerID = callerID
        self.script = script
        self.impairments = impairments
        self.giveUpAfterRings = giveUpAfterRings
        self.listens = listens
    }
}

/// How the far end of a call the box places behaves.
public enum CalleeBehaviour: Sendable {
    case answer(afterRings: Int, script: [CallerAction])
    case busy
    case congestion
    case noAnswer
    /// Rings, then the callee turns the call away: busy tone after `afterRings` ringback bursts.
    case reject(afterRings: Int)
}

/// What happened to one simulated call, as the exchange saw it. Times are line time in samples.
public struct SimulatedCallRecord: Sendable {
    public var line: Int
    public var outbound: Bool
    public var placedAt: Int
    public var answeredAt: Int?
    /// When the far end hung up (its `hangUp` action).
    public var farEndHungUpAt: Int?
    public var farEndHangUp: HangUpMode?
    /// When the box went on-hook.
    public var boxOnHookAt: Int?
    public var rings = 0
    /// Digits the box dialled (outbound, or after a hook flash to transfer).
    public var dialled = ""
    /// When the box flashed the hook (to transfer the call).
    public var flashedAt: Int?
    /// When the one the box consulted answered.
    public var consultAnsweredAt: Int?
    /// How often the box flashed back to the held caller.
    public var callerRetrieved = 0
    /// When the box hung up with the consultation ringing or answered, joining the caller to it.
    public var transferredAt: Int?
    /// Steps whose wait ran out, by index.
    public var timedOutSteps: [Int] = []
    public var completedSteps = 0
    public var faxResult: FaxResult?
    /// What the caller heard, when the call listens.
    public var heard: [Int16] = []

    /// How long the box took to notice the far end had gone, in ms.
    public var hangUpNoticedAfterMs: Int? {
        guard let gone = farEndHungUpAt, let onHook = boxOnHookAt, onHook >= gone else { return nil }
        return SampleClock.ms(onHook - gone)
    }

    public func writeHeard(to path: String) throws(WAVError) { try WAVFile.write(heard, to: path) }
}
