import CSpanDSP

/// The bare SpanDSP work a minimal line would do — DTMF detection and a power meter, nothing
/// else — for benchmarks to compare the box's whole frame path against, on the same audio.
public final class SpanDSPReference {
    private let dtmf: UnsafeMutablePointer<dtmf_rx_state_t>
    private let meter: UnsafeMutablePointer<power_meter_t>

    public init() {
        _ = spanDSPTablesReady
        dtmf = dtmf_rx_init(nil, nil, nil)!
        meter = power_meter_init(nil, 6)!
    }

    deinit {
        dtmf_rx_free(dtmf)
        power_meter_free(meter)
    }

    public func process(_ frame: UnsafeBufferPointer<Int16>) {
        _ = dtmf_rx(dtmf, frame.baseAddress, Int32(frame.count))
        for s in frame { _ = power_meter_update(meter, s) }
        var digits = (CChar(0), CChar(0), CChar(0), CChar(0))
        withUnsafeMutablePointer(to: &digits) { _ = dtmf_rx_get(dtmf, UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self), 3) }
    }
}
