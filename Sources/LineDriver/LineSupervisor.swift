import DSP
import HotlineModel

/// What the supervisor is told, each with the line time (samples) at which it happened.
public enum SupervisorInput: Sendable, Equatable {
    case line(LineEvent)
    /// A call-progress tone was confirmed on the received audio.
    case tone(CallProgressTone)
    /// A confirmed tone stopped keeping its cadence (ringback ends when someone answers).
    case toneEnded(CallProgressTone)
    /// The far end started or stopped talking (speech that is not a call-progress tone).
    case voice(VoiceActivity)
    /// Once per frame: `boxTransmitting` says whether the box is playing audio.
    case tick(boxTransmitting: Bool)
    /// The box's flow is done with the call.
    case hangUp
    /// Place a call (the digits are held by the channel).
    case dial(noAnswerMs: Int? = nil)
    /// On a connected call: hold the caller with a hook flash and call the held digits (a
    /// supervised transfer's consultation), giving up after `noAnswerMs` of ringing.
    case consult(noAnswerMs: Int)
    /// The channel finished sending the digits.
    case dialingFinished
    /// A technician's line test: seize, listen for dial tone, release.
    case test
}

public enum SupervisorAction: Sendable, Equatable {
    case hook(HookCommand)
    /// Start sending the queued digits.
    case startDialing
    case ringing(count: Int)
    case answered
    case disconnected(DisconnectReason)
    case outbound(OutboundResult)
    /// A consultation ended: answered (the box is talking to the one it called; hanging up now
    /// joins the caller to them), or failed, and the box has flashed back to the held caller.
    case consulted(OutboundResult)
    /// A line test ended: whether dial tone came within the dial-tone timeout.
    case tested(dialTone: Bool)
}

/// Line supervision for one channel as a pure state machine: idle → ringing (rings counted) →
/// answered → disconnected, and the outbound path (seize, dial tone, dial, ringback/busy/voice/
/// the end of ringback/no answer), which a connected call also takes after a hook flash to
/// consult a third party, returning to the held caller with another flash if that fails. Time is injected; nothing here touches a device, a clock or the heap, so it runs
/// on the frame thread and in tests alike. Whatever the far end does, every call ends with an
/// on-hook action followed by `disconnected` (or an outbound result), exactly once.
public struct LineSupervisor: Sendable {
    public enum State: Sendable, Equatable {
        case idle
        case ringing(rings: Int, ringOn: Bool, lastEdge: Int)
        case connected(since: Int, lastActivity: Int, loopLostAt: Int?, callerTalking: Bool)
        case seizing(since: Int, Attempt)
        case dialing(Attempt)
        case awaitingAnswer(since: Int, Attempt)
        case testing(since: Int)
    }

    /// One call the box places: how long it may ring, and the caller held on the line
    /// meanwhile (the held call's start) when it is a consultation.
    public struct Attempt: Sendable, Equatable {
        public var noAnswerMs: Int
        public var heldCallSince: Int?
        /// Ringback was heard: busy tone after it is the callee turning the call away.
        public var ringbackHeard = false
        /// When ringback stopped keeping its cadence, with no voice yet: an answer, unless busy
        /// or congestion tone is confirmed within `toneSettleMs` (a callee who turns the call
        /// away cuts ringback short with busy tone, whose first burst is what breaks the cadence).
        public var ringbackEndedAt: Int?
    }

    /// Long enough to confirm China's busy (2 × 350 ms cycles) or congestion (2 × 700 ms) tone.
    public static let toneSettleMs = 2500

    public let config: SupervisionConfig
    public private(set) var state: State = .idle
    private let rate = SampleClock.rate

    public init(config: SupervisionConfig) { self.config = config }

    private func ms(_ v: Int) -> Int { v * rate / 1000 }

    public var isOffHook: Bool {
        switch state {
        case .idle, .ringing: false
        case .connected, .seizing, .dialing, .awaitingAnswer, .testing: true
        }
    }

