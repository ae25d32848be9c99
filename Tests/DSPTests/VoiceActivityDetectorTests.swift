import DSP
import TestSupport
import Testing

@Suite(.tags(.unit)) struct VoiceActivityDetectorTests {
    func changes(_ samples: [Int16], _ config: VoiceActivityConfig = .init()) -> [(VoiceActivity, Int)] {
        var out: [(VoiceActivity, Int)] = []
        let vad = VoiceActivityDetector(config: config) { out.append(($0, SampleClock.ms($1))) }
        Signal.forEachBlock(samples) { vad.process($0) }
        return out
    }

    @Test func speechBurstIsBracketedAtItsTrueEdges() {
        let signal = TestSignals.silence(ms: 500) + TestSignals.tones([(700, -20)], ms: 1000) + TestSignals.silence(ms: 1500)
        let got = changes(signal)
        #expect(got.map(\.0) == [.speech, .silence])
        #expect(abs(got[0].1 - 500) <= 20)
        // The meter (8 ms time constant) takes about 40 ms to decay from −20 to below −42 dBm0.
        #expect(abs(got[1].1 - 1500) <= 50)
    }

    @Test func gapsShorterThanTheHangoverDoNotEndSpeech() {
        let word = TestSignals.tones([(300, -20), (900, -25)], ms: 300)
        let signal = word + TestSignals.silence(ms: 300) + word + TestSignals.silence(ms: 300) + word + TestSignals.silence(ms: 1000)
        #expect(changes(signal).map(\.0) == [.speech, .silence])
    }

    @Test func lineNoiseBelowTheThresholdIsSilence() {
        #expect(changes(TestSignals.withNoise(TestSignals.silence(ms: 3000), dBm0: -50)).isEmpty)
    }

    @Test func thresholdsAreInDBm0() {
        let quiet = TestSignals.tones([(700, -30)], ms: 1000)
        #expect(changes(quiet).map(\.0) == [.speech])
        #expect(changes(quiet, VoiceActivityConfig(speechThresholdDBm0: -25, silenceThresholdDBm0: -30)).isEmpty)
    }

    @Test func mandarinSpeechIsSpeech() throws {
        let got = changes(TestSignals.silence(ms: 1000) + (try TestSignals.mandarinSpeech(seconds: 3)) + TestSignals.silence(ms: 2000))
        #expect(got.first?.0 == .speech)
        #expect(got.last?.0 == .silence)
    }

    @Test func powerMeterReadsLevelInDBm0() {
        let meter = PowerMeter()
        TestSignals.tones([(1000, -13)], ms: 200).withUnsafeBufferPointer { meter.update($0) }
        #expect(abs(meter.levelDBm0 - -13) < 1)
    }
}
