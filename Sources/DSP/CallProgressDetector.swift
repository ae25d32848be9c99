import CSpanDSP

/// A call-progress tone heard on the line: when its first matched cycle began, and when the
/// detector was sure of it (samples on the detector's clock).
public struct CallProgressDetection: Sendable, Equatable, Codable {
    public var kind: CallProgressTone
    public var onsetSample: Int
    public var confirmedSample: Int
}

public enum CallProgressEvent: Sendable, Equatable {
    case confirmed(CallProgressDetection)
    case ended(CallProgressTone, atSample: Int)
}

/// Frequency-selective cadence detector. Every 16 ms block is measured with SpanDSP Goertzel
/// filters at the plan's frequencies; a block counts as a tone only when at least half of its
/// energy lies within about ±28 Hz of that tone. (SpanDSP's own `super_tone_rx` accepts a block
/// when the best two bins hold a small fraction of the energy: white noise and a 300 Hz tone
/// both pass it as 450 Hz.) Speech, DTMF and noise therefore cannot fake a busy cadence the way
/// they fool loudness-and-cadence detectors. On and off periods are then matched against the
/// plan: a cadenced tone is confirmed after `cycles` on-periods with the off-periods between
/// them, each within tolerance; a continuous tone after its on-time, and only once it has
/// outlasted every cadenced on-period at its frequency.
public final class CallProgressDetector {
    /// One frequency or pair that some plan tones share, with its Goertzel filters.
    private struct Band {
        var first: UnsafeMutablePointer<goertzel_state_t>
        var second: UnsafeMutablePointer<goertzel_state_t>?
        var segmenter: ToneSegmenter
    }

    private struct Tracker {
        let spec: ToneSpec
        let band: Int
        let on: ClosedRange<Int>
        let off: ClosedRange<Int>
        /// For a continuous tone: how long it must last, which is longer than any on-period of
        /// a cadenced tone at the same frequency (China's dial tone and ringback are both 450 Hz).
        var continuousAfter = 0
        var confirmed = false
    }

    private static let block = 128
    private static let purity: Float = 0.5

    private var bands: [Band] = []
    private var trackers: [Tracker] = []
    private let handler: (CallProgressEvent) -> Void
    private var aligner = BlockAligner(blockSamples: CallProgressDetector.block)
    private var energy: Float = 0
    private let floorEnergy: Float

    public var clock: Int { aligner.clock }

    /// Whether the latest blocks are one of the plan's tones (confirmed or not): lets a caller
    /// tell a voice from ringback or dial tone.
    public var hearingTone: Bool {
        // A plain loop: closure-taking algorithms allocate in unoptimised builds, and this runs
        // every frame.
        for b in bands.indices where bands[b].segmenter.current.isOn { return true }
        return false
    }

    /// `floorDBm0`: blocks quieter than this are never tone.
    public init(plan: TonePlan = .china, floorDBm0: Double = -42, handler: @escaping (CallProgressEvent) -> Void) {
        self.handler = handler
        let floorRMS = Float(Level.rms(dBm0: floorDBm0))
        floorEnergy = floorRMS * floorRMS * Float(Self.block)
        var keys: [[Int]] = []
        for spec in plan.tones {
            let key = [spec.frequency, spec.secondFrequency]
            if !keys.contains(key) {
                keys.append(key)
                bands.append(Band(first: Self.filter(spec.frequency),
                                  second: spec.secondFrequency == 0 ? nil : Self.filter(spec.secondFrequency),
                                  segmenter: ToneSegmenter(capacity: 2 * max(plan.tones.map(\.cycles).max() ?? 1, 1) + 2)))
            }
            trackers.append(Tracker(spec: spec, band: keys.firstIndex(of: key)!,
                                    on: Self.samples(spec.range(spec.onMs)), off: Self.samples(spec.range(spec.offMs))))
        }
        for t in trackers.indices where trackers[t].spec.isContinuous {
            let longestCadencedOn = trackers.filter { $0.band == trackers[t].band && !$0.spec.isContinuous }.map(\.on.upperBound).max() ?? 0
            trackers[t].continuousAfter = max(SampleClock.samples(ms: trackers[t].spec.onMs), longestCadencedOn + Self.block)
        }
    }

    deinit {
        for band in bands {
            goertzel_free(band.first)
            if let second = band.second { goertzel_free(second) }
        }
    }

