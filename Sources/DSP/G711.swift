import CSpanDSP

/// G.711 companding through SpanDSP's table-free inline coders.
public enum G711Law: String, Sendable, Codable {
    case ulaw, alaw

    @inline(__always)
    public func encode(_ sample: Int16) -> UInt8 {
        self == .ulaw ? linear_to_ulaw(Int32(sample)) : linear_to_alaw(Int32(sample))
    }

    @inline(__always)
    public func decode(_ code: UInt8) -> Int16 {
        self == .ulaw ? ulaw_to_linear(code) : alaw_to_linear(code)
    }

    public func encode(_ samples: UnsafeBufferPointer<Int16>, into codes: UnsafeMutableBufferPointer<UInt8>) {
        for i in 0..<min(samples.count, codes.count) { codes[i] = encode(samples[i]) }
    }

    public func decode(_ codes: UnsafeBufferPointer<UInt8>, into samples: UnsafeMutableBufferPointer<Int16>) {
        for i in 0..<min(samples.count, codes.count) { samples[i] = decode(codes[i]) }
    }
}
