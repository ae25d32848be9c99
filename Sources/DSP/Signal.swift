import Foundation

/// Small helpers on blocks of line audio.
public enum Signal {
    @inline(__always)
    public static func saturate(_ v: Int32) -> Int16 { Int16(clamping: v) }

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
