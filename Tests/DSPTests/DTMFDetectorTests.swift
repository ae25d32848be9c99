import DSP
import TestSupport
import Testing

/// SpanDSP's Mitel-style acceptance conditions, run on synthesized digits.
@Suite(.tags(.unit)) struct DTMFDetectorTests {
    @Test func everyDigitTenTimesAtMinus4DBm0IsDetectedExactlyOnce() {
        let sent = Array(repeating: TestSignals.allDigits, count: 10).flatMap { $0 }
        let got = TestSignals.digits(in: TestSignals.dtmf(sent, onMs: 50, offMs: 50, lowDBm0: -4, highDBm0: -4))
        #expect(got.map(\.digit) == sent)
    }

    /// Mitel procedure: one group off-centre at a time, every digit.
    @Test(arguments: [(true, 0.015), (true, -0.015), (false, 0.015), (false, -0.015)] as [(Bool, Double)])
    func frequencyOffsetOfOneGroupWithinOnePointFivePercentIsAccepted(lowGroup: Bool, offset: Double) {
        for d in TestSignals.allDigits {
            let signal = TestSignals.dtmf([d], lowOffset: lowGroup ? offset : 0, highOffset: lowGroup ? 0 : offset)
            #expect(TestSignals.digits(in: signal).map(\.digit) == [d], "digit \(d)")
        }
    }

    @Test(arguments: [0.035, -0.035])
    func frequencyOffsetOfThreePointFivePercentIsRejected(offset: Double) {
        #expect(TestSignals.digits(in: TestSignals.dtmf(TestSignals.allDigits, lowOffset: offset, highOffset: offset)).isEmpty)
        #expect(TestSignals.digits(in: TestSignals.dtmf(TestSignals.allDigits, highOffset: offset)).isEmpty)
    }

    /// Normal twist (low group louder) of 8 dB and reverse twist (high group louder) of 4 dB on
    /// every digit. Digit 0 tops out at 7.75 dB normal twist whatever the twist setting:
    /// SpanDSP's fixed 8 dB relative-peak test on the 1209 Hz bin, which both 941 Hz and
    /// 1336 Hz leak into, rejects it first.
    @Test(arguments: TestSignals.allDigits)
    func twistIsAccepted(digit: Character) {
        let normal = digit == "0" ? 7.5 : 8.0
        #expect(TestSignals.digits(in: TestSignals.dtmf([digit], lowDBm0: -17 + normal, highDBm0: -17)).map(\.digit) == [digit])
        #expect(TestSignals.digits(in: TestSignals.dtmf([digit], lowDBm0: -17, highDBm0: -13)).map(\.digit) == [digit])
    }

    @Test(arguments: zip([12.0, 0.0], [0.0, 8.0]))
    func excessiveTwistIsRejected(lowDB: Double, highDB: Double) {
        let signal = TestSignals.dtmf(TestSignals.allDigits, lowDBm0: -16 + lowDB, highDBm0: -16 + highDB)
        #expect(TestSignals.digits(in: signal).isEmpty)
    }

    @Test func noTalkOffInTwoMinutesOfMandarinSpeech() throws {
        #expect(TestSignals.digits(in: try TestSignals.mandarinSpeech(seconds: 120)).isEmpty)
    }

    /// 35 dB of dynamic range: every digit from −4 down to −39 dBm0 per tone.
    @Test(arguments: [-4.0, -9, -14, -19, -24, -29, -34, -39])
    func dynamicRangeOf35DB(level: Double) {
        let got = TestSignals.digits(in: TestSignals.dtmf(TestSignals.allDigits, lowDBm0: level, highDBm0: level))
        #expect(got.map(\.digit) == TestSignals.allDigits)
    }

    @Test func thousandOfThousandAt15DBSignalToNoise() {
        // Each tone at −10 dBm0, so the digit is −7 dBm0; noise 15 dB below that.
        let sent = (0..<1000).map { TestSignals.allDigits[$0 % 16] }
        let signal = TestSignals.withNoise(TestSignals.dtmf(sent, onMs: 50, offMs: 50), dBm0: -22)
        let got = TestSignals.digits(in: signal)
        #expect(got.count == 1000)
        #expect(got.map(\.digit) == sent)
    }

    @Test func twentyMillisecondTonesAreNeverDetected() {
        #expect(TestSignals.digits(in: TestSignals.dtmf(TestSignals.allDigits, onMs: 20, offMs: 80)).isEmpty)
    }

    @Test func digitsOverChinasDialToneAreDetected() {
        let digits = TestSignals.dtmf(TestSignals.allDigits, lowDBm0: -10, highDBm0: -10)
        let dialTone = TestSignals.tones([(450, -10)], ms: SampleClock.ms(digits.count))
        #expect(TestSignals.digits(in: TestSignals.mix(digits, dialTone)).map(\.digit) == TestSignals.allDigits)
    }

    /// The notch runs only while dial tone is heard: a tone that starts, stops and starts again
    /// under the digits, at any level, still leaves every digit heard once.
    @Test(arguments: [-10.0, -20, -30])
    func digitsOverADialToneThatComesAndGoesAreDetected(toneDBm0: Double) {
        let digits = TestSignals.silence(ms: 500) + TestSignals.dtmf(TestSignals.allDigits, lowDBm0: -20, highDBm0: -20)
        let gap = TestSignals.silence(ms: 730)
        let burst = TestSignals.tones([(450, toneDBm0)], ms: 1110)
        var dialTone = gap + burst + gap + burst
        dialTone += TestSignals.tones([(450, toneDBm0)], ms: max(0, SampleClock.ms(digits.count - dialTone.count)))
        #expect(TestSignals.digits(in: TestSignals.mix(digits, dialTone)).map(\.digit) == TestSignals.allDigits)
    }

    @Test func startEndAndLevelAreReported() throws {
        // 200 ms of silence, then a 100 ms "5" at −10 dBm0 per tone.
        let got = TestSignals.digits(in: TestSignals.silence(ms: 100) + TestSignals.dtmf(["5"], onMs: 100, offMs: 100))
        let d = try #require(got.first)
        #expect(abs(SampleClock.ms(d.startSample) - 200) <= 15)
        #expect(abs(SampleClock.ms(d.endSample) - 300) <= 15)
        #expect(abs(d.levelDBm0 - -7) <= 2)
    }

    @Test func generatorOutputIsDetectedWithItsTiming() throws {
        let generator = DTMFGenerator(.init(levelDBm0: -12, twistDB: 2, onMs: 80, offMs: 120))
        try generator.send("13579#")
        var out = [Int16](repeating: 0, count: SampleClock.samples(ms: 1400))
        let n = out.withUnsafeMutableBufferPointer { generator.generate(into: $0) }
        #expect(n == SampleClock.samples(ms: 6 * 200))
        let got = TestSignals.digits(in: out)
        #expect(got.map(\.digit) == Array("13579#"))
        // Start and end are each known to one 12.75 ms detector block.
        for d in got { #expect(abs(SampleClock.ms(d.endSample - d.startSample) - 80) <= 26) }
    }

    @Test func generatorRejectsNonDigits() {
        #expect(throws: DTMFGeneratorError.invalidDigit("x")) { try DTMFGenerator().send("12x") }
    }
}
