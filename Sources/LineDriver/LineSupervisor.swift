import DSP
import HotlineModel

/// What the supervisor is told, each with the line time (samples) at which it happened.
public enum SupervisorInput: Sendable, Equatable {
    case line(LineEvent)
    /// A call-progress tone was confirmed on the received audio.
    case tone(CallProgressTone)
    /// The far end started or stopped talking (speech that is not a call-progress tone).
    case voice(VoiceActivity)
    /// Once per frame: `boxTransmitting` says whether the box is playing audio.
    case tick(boxTransmitting: Bool)
    /// The box's flow is done with the call.
    case hangUp
    /// Place a call (the digits are held by the channel).
    case dial
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
    /// A line test ended: whether dial tone came within the dial-tone timeout.
    case tested(dialTone: Bool)
}

/// Line supervision for one channel as a pure state machine: idle → ringing (rings counted) →
/// answered → disconnected, and the outbound path (seize, dial tone, dial, ringback/busy/voice/
/// no answer). Time is injected; nothing here touches a device, a clock or the heap, so it runs
/// on the frame thread and in tests alike. Whatever the far end does, every call ends with an
/// on-hook action followed by `disconnected` (or an outbound result), exactly once.
public struct LineSupervisor: Sendable {
    public enum State: Sendable, Equatable {
        case idle
        case ringing(rings: Int, ringOn: Bool, lastEdge: Int)
        case connected(since: Int, lastActivity: Int, loopLostAt: Int?, callerTalking: Bool)
        case seizing(since: Int)
        case dialing
        case awaitingAnswer(since: Int)
        case testing(since: Int)
    }

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

        // Outbound.
        case (.idle, .dial):
            act(.hook(.offHook))
            state = .seizing(since: now)
        case (.seizing, .tone(.dial)):
            state = .dialing
            act(.startDialing)
        case (.seizing(let since), .tick):
            if now - since >= ms(config.dialToneTimeoutMs) { fail(.noDialTone, act) }
        case (.dialing, .dialingFinished):
            state = .awaitingAnswer(since: now)
        case (.awaitingAnswer, .tone(.busy)):
            fail(.busy, act)
        case (.awaitingAnswer, .tone(.congestion)):
            fail(.congestion, act)
        case (.awaitingAnswer, .voice(.speech)):
            state = .connected(since: now, lastActivity: now, loopLostAt: nil, callerTalking: true)
            act(.outbound(.answered))
        case (.awaitingAnswer(let since), .tick):
            if now - since >= ms(config.noAnswerTimeoutMs) { fail(.noAnswer, act) }
        case (.seizing, .hangUp), (.dialing, .hangUp), (.awaitingAnswer, .hangUp):
            end(.local, act)
        case (.seizing, .line(.loopCurrentLost)), (.dialing, .line(.loopCurrentLost)), (.awaitingAnswer, .line(.loopCurrentLost)):
            fail(.lineDropped, act)

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
        case .line(.ringStart), .line(.ringEnd), .line(.polarityReversal), .line(.alarm), .tone, .dial, .dialingFinished, .test:
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

    private mutating func fail(_ result: OutboundResult, _ act: (SupervisorAction) -> Void) {
        act(.hook(.onHook))
        state = .idle
        act(.outbound(result))
    }
}
