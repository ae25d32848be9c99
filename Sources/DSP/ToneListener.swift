import CSpanDSP

/// Follows one tone by ear: every 16 ms block counts as "on" when at least half its energy
/// lies within about ±28 Hz of `hz` (a SpanDSP Goertzel filter against the block's total
/// energy), with single-block glitches smoothed. Used for fax-tone onsets and by the simulated
/// caller listening for a beep.
public final class ToneListener {
    public static let blockSamples = 128
    private let filter: UnsafeMutablePointer<goertzel_state_t>
    private var segmenter = ToneSegmenter(capacity: 1)
    private var aligner = BlockAligner(blockSamples: ToneListener.blockSamples)
    private var energy: Float = 0
    private let floorEnergy: Float

    public init(hz: Double, floorDBm0: Double = -45) {
        var descriptor = goertzel_descriptor_t()
        make_goertzel_descriptor(&descriptor, Float(hz), Int32(Self.blockSamples))
        filter = goertzel_init(nil, &descriptor)!
        let floorRMS = Float(Level.rms(dBm0: floorDBm0))
        floorEnergy = floorRMS * floorRMS * Float(Self.blockSamples)
    }

    deinit { goertzel_free(filter) }

    public var clock: Int { aligner.clock }
    /// Whether the tone is sounding now.
    public var isOn: Bool { segmenter.current.isOn }
    /// When the current on- or off-period began (samples on this listener's clock).
    public var periodStart: Int { segmenter.current.start }
    /// How long the current period has lasted, in samples.
    public var periodLength: Int { segmenter.current.duration }

    /// Lets `count` samples go by unheard, counted as no tone: keeps this listener's clock with
    /// its owner's while there is nothing to listen for, at no cost per sample.
    public func skip(_ count: Int) {
        aligner.forEachPiece(count: count) { _, _, end in
            if end % Self.blockSamples == 0 { _ = segmenter.feed(isOn: false, blockStart: end - Self.blockSamples, end: end) }
        }
        energy = 0
        goertzel_reset(filter)
    }

    public func process(_ samples: UnsafeBufferPointer<Int16>) {
        guard let base = samples.baseAddress else { return }
        aligner.forEachPiece(count: samples.count) { offset, length, end in
            energy += Signal.energy(base + offset, count: length)
            _ = goertzel_update(filter, base + offset, Int32(length))
            if end % Self.blockSamples == 0 {
                let total = energy * Float(Self.blockSamples)
                let isOn = energy > floorEnergy && goertzel_result(filter) >= 0.5 * total
                energy = 0
                _ = segmenter.feed(isOn: isOn, blockStart: end - Self.blockSamples, end: end)
            }
        }
    }
}
