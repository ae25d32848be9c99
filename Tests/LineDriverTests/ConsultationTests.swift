import DSP
import HotlineModel
import LineDriver
import Testing
import TestSupport

/// The supervised transfer's consultation in the supervisor alone: inputs at line times in,
/// actions out. The call it holds must survive every way the consultation can fail.
@Suite(.tags(.unit)) struct ConsultationTests {
    /// A supervisor with an answered call (since line time 0), and what it did.
    struct Line {
        var supervisor = LineSupervisor(config: SupervisionConfig())
        var actions: [SupervisorAction] = []

        init() {
            feed(.line(.ringStart), atMs: 0)
            feed(.line(.ringEnd), atMs: 1000)
            feed(.line(.ringStart), atMs: 5000)
            feed(.line(.ringEnd), atMs: 6000)
            actions = []
        }

        mutating func feed(_ input: SupervisorInput, atMs ms: Int) {
            var out: [SupervisorAction] = []
            supervisor.handle(input, at: SampleClock.samples(ms: ms)) { out.append($0) }
            actions += out
        }

        /// Consults at 10 s: the flash, dial tone, the digits sent.
        mutating func consult(noAnswerMs: Int = 30_000) {
            feed(.consult(noAnswerMs: noAnswerMs), atMs: 10_000)
            feed(.tone(.dial), atMs: 10_400)
            feed(.dialingFinished, atMs: 11_000)
        }
    }

    @Test func aConsultationFlashesAndDialsOnDialTone() {
        var line = Line()
        line.consult()
        #expect(line.actions == [.hook(.flash), .startDialing])
        #expect(line.supervisor.isOffHook)
    }

    /// A voice, or ringback that stops and is followed by no tone: answered, and the line is a
    /// call again (hanging up now completes the transfer).
    @Test(arguments: [SupervisorInput.voice(.speech), .toneEnded(.ringback)])
    func theConsultedPartyAnswers(answer: SupervisorInput) {
        var line = Line()
        line.consult()
        line.feed(.tone(.ringback), atMs: 12_000)
        line.actions = []
        line.feed(answer, atMs: 20_000)
        line.feed(.tick(boxTransmitting: false), atMs: 20_000 + LineSupervisor.toneSettleMs)
        #expect(line.actions == [.consulted(.answered)])
        line.actions = []
        line.feed(.hangUp, atMs: 21_000)
        #expect(line.actions == [.hook(.onHook), .disconnected(.local)])
    }

    /// Busy, congestion, ringing out, no dial tone: a flash takes the caller back and the call
    /// goes on. A busy tone here is the consulted line's, not the caller hanging up.
    @Test(arguments: [
        ([SupervisorInput.tone(.busy)], 13_000, OutboundResult.busy),
        ([.tone(.congestion)], 13_000, .congestion),
        ([.tone(.ringback), .tick(boxTransmitting: false)], 11_000 + 20_000, .noAnswer),
        // Busy tone cutting ringback short: the callee turned the call away.
        ([.tone(.ringback), .toneEnded(.ringback), .tone(.busy)], 13_000, .rejected),
    ] as [([SupervisorInput], Int, OutboundResult)])
    func aFailedConsultationGivesTheCallerBack(inputs: [SupervisorInput], atMs: Int, result: OutboundResult) {
        var line = Line()
        line.consult(noAnswerMs: 20_000)
        line.actions = []
        for input in inputs { line.feed(input, atMs: atMs) }
        #expect(line.actions == [.hook(.flash), .consulted(result)])
        guard case .connected(let since, _, _, _) = line.supervisor.state else { Issue.record("\(line.supervisor.state)"); return }
        #expect(since == SampleClock.samples(ms: 6000))
    }

    @Test func noDialToneAfterTheFlashGivesTheCallerBack() {
        var line = Line()
        line.feed(.consult(noAnswerMs: 30_000), atMs: 10_000)
        line.feed(.tick(boxTransmitting: false), atMs: 13_000)
        #expect(line.actions == [.hook(.flash), .hook(.flash), .consulted(.noDialTone)])
    }

    /// A plain outbound call (a call-back) ends on the same signals, with on-hook.
    @Test func anOutboundCallIsAnsweredWhenRingbackStops() {
        var supervisor = LineSupervisor(config: SupervisionConfig())
        var out: [SupervisorAction] = []
        for (input, ms) in [(SupervisorInput.dial(), 0), (.tone(.dial), 500), (.dialingFinished, 1500), (.tone(.ringback), 3000), (.toneEnded(.ringback), 12_000),
                            (.tick(boxTransmitting: false), 12_000 + LineSupervisor.toneSettleMs)] {
            supervisor.handle(input, at: SampleClock.samples(ms: ms)) { out.append($0) }
        }
        #expect(out == [.hook(.offHook), .startDialing, .outbound(.answered)])
    }
}
