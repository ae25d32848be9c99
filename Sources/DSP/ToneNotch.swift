import Foundation

/// A second-order IIR notch (RBJ cookbook). SpanDSP's DTMF dial-tone filter only notches the
/// North American 350/440 Hz pair; China's 450 Hz dial tone would otherwise fail SpanDSP's
/// "DTMF holds most of the energy" test and hide digits pressed over it.
struct ToneNotch {
    private let b0, b1, b2, a1, a2: Float
    private var x1: Float = 0, x2: Float = 0, y1: Float = 0, y2: Float = 0

    init(frequency: Double, q: Double = 8, sampleRate: Double = Double(SampleClock.rate)) {
        let w0 = 2 * Double.pi * frequency / sampleRate
        let alpha = sin(w0) / (2 * q)
        let a0 = 1 + alpha
        b0 = Float(1 / a0)
        b1 = Float(-2 * cos(w0) / a0)
        b2 = Float(1 / a0)
        a1 = Float(-2 * cos(w0) / a0)
        a2 = Float((1 - alpha) / a0)
    }

    @inline(__always)
    mutating func filter(_ x: Int16) -> Int16 {
        let xf = Float(x)
        let y = b0 * xf + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2 = x1; x1 = xf
        y2 = y1; y1 = y
        return Signal.sample(y)
    }
}
