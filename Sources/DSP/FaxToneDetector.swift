import CSpanDSP

public enum FaxTone: String, Sendable, Codable, CaseIterable {
    /// 1100 Hz calling tone from a sending fax machine.
    case cng
    /// 2100 Hz answer tone (or V.21 preamble) from an answering fax machine.
    case ced

    var frequency: Float { self == .cng ? 1100 : 2100 }
}

public struct FaxToneDetection: Sendable, Equatable, Codable {
    public var tone: FaxTone
    public var onsetSample: Int
    public var confirmedSample: Int
}

public enum FaxToneEvent: Sendable, Equatable {
    case detected(FaxToneDetection)
    case ended(FaxTone, atSample: Int)
}

/// CNG and CED detection with SpanDSP's `modem_connect_tones_rx` (one receiver each), which
/// decides. SpanDSP only says when it is sure; the onset is the start of the burst it is sure
/// of, found by a Goertzel filter at the tone's frequency (a block counts when most of its
/// energy is that tone), so background noise does not hide it.
public final class FaxToneDetector {
    private struct Receiver {
        var tone: FaxTone
        var state: UnsafeMutablePointer<modem_connect_tones_rx_state_t>
        var filter: UnsafeMutablePointer<goertzel_state_t>
        var segmenter = ToneSegmenter(capacity: 1)
        var present = false
    }

    private static let block = 128
    private var receivers: [Receiver] = []
    private let handler: (FaxToneEvent) -> Void
    private var aligner = BlockAligner(blockSamples: FaxToneDetector.block)
    private var pieceEnd = 0
    private var energy: Float = 0

    public var clock: Int { aligner.clock }

    public init(tones: Set<FaxTone> = [.cng, .ced], handler: @escaping (FaxToneEvent) -> Void) {
        self.handler = handler
        let me = Unmanaged.passUnretained(self).toOpaque()
        for tone in FaxTone.allCases where tones.contains(tone) {
            let kind = Int32(tone == .cng ? MODEM_CONNECT_TONES_FAX_CNG : MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE)
            let callback: tone_report_func_t = tone == .cng
                ? { ud, code, _, _ in Unmanaged<FaxToneDetector>.fromOpaque(ud!).takeUnretainedValue().changed(.cng, on: code != 0) }
                : { ud, code, _, _ in Unmanaged<FaxToneDetector>.fromOpaque(ud!).takeUnretainedValue().changed(.ced, on: code != 0) }
            var descriptor = goertzel_descriptor_t()
            make_goertzel_descriptor(&descriptor, tone.frequency, Int32(Self.block))
            receivers.append(Receiver(tone: tone, state: modem_connect_tones_rx_init(nil, kind, callback, me)!,
                                      filter: goertzel_init(nil, &descriptor)!))
        }
    }

    deinit {
        for r in receivers {
            modem_connect_tones_rx_free(r.state)
            goertzel_free(r.filter)
        }
    }

    public func process(_ samples: UnsafeBufferPointer<Int16>) {
        guard let base = samples.baseAddress else { return }
        aligner.forEachPiece(count: samples.count) { offset, length, end in
            pieceEnd = end
            for i in offset..<(offset + length) { energy += Float(base[i]) * Float(base[i]) }
            for r in receivers.indices {
                _ = goertzel_update(receivers[r].filter, base + offset, Int32(length))
                _ = modem_connect_tones_rx(receivers[r].state, base + offset, Int32(length))
            }
            if end % Self.block == 0 {
                let total = energy * Float(Self.block)
                energy = 0
                for r in receivers.indices {
                    let isOn = total > 0 && goertzel_result(receivers[r].filter) >= 0.5 * total
                    _ = receivers[r].segmenter.feed(isOn: isOn, blockStart: end - Self.block, end: end)
                }
            }
        }
    }

    private func changed(_ tone: FaxTone, on: Bool) {
        guard let r = receivers.firstIndex(where: { $0.tone == tone }), receivers[r].present != on else { return }
        receivers[r].present = on
        if on {
            let burst = receivers[r].segmenter.current
            handler(.detected(FaxToneDetection(tone: tone, onsetSample: burst.isOn ? burst.start : pieceEnd, confirmedSample: pieceEnd)))
        } else {
            handler(.ended(tone, atSample: pieceEnd))
        }
    }
}
