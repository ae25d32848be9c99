import DSP
import TestSupport
import Testing

@Suite(.tags(.unit)) struct CallerIDTests {
    static let stamp = CallerIDDateTime(month: 11, day: 29, hour: 14, minute: 5)

    static let messages: [CallerID] = [
        CallerID(standard: .bell202, format: .sdmf, number: "02087654321", dateTime: stamp),
        CallerID(standard: .bell202, format: .sdmf, dateTime: stamp, numberAbsence: .private),
        CallerID(standard: .bell202, format: .mdmf, number: "13812345678", name: "LI SI", dateTime: stamp),
        CallerID(standard: .bell202, format: .mdmf, dateTime: stamp, numberAbsence: .unavailable, nameAbsence: .private),
        CallerID(standard: .v23, number: "075512345678", name: "WANG WU", dateTime: stamp),
        CallerID(standard: .v23, dateTime: stamp, numberAbsence: .private),
        CallerID(standard: .dtmf, number: "13900001111"),
        CallerID(standard: .dtmf, numberAbsence: .private),
        CallerID(standard: .dtmf, numberAbsence: .unavailable),
    ]

    static func receive(_ audio: [Int16], _ standard: CallerIDStandard) -> [CallerID] {
        var got: [CallerID] = []
        let receiver = CallerIDReceiver(standard: standard) { id, _ in got.append(id) }
        Signal.forEachBlock(TestSignals.silence(ms: 200) + audio + TestSignals.silence(ms: 300)) { receiver.process($0) }
        return got
    }

    @Test(arguments: messages)
    func roundTrip(message: CallerID) throws {
        let audio = try CallerIDGenerator(standard: message.standard).render(message)
        #expect(Self.receive(audio, message.standard) == [message])
    }

    @Test func bell202MDMFAtMinus40DBm0() throws {
        let message = Self.messages[2]
        let audio = try CallerIDGenerator(standard: .bell202, levelDBm0: -40).render(message)
        #expect(abs(Level.dBm0(of: audio) - -40) < 1.5)
        #expect(Self.receive(audio, .bell202) == [message])
    }

    @Test func bell202MDMFAt10DBSignalToNoise() throws {
        let message = Self.messages[2]
        let audio = try CallerIDGenerator(standard: .bell202, levelDBm0: -20).render(message)
        let noisy = TestSignals.withNoise(TestSignals.silence(ms: 200) + audio + TestSignals.silence(ms: 300), dBm0: -30)
        var got: [CallerID] = []
        let receiver = CallerIDReceiver(standard: .bell202) { id, _ in got.append(id) }
        Signal.forEachBlock(noisy) { receiver.process($0) }
        #expect(got == [message])
    }

    @Test func noiseAloneDecodesNothing() {
        let noise = TestSignals.withNoise(TestSignals.silence(ms: 5000), dBm0: -20)
        for standard in CallerIDStandard.allCases { #expect(Self.receive(noise, standard).isEmpty) }
    }

    @Test func dtmfCallerIDCarriesDigitsOnly() {
        #expect(throws: CallerIDGeneratorError.notDigits("12AB")) {
            try CallerIDGenerator(standard: .dtmf).render(CallerID(standard: .dtmf, number: "12AB"))
        }
    }

    @Test func keyValueLinesNameEveryField() {
        #expect(Self.messages[3].keyValueLines == ["standard=bell202", "format=mdmf", "number_absent=unavailable", "name_absent=private", "datetime=11291405"])
    }
}
