import DSP
import TestSupport
import Testing

@Suite(.tags(.unit)) struct CallProgressDetectorTests {
    /// Busy within 1.5 s of its onset, from −10 down to −35 dBm0, with noise 20 dB below.
    @Test(arguments: [-10.0, -15, -20, -25, -30, -35])
    func busyIsConfirmedWithinOnePointFiveSeconds(level: Double) throws {
        let lead = 730  // not aligned to any detector block
        let signal = TestSignals.withNoise(TestSignals.cadence(hz: 450, dBm0: level, onMs: 350, offMs: 350, cycles: 6, leadMs: lead),
                                           dBm0: level - 20)
        let found = TestSignals.progressTones(in: signal)
        let busy = try #require(found.first)
        #expect(found.map(\.kind) == [.busy])
        #expect(abs(SampleClock.ms(busy.onsetSample) - lead) <= 40)
        #expect(SampleClock.ms(busy.confirmedSample) - lead <= 1500)
    }

    /// Every tone of China's plan is told apart by its cadence.
    @Test(arguments: TonePlan.china.tones)
    func eachPlanToneIsRecognised(spec: ToneSpec) throws {
        let signal = spec.isContinuous
            ? TestSignals.silence(ms: 500) + TestSignals.tones([(Double(spec.frequency), -20)], ms: 3000)
            : TestSignals.cadence(hz: Double(spec.frequency), dBm0: -20, onMs: spec.onMs, offMs: spec.offMs, cycles: 3, leadMs: 500)
        let found = TestSignals.progressTones(in: signal)
        #expect(found.map(\.kind) == [spec.kind])
        let tone = try #require(found.first)
        #expect(abs(SampleClock.ms(tone.onsetSample) - 500) <= 40)
    }

    @Test func generatedPlanTonesAreRecognised() {
        for spec in TonePlan.china.tones {
            var samples = [Int16](repeating: 0, count: SampleClock.samples(ms: 12_000))
            let generator = ToneGenerator(ToneSignal(spec, levelDBm0: -18))
            samples.withUnsafeMutableBufferPointer { _ = generator.generate(into: $0) }
            #expect(TestSignals.progressTones(in: samples).map(\.kind) == [spec.kind], "\(spec.kind)")
        }
    }

    /// The detector is frequency-selective: a busy cadence at the wrong pitch is not busy.
    @Test(arguments: [300.0, 600.0, 1000.0])
    func busyCadenceAtAnotherFrequencyIsIgnored(hz: Double) {
        #expect(TestSignals.progressTones(in: TestSignals.cadence(hz: hz, dBm0: -15, onMs: 350, offMs: 350, cycles: 10)).isEmpty)
    }

    @Test func noBusyOrCongestionInAMinuteOfMandarinSpeech() throws {
        let found = TestSignals.progressTones(in: try TestSignals.mandarinSpeech(seconds: 60))
        #expect(found.filter { $0.kind == .busy || $0.kind == .congestion }.isEmpty)
    }

    /// The false busy Asterisk users report (asterisk#1570): DTMF keyed with busy-like tempo.
    @Test func dtmfWithBusyTimingIsNotBusy() {
        let digits = Array(repeating: Array("1234567890*#"), count: 3).flatMap { $0 }
        let found = TestSignals.progressTones(in: TestSignals.dtmf(digits, onMs: 350, offMs: 350, lowDBm0: -8, highDBm0: -8))
        #expect(found.isEmpty)
    }

    @Test func aBrokenCadenceIsNotBusy() {
        // One busy-like burst, then continuous speech-free silence and an isolated burst.
        let signal = TestSignals.cadence(hz: 450, dBm0: -15, onMs: 350, offMs: 1500, cycles: 4)
        #expect(TestSignals.progressTones(in: signal).isEmpty)
    }

    @Test func endOfAToneIsReported() {
        var events: [CallProgressEvent] = []
        let detector = CallProgressDetector { events.append($0) }
        let signal = TestSignals.cadence(hz: 450, dBm0: -15, onMs: 350, offMs: 350, cycles: 5) + TestSignals.silence(ms: 2000)
        Signal.forEachBlock(signal) { detector.process($0) }
        guard case .ended(.busy, let at)? = events.last else {
            Issue.record("no end of busy in \(events)")
            return
        }
        #expect(SampleClock.ms(at) > 3500 && SampleClock.ms(at) < 4500)
    }

    /// Once ringback stops, it ends once and is not found again in the silence that follows.
    @Test func ringbackThatStopsEndsOnce() {
        var events: [CallProgressEvent] = []
        let detector = CallProgressDetector { events.append($0) }
        let signal = TestSignals.cadence(hz: 450, dBm0: -15, onMs: 1000, offMs: 4000, cycles: 2) + TestSignals.silence(ms: 20_000)
        Signal.forEachBlock(signal) { detector.process($0) }
        #expect(events.count == 2)
        guard case .confirmed(let tone)? = events.first, case .ended(.ringback, _)? = events.last else {
            Issue.record("\(events)")
            return
        }
        #expect(tone.kind == .ringback)
    }

    @Test func planProblemsAreReported() {
        var plan = TonePlan.china
        plan.tones.append(ToneSpec(kind: .congestion, frequency: 450, onMs: 360, offMs: 340))
        plan.tones.append(ToneSpec(kind: .dial, frequency: 5000, onMs: 50))
        let problems = plan.problems()
        #expect(problems.contains("busy and congestion have overlapping cadences"))
        #expect(problems.contains("dial: frequency 5000 Hz is outside 100-3400 Hz"))
        #expect(problems.contains("dial: on-time 50 ms is shorter than 100 ms"))
        #expect(TonePlan.china.problems().isEmpty)
    }
}

extension ToneSpec: CustomTestStringConvertible {
    public var testDescription: String { kind.rawValue }
}
