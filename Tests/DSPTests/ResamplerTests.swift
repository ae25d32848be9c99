import DSP
import Foundation
import Testing
import TestSupport

/// Speech at other rates (espeak-ng's 22.05 kHz above all) brought to the line's 8 kHz: the
/// voice band kept at its level, what the line cannot carry filtered out, the length right.
@Suite(.tags(.unit)) struct ResamplerTests {
    /// Level of `hz` in `samples` at 8 kHz (dBm0), by correlation with a sine and a cosine.
    static func level(of hz: Double, in samples: [Int16]) -> Double {
        let w = 2 * Double.pi * hz / Double(SampleClock.rate)
        var re = 0.0, im = 0.0
        for (n, s) in samples.enumerated() { re += Double(s) * cos(w * Double(n)); im += Double(s) * sin(w * Double(n)) }
        let peak = 2 * (re * re + im * im).squareRoot() / Double(samples.count)
        return Level.dBm0(of: Signal.sines([(hz, 0)], count: 8000)) + 20 * log10(peak / Level.sinePeak(dBm0: 0))
    }

    @Test(arguments: [22050, 16000, 11025, 44100, 48000])
    func theVoiceBandKeepsItsLevelAndTheRestGoes(rate: Int) {
        let seconds = 2
        let input = (0..<(rate * seconds)).map { n -> Int16 in
            let t = Double(n) / Double(rate)
            let v = Level.sinePeak(dBm0: -10) * sin(2 * Double.pi * 1000 * t) + Level.sinePeak(dBm0: -10) * sin(2 * Double.pi * 4500 * t)
            return Int16(v.rounded())
        }
        let out = Resampler.toLineRate(input, from: rate)
        #expect(out.count == input.count * SampleClock.rate / rate)
        // Away from the ends, where the filter runs out of input.
        let middle = Array(out[800..<(out.count - 800)])
        #expect(abs(Self.level(of: 1000, in: middle) - -10) < 0.5, "1 kHz at \(Self.level(of: 1000, in: middle)) dBm0")
        // 4.5 kHz cannot be carried at 8 kHz; it must not fold back to 3.5 kHz.
        #expect(Self.level(of: 3500, in: middle) < -50, "4.5 kHz folded to \(Self.level(of: 3500, in: middle)) dBm0")
    }

    @Test func audioAtTheLineRateIsUntouched() {
        let input: [Int16] = [1, -2, 3, 32767, -32768]
        #expect(Resampler.toLineRate(input, from: 8000) == input)
        #expect(Resampler.toLineRate([], from: 22050).isEmpty)
    }
}
