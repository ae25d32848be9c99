import CSpanDSP

public enum FaxTone: String, Sendable, Codable, CaseIterable {
    /// 1100 Hz calling tone from a sending fax machine.
    case cng
    /// 2100 Hz answer tone (or V.21 preamble) from an answering fax machine.
    case ced
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

/// CNG and CED detection with SpanDSP's `modem_connect_tones_rx` (one receiver each). SpanDSP
/// only says when it is sure; the onset is the start of the burst it is sure of, found by a
/// 10 ms energy gate.
public final class FaxToneDetector {
    private var receivers: [(tone: FaxTone, state: UnsafeMutablePointer<modem_connect_tones_rx_state_t>)] = []
    private let handler: (FaxToneEvent) -> Void
    private var aligner = BlockAligner(blockSamples: 80)
    private var pieceEnd = 0
    private var burstStart = 0
    private var wasQuiet = true
    private var cngPresent = false
    private var cedPresent = false
    private static let quietEnergy = Level.rms(dBm0: -50) * Level.rms(dBm0: -50)

    public var clock: Int { aligner.clock }

    public init(tones: Set<FaxTone> = [.cng, .ced], handler: @escaping (FaxToneEvent) -> Void) {
        self.handler = handler
        for tone in FaxTone.allCases where tones.contains(tone) {
            let kind = Int32(tone == .cng ? MODEM_CONNECT_TONES_FAX_CNG : MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE)
            let box = Unmanaged.passUnretained(self).toOpaque()
            let callback: tone_report_func_t = tone == .cng
                ? { ud, code, _, _ in Unmanaged<FaxToneDetector>.fromOpaque(ud!).takeUnretainedValue().changed(.cng, on: code != 0) }
                : { ud, code, _, _ in Unmanaged<FaxToneDetector>.fromOpaque(ud!).takeUnretainedValue().changed(.ced, on: code != 0) }
            receivers.append((tone, modem_connect_tones_rx_init(nil, kind, callback, box)!))
        }
    }

    deinit {
        for r in receivers { modem_connect_tones_rx_free(r.state) }
    }

    public func process(_ samples: UnsafeBufferPointer<Int16>) {
        guard let base = samples.baseAddress else { return }
        aligner.forEachPiece(count: samples.count) { offset, length, end in
            pieceEnd = end
            var energy = 0.0
            for i in offset..<(offset + length) { energy += Double(base[i]) * Double(base[i]) }
            let quiet = energy / Double(length) < Self.quietEnergy
            if wasQuiet && !quiet { burstStart = end - length }
            wasQuiet = quiet
            for r in receivers { _ = modem_connect_tones_rx(r.state, base + offset, Int32(length)) }
        }
    }

    private func changed(_ tone: FaxTone, on: Bool) {
        let wasOn = tone == .cng ? cngPresent : cedPresent
        guard wasOn != on else { return }
        if tone == .cng { cngPresent = on } else { cedPresent = on }
        if on {
            handler(.detected(FaxToneDetection(tone: tone, onsetSample: burstStart, confirmedSample: pieceEnd)))
        } else {
            handler(.ended(tone, atSample: pieceEnd))
        }
    }
}
