import CSpanDSP

/// A single or dual tone with an optional two-step cadence, as SpanDSP's tone generator plays it.
public struct ToneSignal: Sendable, Equatable, Codable {
    public var frequency: Int
    public var levelDBm0: Int
    /// Second frequency for a dual tone, 0 for a single tone.
    public var secondFrequency: Int = 0
    public var secondLevelDBm0: Int = 0
    /// On/off times in ms; all zero plays a continuous tone.
    public var onMs: Int = 0
    public var offMs: Int = 0
    public var secondOnMs: Int = 0
    public var secondOffMs: Int = 0
    public var repeats: Bool = true

    public init(frequency: Int, levelDBm0: Int, secondFrequency: Int = 0, secondLevelDBm0: Int = 0,
                onMs: Int = 0, offMs: Int = 0, secondOnMs: Int = 0, secondOffMs: Int = 0, repeats: Bool = true) {
        self.frequency = frequency
        self.levelDBm0 = levelDBm0
        self.secondFrequency = secondFrequency
        self.secondLevelDBm0 = secondLevelDBm0
        self.onMs = onMs
        self.offMs = offMs
        self.secondOnMs = secondOnMs
        self.secondOffMs = secondOffMs
        self.repeats = repeats
    }

    /// The tone a plan entry sounds like at `levelDBm0`.
    public init(_ spec: ToneSpec, levelDBm0: Int) {
        self.init(frequency: spec.frequency, levelDBm0: levelDBm0,
                  secondFrequency: spec.secondFrequency, secondLevelDBm0: levelDBm0,
                  onMs: spec.isContinuous ? 0 : spec.onMs, offMs: spec.offMs)
    }
}

/// Owner of a SpanDSP `tone_gen_state_t`.
public final class ToneGenerator {
    private let state: UnsafeMutablePointer<tone_gen_state_t>

    public init(_ tone: ToneSignal) {
        var descriptor = tone_gen_descriptor_t()
        // SpanDSP has no "continuous" flag: a repeating on-section with no off-section plays
        // without a break.
        let continuous = tone.onMs == 0 && tone.offMs == 0
        tone_gen_descriptor_init(&descriptor,
                                 Int32(tone.frequency), Int32(tone.levelDBm0),
                                 Int32(tone.secondFrequency), Int32(tone.secondLevelDBm0),
                                 Int32(continuous ? 1000 : tone.onMs), Int32(tone.offMs),
                                 Int32(tone.secondOnMs), Int32(tone.secondOffMs),
                                 (tone.repeats || continuous) ? 1 : 0)
        state = tone_gen_init(nil, &descriptor)!
    }

    deinit { tone_gen_free(state) }

    /// Fills `buffer`; returns the samples written (fewer when a non-repeating cadence ended).
    @discardableResult
    public func generate(into buffer: UnsafeMutableBufferPointer<Int16>) -> Int {
        Int(tone_gen(state, buffer.baseAddress, Int32(buffer.count)))
    }
}
