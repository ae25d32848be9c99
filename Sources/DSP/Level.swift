import Foundation

/// Signal levels in dBm0, with SpanDSP's reference: a full-scale sine (peak 32767) is +3.14 dBm0
/// (the G.711 µ-law convention), so 0 dBm0 RMS is 32767 / √2 · 10^(−3.14/20).
public enum Level {
    public static let fullScaleSineDBm0 = 3.14

    /// Peak amplitude of a sine at `dBm0`.
    public static func sinePeak(dBm0: Double) -> Double {
        32767.0 * pow(10.0, (dBm0 - fullScaleSineDBm0) / 20.0)
    }

    /// RMS amplitude of any signal at `dBm0`.
    public static func rms(dBm0: Double) -> Double {
        sinePeak(dBm0: dBm0) / 2.0.squareRoot()
    }

    /// Level in dBm0 of a block of samples (−99 for digital silence).
    public static func dBm0<C: Collection>(of samples: C) -> Double where C.Element == Int16 {
        guard !samples.isEmpty else { return -99 }
        var sum = 0.0
        for s in samples { sum += Double(s) * Double(s) }
        let measured = (sum / Double(samples.count)).squareRoot()
        guard measured > 0 else { return -99 }
        return 20.0 * log10(measured / rms(dBm0: 0))
    }

    /// Linear gain for a change of `dB`.
    public static func gain(dB: Double) -> Double { pow(10.0, dB / 20.0) }
}

/// Sample clock arithmetic at the line rate.
public enum SampleClock {
    public static let rate = 8000

    public static func samples(ms: Int) -> Int { ms * rate / 1000 }
    public static func ms(_ samples: Int) -> Int { samples * 1000 / rate }
}
