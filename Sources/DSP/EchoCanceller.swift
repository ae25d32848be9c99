/// A line echo canceller for lines without one in hardware (ALSA codecs, the simulated
/// exchange): a normalised-LMS adaptive filter over the box's own transmitted audio that
/// subtracts the hybrid's echo from what the box receives, so DTMF keyed over the box's prompts
/// reaches the detectors clean.
///
/// Why not SpanDSP's `echo_can`: in 0.0.6 it prints debug text for every sample, which the frame
/// thread must never do (docs/DSP.md). This one allocates nothing after init, takes no locks,
/// and costs `taps` multiply-adds twice per sample while it adapts.
///
/// It adapts only while the box is transmitting, and freezes during double talk: when the
/// residual after cancellation jumps well above the level the filter leaves, the
/// caller is talking (or keying) over the box, and adapting then would teach the filter the
/// caller's voice. A hangover keeps it frozen to the end of a digit.
///
/// A line's echo is a short burst somewhere in the tail (the hybrid's response after the
/// loop's delay), as G.168's sparse cancellers assume. So once the whole filter has adapted for
/// a while and `windowTaps` of it hold nearly all its energy, only those taps are filtered and
/// adapted until the echo path changes (`reset`): a quarter of the work at a 32 ms tail. A
/// dispersed echo that no window holds keeps the whole filter.
public final class EchoCanceller {
    public let taps: Int
    /// Samples between the box transmitting a sample and the earliest its echo can come back:
    /// one frame, since a frame's audio is sent after the frame received with it is processed.
    public let bulkDelay: Int
    private let length: Int
    /// The box's transmitted audio, oldest first; the newest `bulkDelay` samples are not yet
    /// reachable by echo in the frame being processed.
    private let reference: UnsafeMutablePointer<Float>
    /// Filter weights, oldest reference sample first.
    private let weights: UnsafeMutablePointer<Float>
    private var rxPower: Float = 0
    private var residualPower: Float = 0
    /// The residual's power over the reference's, as low as the filter gets it while nobody
    /// talks over the box: what double talk stands out from. It falls fast and rises slowly.
    private var residualRatioFloor: Float = 1
    private var doubleTalkHold = 0
    public private(set) var adaptedSamples = 0
    /// The taps filtered and adapted: all of them until the echo is found, then its window.
    public private(set) var activeTaps: Range<Int>

    static let step: Float = 0.8
    static let powerSmoothing: Float = 1.0 / 64
    static let floorFall: Float = 1.0 / 64
    static let floorRise: Float = 1.0 / 8192
    /// Near-end speech or a digit: the residual 6 dB over what the filter leaves of the echo.
    static let doubleTalkRatio: Float = 4
    static let hangoverSamples = SampleClock.samples(ms: 60)
    /// Below this mean reference power (about −50 dBm0) the box is silent: nothing to learn.
    static let silentReference: Float = 40
    /// Residual power the line's own noise may have (about −60 dBm0) without counting as talk.
    static let noiseAllowance: Float = 4
    /// The echo's window once found (8 ms: a hybrid's response), and what the whole filter must
    /// have learnt before it is looked for: adapted samples, and the share of the filter's
    /// energy the window must hold.
    static let windowTaps = SampleClock.samples(ms: 8)
    static let settleSamples = SampleClock.samples(ms: 500)
    static let windowEnergyShare: Float = 0.97

    /// `tailMs`: the longest echo path it models, beyond the bulk delay.
    public init(tailMs: Int, bulkDelay: Int) {
        taps = max(8, SampleClock.samples(ms: tailMs))
        self.bulkDelay = bulkDelay
        length = bulkDelay + taps
        reference = .allocate(capacity: length)
        reference.initialize(repeating: 0, count: length)
        weights = .allocate(capacity: taps)
        weights.initialize(repeating: 0, count: taps)
        activeTaps = 0..<taps
    }

    deinit {
        reference.deallocate()
        weights.deallocate()
    }

