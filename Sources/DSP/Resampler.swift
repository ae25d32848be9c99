import Foundation

/// Converts audio from another sample rate to the line's 8 kHz, offline (prompt packs, speech
/// from espeak-ng at 22.05 kHz): a windowed-sinc low-pass at 3.6 kHz evaluated at each output
/// instant.
public enum Resampler {
    public static func toLineRate(_ input: [Int16], from rate: Int) -> [Int16] {
        guard rate != SampleClock.rate, !input.isEmpty else { return input }
        let ratio = Double(rate) / Double(SampleClock.rate)
        // Cut-off as a fraction of the input rate; never above the input's own Nyquist.
        let cutoff = min(3600.0, 0.45 * Double(rate)) / Double(rate)
        let halfWidth = Int((16 * max(1, ratio)).rounded(.up))
        let count = Int(Double(input.count) / ratio)
        var output = [Int16](repeating: 0, count: count)
        for n in 0..<count {
            let centre = Double(n) * ratio
            let first = max(0, Int(centre) - halfWidth + 1), last = min(input.count - 1, Int(centre) + halfWidth)
            var sum = 0.0
            for k in first...max(first, last) {
                let t = Double(k) - centre
                let x = 2 * cutoff * t
                let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
                let window = 0.5 + 0.5 * cos(Double.pi * t / Double(halfWidth))
                sum += Double(input[k]) * 2 * cutoff * sinc * window
            }
            output[n] = Int16(clamping: Int(sum.rounded()))
        }
        return output
    }
}
