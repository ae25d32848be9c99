import DSP
import HotlineModel
import LineDriver
import LineSimulator
import Testing
import TestSupport

/// Line supervision through the simulated exchange, in virtual line time.
@Suite(.tags(.unit)) struct LineSupervisionTests {
    static let stamp = CallerIDDateTime(month: 11, day: 29, hour: 9, minute: 15)

    @Test(arguments: [1, 2, 3])
    func ringsAreCountedAndTheCallIsAnswered(rings: Int) throws {
        var config = ChannelConfig()
        config.supervision.answerAfterRings = rings
        config.supervision.callerID = rings == 1 ? .none : .fskAfterFirstRing(.bell202)
        let rig = LineRig(config: config)
        try rig.exchange.schedule(SimulatedCall(script: [.wait(ms: 1000), .hangUp(.loopDrop)]), line: 0, atMs: 0)
        let answer = try #require(rig.run(maxMs: 30_000) { $0.isAnswer })
        let ringing = rig.events.compactMap { if case .ringing(let n) = $0.kind { n } else { nil } }
        #expect(ringing == Array(1...rings))
        // China's cadence: ring n starts at (n−1)·5 s and lasts 1 s; the box answers as it ends.
        #expect(SampleClock.ms(answer.at) == (rings - 1) * 5000 + 1000)
        #expect(rig.exchange.activeCall(line: 0)?.answeredAt == answer.at)
    }

    @Test(arguments: [
        CallerID(standard: .bell202, format: .mdmf, number: "13812345678", name: "ZHANG SAN", dateTime: stamp),
        CallerID(standard: .bell202, format: .sdmf, number: "02087654321", dateTime: stamp),
        CallerID(standard: .bell202, format: .mdmf, dateTime: stamp, numberAbsence: .private),
        CallerID(standard: .v23, number: "075512345678", dateTime: stamp),
        CallerID(standard: .dtmf, number: "13900001111"),
    ])
    func callerIDIsCaptured(id: CallerID) throws {
        var config = ChannelConfig()
        config.supervision.callerID = id.standard == .dtmf ? .dtmfBeforeRing : .fskAfterFirstRing(id.standard)
        let rig = LineRig(config: config)
        try rig.exchange.schedule(SimulatedCall(callerID: id, script: [.hangUp(.loopDrop)],
                                                impairments: LineImpairments(attenuationDB: 6, noiseDBm0: -60)), line: 0, atMs: 500)
        rig.run(maxMs: 20_000) { $0.isAnswer }
        let spills = rig.events.compactMap { if case .callerID(let s) = $0.kind { s } else { nil } }
        #expect(spills.count == 1)
        #expect(spills.first.flatMap(CallerIDReceiver.decode) == id)
        // It arrives before the answer: FSK between the rings, DTMF before the first.
        let spillAt = rig.events.first { if case .callerID = $0.kind { true } else { false } }.map(\.at) ?? .max
        let firstRing = rig.events.first { if case .ringing = $0.kind { true } else { false } }.map(\.at) ?? 0
        #expect(id.standard == .dtmf ? spillAt < firstRing : spillAt > firstRing)
    }

    /// Every way the far end can leave is noticed, in time, with its own reason.
    @Test(arguments: [
        (HangUpMode.loopDrop, DisconnectReason.loopCurrentLost, 0, 200),
        (.loopDropBusy, .loopCurrentLost, 0, 200),
        (.polarityReversal, .polarityReversal, 0, 200),
        (.busyOnly, .busyTone, 0, 2000),
        (.silent, .silence, 5000, 5700),
    ] as [(HangUpMode, DisconnectReason, Int, Int)])
    func hangUpIsDetectedInTime(mode: HangUpMode, reason: DisconnectReason, atLeastMs: Int, withinMs: Int) throws {
        var config = ChannelConfig()
        config.supervision.silenceTimeoutMs = 5000
        let rig = LineRig(config: config)
        let scratch = try ScratchDirectory()
        let speech = try Speech.mandarinWAV(seconds: 3, in: scratch)
        try rig.exchange.schedule(SimulatedCall(script: [.play(wav: speech), .hangUp(mode)],
                                                impairments: LineImpairments(noiseDBm0: -65)), line: 0, atMs: 0)
        rig.run(maxMs: 40_000) { $0.isDisconnect }
        rig.run(ms: 100)
        #expect(rig.disconnects.map(\.reason) == [reason])
        let call = try #require(rig.calls.first)
        let noticed = try #require(call.hangUpNoticedAfterMs)
        #expect(noticed >= atLeastMs && noticed <= withinMs, "noticed after \(noticed) ms")
        #expect(!rig.loop.channels[0].isOffHook)
    }

    /// Two minutes of Mandarin speech and DTMF (some keyed with busy-like 350 ms timing), with the
    /// box talking too and its own audio echoing back: no false disconnect.
    @Test func noFalseDisconnectInTwoMinutesOfSpeechAndDTMFWithEcho() throws {
        var config = ChannelConfig()
        config.supervision.silenceTimeoutMs = 10_000
        let rig = LineRig(config: config)
        let scratch = try ScratchDirectory()
        let speech = try Speech.mandarinWAV(seconds: 8, in: scratch)
        let slow = DTMFSendingParameters(levelDBm0: -9, twistDB: 2, onMs: 350, offMs: 350)
        var script: [CallerAction] = []
        for round in 0..<9 {
            script += [.play(wav: speech), .dtmf("1234567890", .init()), .wait(ms: 300), .dtmf("*#*#", slow), .wait(ms: 1000 + 100 * round)]
        }
        script.append(.hangUp(.loopDrop))
        try rig.exchange.schedule(SimulatedCall(script: script, impairments: LineImpairments(attenuationDB: 3, noiseDBm0: -55,
                                                                                              echoDelayMs: 12, echoReturnLossDB: 12)),
                                  line: 0, atMs: 0)
        rig.run(maxMs: 10_000) { $0.isAnswer }
        // The box talks too, so its echo is on the line all along.
        let prompt = PromptAudio(name: "speech", samples: try Speech.mandarin(seconds: 6))
        rig.command(.play(prompt, id: 0, bargeIn: false))
        var played: Int32 = 0
        let hangUp = rig.run(maxMs: 200_000) { event in
            if case .playbackFinished = event.kind {
                played += 1
                rig.command(.play(prompt, id: played, bargeIn: false))
            }
            return event.isDisconnect
        }
        #expect(hangUp != nil)
        #expect(played >= 18)
        let call = try #require(rig.calls.first)
        #expect(call.completedSteps == script.count - 1)
        #expect(rig.disconnects.map(\.reason) == [.loopCurrentLost])
        #expect(SampleClock.ms((call.farEndHungUpAt ?? 0) - (call.answeredAt ?? 0)) >= 120_000)
        let digits = rig.events.compactMap { if case .digit(let d) = $0.kind { d.digit } else { nil } }
        #expect(String(digits) == String(repeating: "1234567890*#*#", count: 9))
    }
}