    public mutating func handle(_ input: SupervisorInput, at now: Int, _ act: (SupervisorAction) -> Void) {
        switch (state, input) {
        // Alarms end whatever is going on.
        case (_, .line(.alarm(raised: true))):
            if isOffHook { end(.alarm, act) } else { state = .idle }

        // Ringing and answering.
        case (.idle, .line(.ringStart)):
            state = .ringing(rings: 1, ringOn: true, lastEdge: now)
            act(.ringing(count: 1))
        case (.ringing(let rings, _, _), .line(.ringStart)):
            state = .ringing(rings: rings + 1, ringOn: true, lastEdge: now)
            act(.ringing(count: rings + 1))
        case (.ringing(let rings, _, _), .line(.ringEnd)):
            if rings >= config.answerAfterRings {
                act(.hook(.offHook))
                state = .connected(since: now, lastActivity: now, loopLostAt: nil, callerTalking: false)
                act(.answered)
            } else {
                state = .ringing(rings: rings, ringOn: false, lastEdge: now)
            }
        case (.ringing(_, let ringOn, let lastEdge), .tick):
            if !ringOn && now - lastEdge >= ms(config.ringTimeoutMs) {
                state = .idle
                act(.disconnected(.unanswered))
            }

        // Supervising an established call.
        case (.connected(let since, let lastActivity, let loopLostAt, let talking), _):
            supervise(input, since: since, lastActivity: lastActivity, loopLostAt: loopLostAt, talking: talking, now: now, act)

        // A line test.
        case (.idle, .test):
            act(.hook(.offHook))
            state = .testing(since: now)
        case (.testing, .tone(.dial)):
            act(.hook(.onHook))
            state = .idle
            act(.tested(dialTone: true))
        case (.testing(let since), .tick):
            if now - since >= ms(config.dialToneTimeoutMs) {
                act(.hook(.onHook))
                state = .idle
                act(.tested(dialTone: false))
            }

        // Outbound, and a consultation.
        case (.idle, .dial(let noAnswerMs)):
            act(.hook(.offHook))
            state = .seizing(since: now, Attempt(noAnswerMs: noAnswerMs ?? config.noAnswerTimeoutMs))
        case (.seizing(_, let attempt), .tone(.dial)):
            state = .dialing(attempt)
            act(.startDialing)
        case (.seizing(let since, let attempt), .tick):
            if now - since >= ms(config.dialToneTimeoutMs) { fail(.noDialTone, attempt, now: now, act) }
        case (.dialing(let attempt), .dialingFinished):
            state = .awaitingAnswer(since: now, attempt)
        case (.awaitingAnswer(let since, var attempt), .tone(.ringback)):
            attempt.ringbackHeard = true
            attempt.ringbackEndedAt = nil
            state = .awaitingAnswer(since: since, attempt)
        case (.awaitingAnswer(let since, var attempt), .toneEnded(.ringback)):
            attempt.ringbackEndedAt = now
            state = .awaitingAnswer(since: since, attempt)
        case (.awaitingAnswer(_, let attempt), .tone(.busy)):
            fail(attempt.ringbackHeard ? .rejected : .busy, attempt, now: now, act)
        case (.awaitingAnswer(_, let attempt), .tone(.congestion)):
            fail(.congestion, attempt, now: now, act)
        case (.awaitingAnswer(_, let attempt), .voice(.speech)):
            answered(attempt, now: now, act)
        case (.awaitingAnswer(let since, let attempt), .tick):
            // Ringback that stopped and stayed stopped, with no tone after it: someone answered.
            if let ended = attempt.ringbackEndedAt, now - ended >= ms(Self.toneSettleMs) {
                answered(attempt, now: now, act)
            } else if now - since >= ms(attempt.noAnswerMs) {
                fail(.noAnswer, attempt, now: now, act)
            }
        case (.seizing, .hangUp), (.dialing, .hangUp), (.awaitingAnswer, .hangUp):
            end(.local, act)
        case (.seizing(_, let attempt), .line(.loopCurrentLost)), (.dialing(let attempt), .line(.loopCurrentLost)),
             (.awaitingAnswer(_, let attempt), .line(.loopCurrentLost)):
            fail(.lineDropped, attempt, now: now, act)

        // Everything else is deliberately ignored: signalling a state does not act on (a ring
        // edge or a tone on an idle line, loop current while ringing, a second dial while one
        // is placed, a test on a busy line).
        case (.idle, _), (.ringing, _), (.seizing, _), (.dialing, _), (.awaitingAnswer, _), (.testing, _):
            break
        }
    }

