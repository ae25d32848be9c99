import CSpanDSP
import Foundation

/// A second-order IIR notch (RBJ cookbook) that runs only while its tone is on the line.
/// SpanDSP's DTMF dial-tone filter only notches the North American 350/440 Hz pair; China's
/// 450 Hz dial tone would otherwise fail SpanDSP's "DTMF holds most of the energy" test and
/// hide digits pressed over it.
///
/// The filter's recursion cost half as much as SpanDSP's whole DTMF receiver, for a tone an
/// answered call almost never carries. So a Goertzel filter (one multiply-add a sample) measures
/// the tone in every block, and the notch filters from the block after the tone is heard until
/// `holdBlocks` blocks after it is gone. A digit keyed as the tone starts loses one block to it,
/// as SpanDSP needs two agreeing blocks anyway.
struct ToneNotch {
    private let b0, b1, b2, a1, a2: Float
    private var x1: Float = 0, x2: Float = 0, y1: Float = 0, y2: Float = 0
    private var meter = goertzel_state_t()
    /// Goertzel power over a block above which the tone counts as present.
    private let presentPower: Float
    private var hold = 0

    /// The tone at or above this level is notched (below it, it is too weak to mask a digit).
    static let presentDBm0 = -40.0
    static let holdBlocks = 25

    init(frequency: Double, blockSamples: Int, q: Double = 8, sampleRate: Double = Double(SampleClock.rate)) {
        let w0 = 2 * Double.pi * frequency / sampleRate
        let alpha = sin(w0) / (2 * q)
        let a0 = 1 + alpha
        b0 = Float(1 / a0)
        b1 = Float(-2 * cos(w0) / a0)
        b2 = Float(1 / a0)
        a1 = Float(-2 * cos(w0) / a0)
        a2 = Float((1 - alpha) / a0)
        var descriptor = goertzel_descriptor_t()
        make_goertzel_descriptor(&descriptor, Float(frequency), Int32(blockSamples))
        goertzel_init(&meter, &descriptor)
        // What the Goertzel filter gives for a sine at the threshold over one block: the
        // filter's own measure of it, so no normalisation constant is assumed.
        let threshold = Signal.sines([(frequency, Self.presentDBm0)], count: blockSamples)
        var probe = meter
        threshold.withUnsafeBufferPointer { _ = goertzel_update(&probe, $0.baseAddress, Int32(blockSamples)) }
        presentPower = goertzel_result(&probe)
    }

    /// Takes `count` samples of the block being received; answers where the detector should
    /// read them from: `input` itself while the tone is absent, else `scratch` with it notched.
    /// `blockEnds`: this piece completes a block, so the tone's presence is decided again.
    mutating func filter(_ input: UnsafePointer<Int16>, scratch: UnsafeMutablePointer<Int16>, count: Int, blockEnds: Bool) -> UnsafePointer<Int16> {
        _ = goertzel_update(&meter, input, Int32(count))
        let filtering = hold > 0
        if filtering { notch(input, into: scratch, count: count) }
        if blockEnds {
            if goertzel_result(&meter) >= presentPower {
                if hold == 0 { x1 = 0; x2 = 0; y1 = 0; y2 = 0 }
                hold = Self.holdBlocks
            } else if hold > 0 {
                hold -= 1
            }
        }
        return filtering ? UnsafePointer(scratch) : input
    }

    /// The state in locals: the recursion through `y1` is the filter's whole cost, so nothing
    /// else may sit on it.
    private mutating func notch(_ input: UnsafePointer<Int16>, into output: UnsafeMutablePointer<Int16>, count: Int) {
        var x1 = x1, x2 = x2, y1 = y1, y2 = y2
        for i in 0..<count {
            let x = Float(input[i])
            // The terms that do not wait for the last output first, so only one multiply and one
            // subtraction follow it.
            let y = (b0 * x + b1 * x1 + b2 * x2 - a2 * y2) - a1 * y1
            x2 = x1; x1 = x
            y2 = y1; y1 = y
            output[i] = Signal.sample(y)
        }
        self.x1 = x1; self.x2 = x2; self.y1 = y1; self.y2 = y2
    }
}
