import DSP
import HotlineModel
import LineDriver
import LineSimulator
import Testing
import TestSupport

@Suite(.tags(.unit)) struct OutboundDiallingTests {
    func dial(_ number: String, callee: CalleeBehaviour, config: ChannelConfig = ChannelConfig()) throws -> LineRig {
        let rig = LineRig(config: config)
        try rig.exchange.setCallee(callee, line: 0)
        rig.command(.dial(try #require(DialString(number))))
        return rig
    }

    func result(_ rig: LineRig, maxMs: Int) -> (OutboundResult, Int)? {
        rig.run(maxMs: maxMs) { if case .outbound = $0.kind { true } else { false } }.flatMap { event in
            if case .outbound(let r) = event.kind { (r, SampleClock.ms(event.at)) } else { nil }
        }
    }

    @Test func aCalleeWhoAnswersIsHeard() throws {
        let scratch = try ScratchDirectory()
        let hello = try Speech.mandarinWAV(seconds: 4, in: scratch)
        let rig = try dial("12345678", callee: .answer(afterRings: 2, script: [.play(wav: hello), .hangUp(.loopDrop)]))
        let (outcome, at) = try #require(result(rig, maxMs: 30_000))
        #expect(outcome == .answered)
        let call = try #require(rig.exchange.activeCall(line: 0))
        #expect(call.dialled == "12345678")
        // Answered in the pause after the second ringback burst; the voice is recognised within 0.5 s.
        let answered = SampleClock.ms(try #require(call.answeredAt))
        #expect(at - answered >= 0 && at - answered <= 500)
        // Then the callee hangs up and the box notices.
        rig.run(maxMs: 10_000) { $0.isDisconnect }
        #expect(rig.disconnects.map(\.reason) == [.loopCurrentLost])
    }

    @Test(arguments: [(CalleeBehaviour.busy, OutboundResult.busy), (.congestion, .congestion)] as [(CalleeBehaviour, OutboundResult)])
    func aRefusedCallEndsWithItsTone(callee: CalleeBehaviour, expected: OutboundResult) throws {
        let rig = try dial("8888", callee: callee)
        let (outcome, _) = try #require(result(rig, maxMs: 20_000))
        #expect(outcome == expected)
        #expect(!rig.loop.channels[0].isOffHook)
        #expect(rig.calls.first?.dialled == "8888")
    }

    @Test func nobodyAnswering() throws {
        var config = ChannelConfig()
        config.supervision.noAnswerTimeoutMs = 20_000
        let rig = try dial("5551234", callee: .noAnswer, config: config)
        let (outcome, at) = try #require(result(rig, maxMs: 40_000))
        #expect(outcome == .noAnswer)
        // Digits take about 1.4 s after dial tone is confirmed at about 1.3 s.
        #expect(at >= 20_000 && at <= 24_000)
        // Ringback was heard and never taken for a voice.
        let tones = rig.events.compactMap { if case .tone(let t) = $0.kind { t.kind } else { nil } }
        #expect(tones.contains(.ringback))
        #expect(!rig.events.contains { if case .voice(.speech) = $0.kind { true } else { false } })
    }

    @Test func aLineWithoutDialToneIsGivenUp() throws {
        var config = ChannelConfig()
        config.supervision.dialToneTimeoutMs = 3000
        let rig = LineRig(config: config)
        try rig.exchange.setDialTone(false, line: 0)
        rig.command(.dial(try #require(DialString("1"))))
        let (outcome, at) = try #require(result(rig, maxMs: 10_000))
        #expect(outcome == .noDialTone)
        #expect(at == 3000)
        #expect(!rig.loop.channels[0].isOffHook)
        #expect(!rig.events.contains { if case .dialled = $0.kind { true } else { false } })
    }

    @Test func dialStringsAreDigitsOnly() {
        #expect(DialString("12x") == nil)
        #expect(DialString(String(repeating: "1", count: 33)) == nil)
        #expect(DialString("*12#")?.count == 4)
    }
}

@Suite(.tags(.unit)) struct LineTestTests {
    func test(_ rig: LineRig) throws -> (Bool, Int, Int) {
        rig.command(.testLine)
        let event = try #require(rig.run(maxMs: 10_000) { if case .lineTested = $0.kind { true } else { false } })
        guard case .lineTested(let tone, let level) = event.kind else { throw CancellationError() }
        return (tone, level, SampleClock.ms(event.at))
    }

    @Test func aHealthyLineHasDialTone() throws {
        let rig = LineRig()
        let (tone, level, at) = try test(rig)
        #expect(tone)
        // The exchange's dial tone is −10 dBm0; the box confirms it after about 1.3 s.
        #expect(abs(level - -10) <= 2)
        #expect(at < 2000)
        #expect(!rig.loop.channels[0].isOffHook)
    }

    @Test func aDeadLineFailsTheTest() throws {
        let rig = LineRig()
        try rig.exchange.setDialTone(false, line: 0)
        let (tone, _, at) = try test(rig)
        #expect(!tone)
        #expect(at == 3000)
        #expect(!rig.loop.channels[0].isOffHook)
    }
}
