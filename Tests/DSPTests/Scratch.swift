import DSP
import Testing
@Test func scratch() {
    for level in [-10.0, -30] {
        print("LEVEL \(level)")
        let signal = TestSignals.withNoise(TestSignals.cadence(hz: 450, dBm0: level, onMs: 350, offMs: 350, cycles: 6, leadMs: 730), dBm0: level - 20)
        print(TestSignals.progressTones(in: signal))
    }
}
