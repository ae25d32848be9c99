import CSpanDSP

public enum FaxTone: String, Sendable, Codable, CaseIterable {
    /// 1100 Hz calling tone from a sending fax machine.
    case cng
    /// 2100 Hz answer tone (or V.21 preamble) from an answering fax machine.
    case ced

    var frequency: Int { self == .cng ? 1100 : 2100 }
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
/// of, found by a `ToneListener` at the tone's frequency, so background noise does not hide it.
public final class FaxToneDetector {
    private struct Receiver {
        var tone: FaxTone
        var kind: Int32
        var callback: tone_report_func_t
        var state: UnsafeMutablePointer<modem_connect_tones_rx_state_t>
        var listener: ToneListener
        var present = false
        var listening = true
    }

    private var receivers: [Receiver] = []
    private let handler: (FaxToneEvent) -> Void
    private var aligner = BlockAligner(blockSamples: 80)
    private var pieceEnd = 0

    public var clock: Int { aligner.clock }

    public init(tones: Set<FaxTone> = [.cng, .ced], handler: @escaping (FaxToneEvent) -> Void) {
        self.handler = handler
        let me = Unmanaged.passUnretained(self).toOpaque()
        for tone in FaxTone.allCases where tones.contains(tone) {
            let kind = Int32(tone == .cng ? MODEM_CONNECT_TONES_FAX_CNG : MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE)
            let callback: tone_report_func_t = tone == .cng
                ? { ud, code, _, _ in Unmanaged<FaxToneDetector>.fromOpaque(ud!).takeUnretainedValue().changed(.cng, on: code != 0) }
                : { ud, code, _, _ in Unmanaged<FaxToneDetector>.fromOpaque(ud!).takeUnretainedValue().changed(.ced, on: code != 0) }
            receivers.append(Receiver(tone: tone, kind: kind, callback: callback, state: modem_connect_tones_rx_init(nil, kind, callback, me)!,
                                      listener: ToneListener(hz: Double(tone.frequency), floorDBm0: -99)))
        }
    }

    deinit {
        for r in receivers { modem_connect_tones_rx_free(r.state) }
    }

    /// Runs the one receiver a call needs: a fax machine that calls the box sends CNG, one the
    /// box calls answers with CED. The CED receiver demodulates V.21 as well, which costs more
    /// than every other detector on the line together. A receiver switched back on starts
    /// afresh; its listener has kept time meanwhile, so onsets stay on this detector's clock.
    public func listen(for tone: FaxTone) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        for r in receivers.indices {
            let on = receivers[r].tone == tone
            if on && !receivers[r].listening {
                _ = modem_connect_tones_rx_init(receivers[r].state, receivers[r].kind, receivers[r].callback, me)
            }
            receivers[r].listening = on
            receivers[r].present = receivers[r].present && on
        }
    }

    public func process(_ samples: UnsafeBufferPointer<Int16>) {
        guard let base = samples.baseAddress else { return }
        aligner.forEachPiece(count: samples.count) { offset, length, end in
            pieceEnd = end
            let piece = UnsafeBufferPointer(start: base + offset, count: length)
            for r in receivers.indices {
                if receivers[r].listening {
                    receivers[r].listener.process(piece)
                    _ = modem_connect_tones_rx(receivers[r].state, base + offset, Int32(length))
                } else {
                    receivers[r].listener.skip(length)
                }
            }
        }
    }

    private func changed(_ tone: FaxTone, on: Bool) {
        guard let r = receivers.firstIndex(where: { $0.tone == tone }), receivers[r].present != on else { return }
        receivers[r].present = on
        if on {
            let listener = receivers[r].listener
            handler(.detected(FaxToneDetection(tone: tone, onsetSample: listener.isOn ? listener.periodStart : pieceEnd, confirmedSample: pieceEnd)))
        } else {
            handler(.ended(tone, atSample: pieceEnd))
        }
    }
}
