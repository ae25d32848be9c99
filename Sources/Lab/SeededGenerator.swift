import Foundation

/// Repeatable randomness for benchmark data (SplitMix64).
package struct SeededGenerator: RandomNumberGenerator {
    package var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` bytes of it (a bundle, say), eight at a time.
    package mutating func bytes(_ count: Int) -> Data {
        var data = Data(count: count)
        data.withUnsafeMutableBytes { buffer in
            var at = 0
            while at < count {
                var word = next()
                let n = min(8, count - at)
                withUnsafeBytes(of: &word) { buffer.baseAddress!.advanced(by: at).copyMemory(from: $0.baseAddress!, byteCount: n) }
                at += n
            }
        }
        return data
    }
}