    private static func filter(_ hz: Int) -> UnsafeMutablePointer<goertzel_state_t> {
        var descriptor = goertzel_descriptor_t()
        make_goertzel_descriptor(&descriptor, Float(hz), Int32(block))
        return goertzel_init(nil, &descriptor)!
    }

    private static func samples(_ ms: ClosedRange<Int>) -> ClosedRange<Int> {
        SampleClock.samples(ms: ms.lowerBound)...SampleClock.samples(ms: ms.upperBound)
    }

    public func process(_ samples: UnsafeBufferPointer<Int16>) {
        guard let base = samples.baseAddress else { return }
        aligner.forEachPiece(count: samples.count) { offset, length, end in
            energy += Signal.energy(base + offset, count: length)
            for b in bands.indices {
                _ = goertzel_update(bands[b].first, base + offset, Int32(length))
                if let second = bands[b].second { _ = goertzel_update(second, base + offset, Int32(length)) }
            }
            if end % Self.block == 0 { blockEnded(at: end) }
        }
    }

    /// Reports a confirmed tone that is still sounding when the input stops.
    public func finish() {
        for t in trackers.indices where trackers[t].confirmed { end(t, at: clock) }
    }

    private func blockEnded(at end: Int) {
        let total = energy * Float(Self.block)
        energy = 0
        var best = -1
        var bestPurity = Self.purity
        for b in bands.indices {
            let r1 = goertzel_result(bands[b].first)
            let r2 = bands[b].second.map { goertzel_result($0) } ?? 0
            guard total > floorEnergy * Float(Self.block) else { continue }
            // Both tones of a pair must be there, within 10 dB of each other.
            if bands[b].second != nil && min(r1, r2) < 0.1 * max(r1, r2) { continue }
            let p = (r1 + r2) / total
            if p >= bestPurity { bestPurity = p; best = b }
        }
        for b in bands.indices {
            let completed = bands[b].segmenter.feed(isOn: b == best, blockStart: end - Self.block, end: end)
            for t in trackers.indices where trackers[t].band == b {
                if let completed { periodCompleted(t, completed) }
                periodContinues(t, bands[b].segmenter.current, at: end)
            }
        }
    }

    private func periodCompleted(_ t: Int, _ period: ToneSegmenter.Period) {
        let tracker = trackers[t]
        let history = bands[tracker.band].segmenter.history
        if tracker.confirmed {
            let fits = tracker.spec.isContinuous ? !period.isOn : (period.isOn ? tracker.on : tracker.off).contains(period.duration)
            if !fits { end(t, at: period.end) }
            return
        }
        guard !tracker.spec.isContinuous, tracker.spec.cycles > 1, period.isOn else { return }
        // Newest first: on, off, on, … — 2·cycles − 1 periods, each within tolerance.
        let needed = 2 * tracker.spec.cycles - 1
        guard history.count >= needed else { return }
        let first = history.count - needed
        for i in first..<history.count {
            let p = history[i]
            guard p.isOn == ((i - first) % 2 == 0), (p.isOn ? tracker.on : tracker.off).contains(p.duration) else { return }
        }
        confirm(t, onset: history[first].start, at: period.end + 2 * Self.block)
    }

    private func periodContinues(_ t: Int, _ current: ToneSegmenter.Period, at now: Int) {
        let tracker = trackers[t]
        let limit = current.isOn ? tracker.on.upperBound : tracker.off.upperBound
        if tracker.confirmed {
            if !tracker.spec.isContinuous && current.duration > limit { end(t, at: now) }
            return
        }
        if tracker.spec.isContinuous {
            if current.isOn && current.duration >= tracker.continuousAfter { confirm(t, onset: current.start, at: now) }
        } else if tracker.spec.cycles == 1, !current.isOn, tracker.off.contains(current.duration),
                  let last = bands[tracker.band].segmenter.history.last, last.isOn, tracker.on.contains(last.duration) {
            confirm(t, onset: last.start, at: now)
        }
    }

    private func confirm(_ t: Int, onset: Int, at: Int) {
        trackers[t].confirmed = true
        handler(.confirmed(CallProgressDetection(kind: trackers[t].spec.kind, onsetSample: onset, confirmedSample: at)))
    }

    private func end(_ t: Int, at: Int) {
        trackers[t].confirmed = false
        handler(.ended(trackers[t].spec.kind, atSample: at))
    }
}