    private mutating func supervise(_ input: SupervisorInput, since: Int, lastActivity: Int, loopLostAt: Int?, talking: Bool,
                                    now: Int, _ act: (SupervisorAction) -> Void) {
        switch input {
        case .line(.loopCurrentLost):
            state = .connected(since: since, lastActivity: lastActivity, loopLostAt: loopLostAt ?? now, callerTalking: talking)
        case .line(.loopCurrentRestored):
            state = .connected(since: since, lastActivity: lastActivity, loopLostAt: nil, callerTalking: talking)
        case .line(.polarityReversal) where config.hangUpOnPolarityReversal:
            end(.polarityReversal, act)
        case .tone(.busy) where config.hangUpOnBusyTone:
            end(.busyTone, act)
        case .tone(.congestion) where config.hangUpOnBusyTone:
            end(.congestionTone, act)
        case .voice(let activity):
            state = .connected(since: since, lastActivity: now, loopLostAt: loopLostAt, callerTalking: activity == .speech)
        case .hangUp:
            end(.local, act)
        case .consult(let noAnswerMs):
            act(.hook(.flash))
            state = .seizing(since: now, Attempt(noAnswerMs: noAnswerMs, heldCallSince: since))
        case .tick(let boxTransmitting):
            if let lost = loopLostAt, now - lost >= ms(config.loopDropDebounceMs) {
                end(.loopCurrentLost, act)
            } else if now - since >= ms(config.maxCallMs) {
                end(.maxDuration, act)
            } else if talking || boxTransmitting {
                state = .connected(since: since, lastActivity: now, loopLostAt: loopLostAt, callerTalking: talking)
            } else if config.silenceTimeoutMs > 0 && now - lastActivity >= ms(config.silenceTimeoutMs) {
                end(.silence, act)
            }
        case .line(.ringStart), .line(.ringEnd), .line(.polarityReversal), .line(.alarm), .tone, .toneEnded, .dial, .dialingFinished, .test:
            // On an established call: ring edges, polarity and tones the config does not hang up
            // on (alarms were handled before), and requests for another call or a line test.
            break
        }
    }

    private mutating func end(_ reason: DisconnectReason, _ act: (SupervisorAction) -> Void) {
        act(.hook(.onHook))
        state = .idle
        act(.disconnected(reason))
    }

    private mutating func answered(_ attempt: Attempt, now: Int, _ act: (SupervisorAction) -> Void) {
        state = .connected(since: attempt.heldCallSince ?? now, lastActivity: now, loopLostAt: nil, callerTalking: true)
        act(attempt.heldCallSince == nil ? .outbound(.answered) : .consulted(.answered))
    }

    /// A placed call that did not get through: hung up, or, for a consultation, the held
    /// caller taken back with a flash.
    private mutating func fail(_ result: OutboundResult, _ attempt: Attempt, now: Int, _ act: (SupervisorAction) -> Void) {
        if let held = attempt.heldCallSince {
            act(.hook(.flash))
            state = .connected(since: held, lastActivity: now, loopLostAt: nil, callerTalking: false)
            act(.consulted(result))
        } else {
            act(.hook(.onHook))
            state = .idle
            act(.outbound(result))
        }
    }
}
