import Foundation

/// Small helpers on blocks of line audio.
public enum Signal {
    @inline(__always)
    public static func saturate(_ v: Int32) -> Int16 { Int16(clamping: v) }

    /// A float sample back to 16 bits, rounded half away from zero and saturated (NaN to the
    /// floor), without a libm call: x86-64's baseline has no rounding instruction, and the frame
    /// path rounds every sample it filters. Inlinable: the debug build compiles a module file by
    /// file, and a call per sample from another file cost more than the rounding.
    @inlinable @inline(__always)
    public static func sample(_ x: Float) -> Int16 {
        guard x > -32768.5 else { return .min }
        guard x < 32767.5 else { return .max }
        return Int16(x + (x < 0 ? -0.5 : 0.5))
    }

    /// The sum of squares of `count` samples. A detector adds it to its block's energy once per
    /// piece: summed into a class's property sample by sample, each addition would pay an
    /// exclusivity check. Eight lanes at a time, since strict floating point keeps the compiler
    /// from splitting one running sum.
    @inlinable
    public static func energy(_ samples: UnsafePointer<Int16>, count: Int) -> Float {
        var lanes = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let x = SIMD8<Float>(UnsafeRawPointer(samples + i).loadUnaligned(as: SIMD8<Int16>.self))
            lanes += x * x
            i += 8
        }
        var sum = lanes.sum()
        while i < count { sum += Float(samples[i]) * Float(samples[i]); i += 1 }
        return sum
    }

    /// Adds `source` into `target` sample by sample (up to the shorter length), saturating.
    public static func mix(_ source: UnsafeBufferPointer<Int16>, into target: UnsafeMutableBufferPointer<Int16>) {
        for i in 0..<min(source.count, target.count) {
            target[i] = saturate(Int32(target[i]) + Int32(source[i]))
        }
    }

    /// A sum of sines at exact (fractional) frequencies, each at its own level, all starting at
    /// phase zero: test and measurement signals where SpanDSP's integer-Hz generator is too coarse.
    public static func sines(_ components: [(hz: Double, dBm0: Double)], count: Int) -> [Int16] {
        let rate = Double(SampleClock.rate)
        let parts = components.map { (step: 2 * Double.pi * $0.hz / rate, peak: Level.sinePeak(dBm0: $0.dBm0)) }
        return (0..<count).map { i in
            var v = 0.0
            for p in parts { v += p.peak * sin(p.step * Double(i)) }
            return Int16(clamping: Int(v.rounded()))
        }
    }

    /// Runs `body` over `samples` in blocks of `block`, the way a frame loop would.
    public static func forEachBlock(_ samples: [Int16], block: Int = 160, _ body: (UnsafeBufferPointer<Int16>) -> Void) {
        samples.withUnsafeBufferPointer { all in
            var i = 0
            while i < all.count {
                let n = min(block, all.count - i)
                body(UnsafeBufferPointer(rebasing: all[i..<(i + n)]))
                i += n
            }
        }
    }
}
