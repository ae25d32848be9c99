import DSP
import TestSupport
import Testing

@Suite(.tags(.unit)) struct FaxToneDetectorTests {
    @Test(arguments: [-10.0, -25, -40])
    func cngIsDetectedWithinOneSecond(level: Double) throws {
        let signal = TestSignals.withNoise(TestSignals.cadence(hz: 1100, dBm0: level, onMs: 500, offMs: 3000, cycles: 2, leadMs: 1210), dBm0: level - 20)
        let found = TestSignals.faxTones(in: signal)
        let cng = try #require(found.first)
        #expect(cng.tone == .cng)
        #expect(abs(SampleClock.ms(cng.onsetSample) - 1210) <= 20)
        #expect(SampleClock.ms(cng.confirmedSample) - 1210 <= 1000)
    }

    @Test func cedIsDetected() throws {
        let found = TestSignals.faxTones(in: TestSignals.silence(ms: 300) + TestSignals.tones([(2100, -12)], ms: 3000))
        let ced = try #require(found.first)
        #expect(ced.tone == .ced)
        #expect(abs(SampleClock.ms(ced.onsetSample) - 300) <= 20)
    }

    /// A line listens for the one tone its call can bring; switched over mid-stream, the other
    /// receiver starts afresh and still dates its onset on the line's clock.
    @Test func aDetectorHearsOnlyTheToneItListensFor() throws {
        let ced = TestSignals.silence(ms: 300) + TestSignals.tones([(2100, -12)], ms: 3000)
        #expect(TestSignals.faxTones(in: ced, listening: [(0, .cng)]).isEmpty)
        let later = TestSignals.silence(ms: 2000) + ced
        let found = try #require(TestSignals.faxTones(in: later, listening: [(0, .cng), (SampleClock.samples(ms: 1000), .ced)]).first)
        #expect(found.tone == .ced)
        #expect(abs(SampleClock.ms(found.onsetSample) - 2300) <= 20)
        let cng = TestSignals.cadence(hz: 1100, dBm0: -15, onMs: 500, offMs: 3000, cycles: 2, leadMs: 500)
        #expect(TestSignals.faxTones(in: cng, listening: [(0, .ced)]).isEmpty)
        #expect(TestSignals.faxTones(in: cng, listening: [(0, .ced), (SampleClock.samples(ms: 100), .cng)]).first?.tone == .cng)
    }

    @Test func speechDoesNotTriggerCNGOrCED() throws {
        #expect(TestSignals.faxTones(in: try TestSignals.mandarinSpeech(seconds: 60)).isEmpty)
    }

    @Test func cngAtTheWrongFrequencyIsIgnored() {
        #expect(TestSignals.faxTones(in: TestSignals.cadence(hz: 1200, dBm0: -15, onMs: 500, offMs: 3000, cycles: 2)).filter { $0.tone == .cng }.isEmpty)
    }
}
