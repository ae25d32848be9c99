import CSpanDSP

/// One DTMF digit as heard on the line: when it began and ended (samples on the detector's
/// clock) and its level.
public struct DTMFDigit: Sendable, Equatable {
    public var digit: Character
    public var startSample: Int
    public var endSample: Int
    public var levelDBm0: Int

    public init(digit: Character, startSample: Int, endSample: Int, levelDBm0: Int) {
        self.digit = digit
        self.startSample = startSample
        self.endSample = endSample
        self.levelDBm0 = levelDBm0
    }
}

public enum DTMFEvent: Sendable, Equatable {
    /// A digit was recognised; it is still sounding. Use this for barge-in.
    case began(digit: Character, startSample: Int, levelDBm0: Int)
    /// The digit stopped.
    case ended(DTMFDigit)
}

/// Detector tuning. Twist limits are 1 dB wider than SpanDSP's 8/4 dB defaults: SpanDSP's
/// measured limit sits exactly on 8/4 dB, so a phone with a full 8 dB (low group louder) or
/// 4 dB (high group louder) twist would be missed on some digits. 120 s of Mandarin speech
/// still gives no talk-off with these settings (see DTMFDetectorTests).
public struct DTMFDetectorConfig: Sendable, Equatable {
    /// Normal twist: how much louder the low group may be.
    public var twistDB: Int = 9
    /// Reverse twist: how much louder the high group may be.
    public var reverseTwistDB: Int = 5
    public var thresholdDBm0: Int = -42
    /// Notch out the local dial tone before detection (450 Hz for China; nil for none).
    public var dialToneNotchHz: Double? = 450

    public init(twistDB: Int = 9, reverseTwistDB: Int = 5, thresholdDBm0: Int = -42, dialToneNotchHz: Double? = 450) {
        self.twistDB = twistDB
        self.reverseTwistDB = reverseTwistDB
        self.thresholdDBm0 = thresholdDBm0
        self.dialToneNotchHz = dialToneNotchHz
    }
}

/// Owner of a SpanDSP `dtmf_rx_state_t`. Digits are reported through `handler` from inside
/// `process`, on the caller's thread; steady-state processing does not allocate.
public final class DTMFDetector {
    private let state: UnsafeMutablePointer<dtmf_rx_state_t>
    private let handler: (DTMFEvent) -> Void
    private let block = Int(cspandsp_dtmf_block_samples())
    private var aligner: BlockAligner
    private var notch: ToneNotch?
    private var scratch: UnsafeMutableBufferPointer<Int16>
    private var pieceEnd = 0
    private var current: (digit: Character, start: Int, level: Int)?

    /// Samples consumed so far.
    public var clock: Int { aligner.clock }

    public init(config: DTMFDetectorConfig = .init(), handler: @escaping (DTMFEvent) -> Void) {
        _ = spanDSPTablesReady
        state = dtmf_rx_init(nil, nil, nil)!
        self.handler = handler
        aligner = BlockAligner(blockSamples: block)
        notch = config.dialToneNotchHz.map { ToneNotch(frequency: $0, blockSamples: Int(cspandsp_dtmf_block_samples())) }
        scratch = .allocate(capacity: block)
        dtmf_rx_parms(state, 0, Int32(config.twistDB), Int32(config.reverseTwistDB), Int32(config.thresholdDBm0))
        dtmf_rx_set_realtime_callback(state, { ud, code, level, _ in
            let me = Unmanaged<DTMFDetector>.fromOpaque(ud!).takeUnretainedValue()
            me.report(code: code, level: level)
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        dtmf_rx_free(state)
        scratch.deallocate()
    }

    public func process(_ samples: UnsafeBufferPointer<Int16>) {
        guard let base = samples.baseAddress else { return }
        aligner.forEachPiece(count: samples.count) { offset, length, end in
            pieceEnd = end
            if var filter = notch {
                // A local copy: a class's stored property mutated per piece pays an exclusivity
                // check each time.
                let heard = filter.filter(base + offset, scratch: scratch.baseAddress!, count: length, blockEnds: end % block == 0)
                notch = filter
                _ = dtmf_rx(state, heard, Int32(length))
            } else {
                _ = dtmf_rx(state, base + offset, Int32(length))
            }
        }
    }

    /// Ends a digit still sounding when the input stops (end of a file).
    public func finish() {
        if let c = current {
            handler(.ended(DTMFDigit(digit: c.digit, startSample: c.start, endSample: clock, levelDBm0: c.level)))
            current = nil
        }
    }

    private func report(code: Int32, level: Int32) {
        // SpanDSP declares a change after two agreeing blocks, so the change happened about two
        // blocks before the block that just ended.
        let at = max(0, pieceEnd - 2 * block)
        if let c = current {
            handler(.ended(DTMFDigit(digit: c.digit, startSample: c.start, endSample: at, levelDBm0: c.level)))
            current = nil
        }
        if code != 0, let scalar = Unicode.Scalar(UInt32(code)) {
            let digit = Character(scalar)
            current = (digit, at, Int(level))
            handler(.began(digit: digit, startSample: at, levelDBm0: Int(level)))
        }
    }
}
