import CSpanDSP

/// Power at one frequency over a whole stretch of audio (a SpanDSP Goertzel filter as long as
/// the stretch): for offline questions such as "which FSK pair was this spill sent with".
public enum ToneMeter {
    /// Goertzel power at `hz`, normalised so that a pure sine at `hz` gives its mean power.
    public static func power(of samples: ArraySlice<Int16>, at hz: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        var descriptor = goertzel_descriptor_t()
        make_goertzel_descriptor(&descriptor, Float(hz), Int32(samples.count))
        var state = goertzel_state_t()
        goertzel_init(&state, &descriptor)
        samples.withUnsafeBufferPointer { _ = goertzel_update(&state, $0.baseAddress, Int32($0.count)) }
        return Double(goertzel_result(&state)) / Double(samples.count * samples.count)
    }
}
