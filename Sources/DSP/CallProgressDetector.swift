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

/// Frequency-selective cadence detector over SpanDSP's `super_tone_rx`: each 16 ms block is
/// classified by Goertzel filters at the plan's frequencies, and only a block whose energy is
/// concentrated in those bins counts as "tone". Speech, DTMF and noise count as "not tone", so
/// they cannot fake a busy cadence the way loudness-only detectors are fooled. On top of
/// SpanDSP's one-cycle match, each further on and off period is checked against the plan until
/// the tone's `cycles` are heard.
public final class CallProgressDetector {
    private let descriptor: UnsafeMutablePointer<super_tone_rx_descriptor_t>
    private var state: UnsafeMutablePointer<super_tone_rx_state_t>!
    private let tones: [ToneSpec]
    private let handler: (CallProgressEvent) -> Void
    private let block = Int(cspandsp_super_tone_block_samples())
    private var aligner: BlockAligner
    private var pieceEnd = 0

    /// Start samples of the most recent segments (tone or not-tone), newest last.
    private var boundaries: (Int, Int, Int, Int) = (0, 0, 0, 0)
    private var detected: Int?
    private var detectedOnset = 0
    private var segmentsVerified = 0
    private var confirmed = false

    /// A bin SpanDSP may compare against when a plan uses a single frequency: with only one
    /// monitored frequency, super_tone_rx reads its second-best bin from uninitialised memory.
    private static let guardFrequency: Int32 = 1850

    public var clock: Int { aligner.clock }

    public init(plan: TonePlan = .china, handler: @escaping (CallProgressEvent) -> Void) {
        tones = plan.tones
        self.handler = handler
        aligner = BlockAligner(blockSamples: block)
        descriptor = super_tone_rx_make_descriptor(nil)!
        for tone in tones {
            let id = super_tone_rx_add_tone(descriptor)
            let on = tone.range(tone.onMs)
            if tone.isContinuous {
                super_tone_rx_add_element(descriptor, id, Int32(tone.frequency), Int32(tone.secondFrequency), Int32(tone.onMs), 0)
            } else {
                let off = tone.range(tone.offMs)
                super_tone_rx_add_element(descriptor, id, Int32(tone.frequency), Int32(tone.secondFrequency), Int32(on.lowerBound), Int32(on.upperBound))
                super_tone_rx_add_element(descriptor, id, 0, 0, Int32(off.lowerBound), Int32(off.upperBound))
            }
        }
        let guardTone = super_tone_rx_add_tone(descriptor)
        super_tone_rx_add_element(descriptor, guardTone, Self.guardFrequency, 0, 600_000, 0)

        let me = Unmanaged.passUnretained(self).toOpaque()
        state = super_tone_rx_init(nil, descriptor, { ud, code, _, _ in
            Unmanaged<CallProgressDetector>.fromOpaque(ud!).takeUnretainedValue().toneChanged(code: Int(code))
        }, me)!
        super_tone_rx_segment_callback(state, { ud, f1, _, duration in
            Unmanaged<CallProgressDetector>.fromOpaque(ud!).takeUnretainedValue().segmentEnded(isTone: f1 >= 0, ms: Int(duration))
        })
    }

    deinit {
        super_tone_rx_free(state)
        super_tone_rx_free_descriptor(descriptor)
    }

    public func process(_ samples: UnsafeBufferPointer<Int16>) {
        guard let base = samples.baseAddress else { return }
        aligner.forEachPiece(count: samples.count) { offset, length, end in
            pieceEnd = end
            _ = super_tone_rx(state, base + offset, Int32(length))
        }
    }

    /// Reports a confirmed tone that is still sounding when the input stops.
    public func finish() {
        if confirmed, let d = detected {
            handler(.ended(tones[d].kind, atSample: clock))
        }
        detected = nil
        confirmed = false
    }

    private func toneChanged(code: Int) {
        if code < 0 || code >= tones.count {
            if confirmed, let d = detected { handler(.ended(tones[d].kind, atSample: pieceEnd)) }
            detected = nil
            confirmed = false
            return
        }
        detected = code
        let tone = tones[code]
        // The match spans the segments of one cycle: the current one, plus the on-period before
        // it for a cadenced tone.
        detectedOnset = tone.isContinuous ? boundaries.3 : boundaries.2
        segmentsVerified = 0
        confirmed = false
        if tone.isContinuous || tone.cycles <= 1 { confirm(tone) }
    }

    private func segmentEnded(isTone: Bool, ms: Int) {
        // SpanDSP changes segment on the second block that disagrees with the old one.
        let start = max(0, pieceEnd - 2 * block)
        boundaries = (boundaries.1, boundaries.2, boundaries.3, start)
        guard let d = detected, !confirmed else { return }
        let tone = tones[d]
        let expected = isTone ? tone.range(tone.onMs) : tone.range(tone.offMs)
        if expected.contains(ms) {
            segmentsVerified += 1
            if segmentsVerified >= 2 * (tone.cycles - 1) { confirm(tone) }
        } else {
            // A period off the plan: wait for SpanDSP to lose and re-find the cadence.
            segmentsVerified = Int.min / 2
        }
    }

    private func confirm(_ tone: ToneSpec) {
        confirmed = true
        handler(.confirmed(CallProgressDetection(kind: tone.kind, onsetSample: detectedOnset, confirmedSample: pieceEnd)))
    }
}