    /// Removes the echo from `rx` (a frame received) into `out`. `rx.count` must not exceed the
    /// bulk delay, so every echo it holds comes from audio already given to `transmitted`.
    public func cancel(_ rx: UnsafeBufferPointer<Int16>, into out: UnsafeMutableBufferPointer<Int16>) {
        let n = min(rx.count, out.count, bulkDelay)
        let count = activeTaps.count
        let w = weights + activeTaps.lowerBound
        // The reference window for sample 0 (its active taps) ends `bulkDelay` samples before it.
        let first = length - bulkDelay - taps + 1 + activeTaps.lowerBound
        var norm: Float = 0
        for j in 0..<count { let x = reference[first + j]; norm += x * x }
        for i in 0..<n {
            let base = first + i
            if i > 0 {
                let entering = reference[base + count - 1], leaving = reference[base - 1]
                norm += entering * entering - leaving * leaving
            }
            // Nothing sent across the whole window: no echo to take out.
            let estimate = norm > 0 ? Self.dot(w, reference + base, count: count) : 0
            let received = Float(rx[i])
            let error = received - estimate
            rxPower += (received * received - rxPower) * Self.powerSmoothing
            residualPower += (error * error - residualPower) * Self.powerSmoothing
            let meanReference = norm / Float(count)
            if meanReference > Self.silentReference {
                let ratio = residualPower / meanReference
                let talking = residualPower > Self.doubleTalkRatio * residualRatioFloor * meanReference + Self.noiseAllowance
                    || rxPower > meanReference
                if talking { doubleTalkHold = Self.hangoverSamples } else if doubleTalkHold > 0 { doubleTalkHold -= 1 }
                residualRatioFloor += (ratio - residualRatioFloor) * (ratio < residualRatioFloor ? Self.floorFall : Self.floorRise)
                if doubleTalkHold == 0 {
                    let gain = Self.step * error / (norm + 1000)
                    Self.accumulate(gain, reference + base, into: w, count: count)
                    adaptedSamples += 1
                }
            }
            out[i] = Signal.sample(error)
        }
        for i in n..<min(rx.count, out.count) { out[i] = rx[i] }
        if count == taps && adaptedSamples >= Self.settleSamples { findEchoWindow() }
    }

    /// Narrows the filter to the `windowTaps` holding the most energy, if they hold nearly all.
    private func findEchoWindow() {
        let span = Self.windowTaps
        guard taps > span else { return }
        var inWindow: Float = 0
        for j in 0..<span { inWindow += weights[j] * weights[j] }
        var total = inWindow
        var best = (energy: inWindow, start: 0)
        for start in 1...(taps - span) {
            let entering = weights[start + span - 1], leaving = weights[start - 1]
            inWindow += entering * entering - leaving * leaving
            total += entering * entering
            if inWindow > best.energy { best = (inWindow, start) }
        }
        guard total > 0, best.energy >= Self.windowEnergyShare * total else { return }
        // The taps outside are left as they are: nothing reads them until `reset` clears them all.
        activeTaps = best.start..<(best.start + span)
    }

    // Eight lanes at a time: strict floating point keeps the compiler from vectorising a sum on
    // its own, and these two loops are nearly all the canceller's cost.
    private typealias Lanes = SIMD8<Float>

    @inline(__always)
    private static func load(_ p: UnsafeMutablePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

    @inline(__always)
    private static func dot(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, count: Int) -> Float {
        // Four sums side by side, so each addition need not wait for the one before.
        var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes()
        var j = 0
        while j + 32 <= count {
            s0 += load(a + j) * load(b + j)
            s1 += load(a + j + 8) * load(b + j + 8)
            s2 += load(a + j + 16) * load(b + j + 16)
            s3 += load(a + j + 24) * load(b + j + 24)
            j += 32
        }
        while j + 8 <= count {
            s0 += load(a + j) * load(b + j)
            j += 8
        }
        var total = ((s0 + s1) + (s2 + s3)).sum()
        while j < count { total += a[j] * b[j]; j += 1 }
        return total
    }

    @inline(__always)
    private static func accumulate(_ gain: Float, _ x: UnsafeMutablePointer<Float>, into w: UnsafeMutablePointer<Float>, count: Int) {
        let g = Lanes(repeating: gain)
        var j = 0
        while j + 8 <= count {
            let updated = load(w + j) + g * load(x + j)
            UnsafeMutableRawPointer(w + j).storeBytes(of: updated, as: Lanes.self)
            j += 8
        }
        while j < count { w[j] += gain * x[j]; j += 1 }
    }

    /// Takes in the frame the box is about to send.
    public func transmitted(_ tx: UnsafeBufferPointer<Int16>) {
        let n = min(tx.count, length)
        (reference).update(from: reference + n, count: length - n)
        for i in 0..<n { reference[length - n + i] = Float(tx[tx.count - n + i]) }
    }

    /// Forgets the echo path: a new call, or a flash to another line, has another hybrid.
    public func reset() {
        reference.update(repeating: 0, count: length)
        weights.update(repeating: 0, count: taps)
        rxPower = 0
        residualPower = 0
        residualRatioFloor = 1
        doubleTalkHold = 0
        adaptedSamples = 0
        activeTaps = 0..<taps
    }
}
