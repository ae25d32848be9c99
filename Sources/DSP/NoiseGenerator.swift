import CSpanDSP

/// Owner of a SpanDSP `awgn_state_t`: white Gaussian noise at a level in dBm0, repeatable
/// from its seed.
public final class NoiseGenerator {
    private let state: UnsafeMutablePointer<awgn_state_t>

    public init(levelDBm0: Double, seed: Int32 = 1234567) {
        state = awgn_init_dbm0(nil, seed, Float(levelDBm0))!
    }

    deinit { awgn_free(state) }

    @inline(__always)
    public func next() -> Int16 { awgn(state) }

    /// Adds noise to `samples` in place, saturating.
    public func add(to samples: UnsafeMutableBufferPointer<Int16>) {
        for i in samples.indices { samples[i] = Signal.saturate(Int32(samples[i]) + Int32(awgn(state))) }
    }
}
