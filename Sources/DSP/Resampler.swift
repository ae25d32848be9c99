import Foundation

/// Converts audio from another sample rate to the line's 8 kHz, offline (prompt packs, speech
/// from espeak-ng at 22.05 kHz, a call-back's note spoken on the box): a windowed-sinc low-pass
/// at 3.6 kHz evaluated at each output instant.
///
/// An output instant falls at one of `L` phases between input samples (L = 8000 / gcd(rate,
/// 8000): 160 for 22.05 kHz), so the filter's taps are worked out once per phase, not per
/// output sample: the sines and cosines were nearly all the cost of speaking a note.
public enum Resampler {
    public static func toLineRate(_ input: [Int16], from rate: Int) -> [Int16] {
        guard rate > 0, rate != SampleClock.rate, !input.isEmpty else { return input }
        let common = gcd(rate, SampleClock.rate)
        let step = rate / common, phases = SampleClock.rate / common
        // Cut-off as a fraction of the input rate; never above the input's own Nyquist.
        let cutoff = min(3600.0, 0.45 * Double(rate)) / Double(rate)
        let halfWidth = Int((16 * max(1, Double(step) / Double(phases))).rounded(.up))
        let count = input.count * phases / step
        // taps[p][j + halfWidth - 1]: the weight of input sample i + j for an output at i + p/L.
        var taps = [[Double]?](repeating: nil, count: phases)
        func weights(_ p: Int) -> [Double] {
            if let known = taps[p] { return known }
            let made = (1 - halfWidth...halfWidth).map { j -> Double in
                let t = Double(j) - Double(p) / Double(phases)
                let x = 2 * cutoff * t
                let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
                let window = 0.5 + 0.5 * cos(Double.pi * t / Double(halfWidth))
                return 2 * cutoff * sinc * window
            }
            taps[p] = made
            return made
        }
        var output = [Int16](repeating: 0, count: count)
        for n in 0..<count {
            let i = n * step / phases, p = n * step % phases
            let w = weights(p)
            let first = max(0, i - halfWidth + 1), last = min(input.count - 1, i + halfWidth)
            var sum = 0.0
            if first <= last {
                for k in first...last { sum += Double(input[k]) * w[k - i + halfWidth - 1] }
            }
            output[n] = Int16(clamping: Int(sum.rounded()))
        }
        return output
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
