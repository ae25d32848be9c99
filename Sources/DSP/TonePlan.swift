/// The call-progress tones a detector listens for.
public enum CallProgressTone: String, Sendable, Codable, CaseIterable {
    case dial, busy, congestion, ringback
}

/// One tone of a national plan: frequency (or pair) and cadence. Durations in ms.
public struct ToneSpec: Sendable, Equatable, Codable {
    public var kind: CallProgressTone
    public var frequency: Int
    public var secondFrequency: Int = 0
    /// On and off times of one cadence cycle; offMs 0 means a continuous tone.
    public var onMs: Int
    public var offMs: Int = 0
    /// Accepted deviation of each on or off period, as a fraction of it.
    public var tolerance: Double = 0.25
    /// Cadence cycles that must be heard before the tone is reported (like chan_dahdi's
    /// busycount, but each cycle is also checked for frequency). For a continuous tone, the
    /// on-time is how long it must last.
    public var cycles: Int = 1

    public init(kind: CallProgressTone, frequency: Int, secondFrequency: Int = 0, onMs: Int, offMs: Int = 0,
                tolerance: Double = 0.25, cycles: Int = 1) {
        self.kind = kind
        self.frequency = frequency
        self.secondFrequency = secondFrequency
        self.onMs = onMs
        self.offMs = offMs
        self.tolerance = tolerance
        self.cycles = cycles
    }

    public var isContinuous: Bool { offMs == 0 }

    /// The accepted range of a period of `ms`. SpanDSP measures in 16 ms blocks and smooths
    /// one-block glitches, so a fixed 40 ms slack is added to the proportional tolerance.
    func range(_ ms: Int) -> ClosedRange<Int> {
        let slack = Int(Double(ms) * tolerance) + 40
        return max(0, ms - slack)...(ms + slack)
    }
}

/// A national tone plan.
public struct TonePlan: Sendable, Equatable, Codable {
    public var name: String
    public var tones: [ToneSpec]

    public init(name: String, tones: [ToneSpec]) {
        self.name = name
        self.tones = tones
    }

    /// China (ITU-T E.180 supplement, SpanDSP's global-tones.xml, dahdi zonedata "cn").
    public static let china = TonePlan(name: "cn", tones: [
        ToneSpec(kind: .dial, frequency: 450, onMs: 1000),
        ToneSpec(kind: .busy, frequency: 450, onMs: 350, offMs: 350, cycles: 2),
        ToneSpec(kind: .congestion, frequency: 450, onMs: 700, offMs: 700, cycles: 2),
        ToneSpec(kind: .ringback, frequency: 450, onMs: 1000, offMs: 4000),
    ])

    /// Problems that would make the plan ambiguous or undetectable, for configuration errors.
    public func problems() -> [String] {
        var out: [String] = []
        for t in tones {
            if !(100...3400).contains(t.frequency) { out.append("\(t.kind.rawValue): frequency \(t.frequency) Hz is outside 100-3400 Hz") }
            if t.secondFrequency != 0 && !(100...3400).contains(t.secondFrequency) { out.append("\(t.kind.rawValue): second frequency \(t.secondFrequency) Hz is outside 100-3400 Hz") }
            if t.onMs < 100 { out.append("\(t.kind.rawValue): on-time \(t.onMs) ms is shorter than 100 ms") }
            if t.cycles < 1 { out.append("\(t.kind.rawValue): cycles must be at least 1") }
            if !(0.0...0.5).contains(t.tolerance) { out.append("\(t.kind.rawValue): tolerance \(t.tolerance) is outside 0-0.5") }
        }
        for (i, a) in tones.enumerated() {
            for b in tones[(i + 1)...] where a.frequency == b.frequency && a.secondFrequency == b.secondFrequency && a.isContinuous == b.isContinuous {
                if !a.isContinuous && a.range(a.onMs).overlaps(b.range(b.onMs)) && a.range(a.offMs).overlaps(b.range(b.offMs)) {
                    out.append("\(a.kind.rawValue) and \(b.kind.rawValue) have overlapping cadences")
                }
                if a.isContinuous { out.append("\(a.kind.rawValue) and \(b.kind.rawValue) are the same continuous tone") }
            }
        }
        return out
    }
}
