import CSpanDSP

/// Owner of a SpanDSP `power_meter_t`: a leaky integrator of signal power, read in dBm0.
public final class PowerMeter {
    private let state: UnsafeMutablePointer<power_meter_t>

    /// `shift` sets the time constant to 2^shift samples (6 ≈ 8 ms).
    public init(shift: Int = 6) {
        state = power_meter_init(nil, Int32(shift))!
    }

    deinit { power_meter_free(state) }

    @inline(__always)
    public func update(_ sample: Int16) { _ = power_meter_update(state, sample) }

    public func update(_ samples: UnsafeBufferPointer<Int16>) {
        for s in samples { _ = power_meter_update(state, s) }
    }

    public var levelDBm0: Double { Double(power_meter_current_dbm0(state)) }
}
