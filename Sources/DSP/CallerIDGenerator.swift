import CSpanDSP

public enum CallerIDGeneratorError: Error, Equatable, CustomStringConvertible {
    case notDigits(String)
    case tooLong(String)

    public var description: String {
        switch self {
        case .notDigits(let s): "DTMF caller ID can only carry digits, got \"\(s)\""
        case .tooLong(let s): "caller-ID field too long: \"\(s)\""
        }
    }
}

/// Owner of a SpanDSP `adsi_tx_state_t`: renders a caller-ID message as line audio.
public final class CallerIDGenerator {
    private let state: UnsafeMutablePointer<adsi_tx_state_t>
    public let standard: CallerIDStandard

    /// FSK is sent at −13 dBm0 by default (YDN 069 allows −5 … −30); DTMF at −10 dBm0 per tone.
    public init(standard: CallerIDStandard, levelDBm0: Double? = nil) {
        _ = spanDSPTablesReady
        self.standard = standard
        state = adsi_tx_init(nil, standard.adsiStandard)!
        cspandsp_adsi_tx_set_level(state, Float(levelDBm0 ?? (standard.isFSK ? -13 : -10)))
    }

    deinit { adsi_tx_free(state) }

    /// The whole spill for `id` (its `standard` is ignored in favour of the generator's).
    public func render(_ id: CallerID) throws(CallerIDGeneratorError) -> [Int16] {
        let message = try encode(id)
        let queued = message.withUnsafeBufferPointer { adsi_tx_put_message(state, $0.baseAddress, Int32($0.count)) }
        guard queued > 0 else { throw .tooLong(id.name ?? id.number ?? "") }
        var audio: [Int16] = []
        var chunk = [Int16](repeating: 0, count: 160)
        // Bound: the longest MDMF spill is well under 3 s.
        for _ in 0..<(3 * SampleClock.rate / 160) {
            let n = chunk.withUnsafeMutableBufferPointer { Int(adsi_tx(state, $0.baseAddress, 160)) }
            if n <= 0 { break }
            audio.append(contentsOf: chunk[0..<n])
        }
        return audio
    }

    func encode(_ id: CallerID) throws(CallerIDGeneratorError) -> [UInt8] {
        var message = [UInt8](repeating: 0, count: 256)
        var length: Int32 = 0
        func add(_ type: UInt8, _ text: String) throws(CallerIDGeneratorError) {
            let body = Array(text.utf8)
            guard body.count < 80 else { throw .tooLong(text) }
            length = body.withUnsafeBufferPointer { b in
                message.withUnsafeMutableBufferPointer { adsi_add_field(state, $0.baseAddress, length, type, b.baseAddress, Int32(b.count)) }
            }
        }
        let stamp = (id.dateTime ?? CallerIDDateTime(month: 1, day: 1, hour: 0, minute: 0)).description
        switch standard {
        case .dtmf:
            try add(UInt8(ascii: "C"), "")
            if let number = id.number {
                guard number.allSatisfy(\.isNumber) else { throw .notDigits(number) }
                try add(UInt8(ascii: "A"), number)
            } else {
                try add(UInt8(ascii: "B"), (id.numberAbsence ?? .unavailable).dtmfCode)
            }
        case .bell202 where id.format == .sdmf:
            try add(CallerIDMessageType.sdmf, "")
            try add(0, stamp + (id.number ?? (id.numberAbsence ?? .unavailable).fskCode))
        case .bell202, .v23:
            try add(CallerIDMessageType.mdmf, "")
            try add(CallerIDField.dateTime.rawValue, stamp)
            if let number = id.number { try add(CallerIDField.number.rawValue, number) }
            else { try add(CallerIDField.numberAbsence.rawValue, (id.numberAbsence ?? .unavailable).fskCode) }
            if let name = id.name { try add(CallerIDField.name.rawValue, name) }
            else if let absence = id.nameAbsence { try add(CallerIDField.nameAbsence.rawValue, absence.fskCode) }
        }
        return Array(message[0..<Int(length)])
    }
}
