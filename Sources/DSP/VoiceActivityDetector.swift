/// Speech/silence thresholds in dBm0, with hysteresis, attack and hangover.
public struct VoiceActivityConfig: Sendable, Equatable, Codable {
    /// Level above which speech may begin.
    public var speechThresholdDBm0: Double = -36
    /// Level below which silence may begin (keep it below the speech threshold).
    public var silenceThresholdDBm0: Double = -42
    /// How long the level must stay above the speech threshold before speech is declared.
    public var attackMs: Int = 40
    /// How long the level must stay below the silence threshold before silence is declared:
    /// bridges the gaps between words.
    public var hangoverMs: Int = 500

    public init(speechThresholdDBm0: Double = -36, silenceThresholdDBm0: Double = -42, attackMs: Int = 40, hangoverMs: Int = 500) {
        self.speechThresholdDBm0 = speechThresholdDBm0
        self.silenceThresholdDBm0 = silenceThresholdDBm0
        self.attackMs = attackMs
        self.hangoverMs = hangoverMs
    }
}

public enum VoiceActivity: String, Sendable, Codable {
    case speech, silence
}

/// Speech/silence decision on a SpanDSP power meter, evaluated every 10 ms. A change is reported
/// with the sample at which it actually began (when the level first crossed), not when the
/// attack or hangover expired.
public final class VoiceActivityDetector {
    public let config: VoiceActivityConfig
    private let meter = PowerMeter(shift: 6)
    private let handler: (VoiceActivity, Int) -> Void
    private var aligner = BlockAligner(blockSamples: 80)
    public private(set) var activity: VoiceActivity = .silence
    private var crossingSince: Int?

    public var clock: Int { aligner.clock }
    public var levelDBm0: Double { meter.levelDBm0 }

    /// `handler(activity, sample)` on each change.
    public init(config: VoiceActivityConfig = .init(), handler: @escaping (VoiceActivity, Int) -> Void) {
        self.config = config
        self.handler = handler
    }

    public func process(_ samples: UnsafeBufferPointer<Int16>) {
        guard let base = samples.baseAddress else { return }
        aligner.forEachPiece(count: samples.count) { offset, length, end in
            meter.update(UnsafeBufferPointer(start: base + offset, count: length))
            evaluate(at: end, piece: length)
        }
    }

    private func evaluate(at now: Int, piece: Int) {
        let level = meter.levelDBm0
        let crossing = activity == .silence ? level > config.speechThresholdDBm0 : level < config.silenceThresholdDBm0
        guard crossing else {
            crossingSince = nil
            return
        }
        let since = crossingSince ?? (now - piece)
        crossingSince = since
        let needed = SampleClock.samples(ms: activity == .silence ? config.attackMs : config.hangoverMs)
        if now - since >= needed {
            activity = activity == .silence ? .speech : .silence
            crossingSince = nil
            handler(activity, since)
        }
    }
}
