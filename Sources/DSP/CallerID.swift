import CSpanDSP

/// Caller-ID signalling standards the box receives and the simulated exchange sends.
public enum CallerIDStandard: String, Sendable, Codable, CaseIterable {
    /// Bell 202 FSK (1200/2200 Hz), SDMF or MDMF: China's YDN 069 and North America.
    case bell202
    /// ITU-T V.23 FSK, ETSI CLIP (MDMF-style parameters).
    case v23
    /// DTMF caller ID, sent before the first ring.
    case dtmf

    var adsiStandard: Int32 {
        switch self {
        case .bell202: Int32(ADSI_STANDARD_CLASS)
        case .v23: Int32(ADSI_STANDARD_CLIP)
        case .dtmf: Int32(ADSI_STANDARD_CLIP_DTMF)
        }
    }

    public var isFSK: Bool { self != .dtmf }
}

/// Single- or multiple-data-message format of an FSK caller-ID spill.
public enum CallerIDFormat: String, Sendable, Codable {
    case sdmf, mdmf
}

/// Why a number or name is missing.
public enum CallerIDAbsence: String, Sendable, Codable {
    case unavailable
    case `private`

    /// The letter FSK caller ID uses ("O" out of area, "P" private).
    var fskCode: String { self == .private ? "P" : "O" }
    /// The digits ETSI DTMF caller ID uses after its absence marker.
    var dtmfCode: String { self == .private ? "10" : "00" }

    init?(fskCode: String) {
        switch fskCode {
        case "P": self = .private
        case "O": self = .unavailable
        default: return nil
        }
    }
}

/// The MMDDHHMM stamp an exchange sends.
public struct CallerIDDateTime: Sendable, Codable, Equatable, CustomStringConvertible {
    public var month, day, hour, minute: Int

    public init(month: Int, day: Int, hour: Int, minute: Int) {
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
    }

    init?(_ text: String) {
        let digits = text.compactMap { $0.wholeNumberValue }
        guard text.count == 8, digits.count == 8 else { return nil }
        month = digits[0] * 10 + digits[1]
        day = digits[2] * 10 + digits[3]
        hour = digits[4] * 10 + digits[5]
        minute = digits[6] * 10 + digits[7]
    }

    /// MMDDHHMM.
    public var description: String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v % 100)" }
        return two(month) + two(day) + two(hour) + two(minute)
    }
}

/// One decoded (or to-be-sent) caller-ID message.
public struct CallerID: Sendable, Codable, Equatable {
    public var standard: CallerIDStandard
    public var format: CallerIDFormat?
    public var number: String?
    public var name: String?
    public var dateTime: CallerIDDateTime?
    public var numberAbsence: CallerIDAbsence?
    public var nameAbsence: CallerIDAbsence?

    public init(standard: CallerIDStandard, format: CallerIDFormat? = nil, number: String? = nil, name: String? = nil,
                dateTime: CallerIDDateTime? = nil, numberAbsence: CallerIDAbsence? = nil, nameAbsence: CallerIDAbsence? = nil) {
        self.standard = standard
        self.format = format
        self.number = number
        self.name = name
        self.dateTime = dateTime
        self.numberAbsence = numberAbsence
        self.nameAbsence = nameAbsence
    }

    /// `key=value` lines, in a fixed order, for logs and the `dsp cid` command.
    public var keyValueLines: [String] {
        var lines = ["standard=\(standard.rawValue)"]
        if let format { lines.append("format=\(format.rawValue)") }
        if let number { lines.append("number=\(number)") }
        if let numberAbsence { lines.append("number_absent=\(numberAbsence.rawValue)") }
        if let name { lines.append("name=\(name)") }
        if let nameAbsence { lines.append("name_absent=\(nameAbsence.rawValue)") }
        if let dateTime { lines.append("datetime=\(dateTime)") }
        return lines
    }
}

/// MDMF / ETSI CLIP parameter types.
enum CallerIDField: UInt8 {
    case dateTime = 0x01
    case number = 0x02
    case numberAbsence = 0x04
    case name = 0x07
    case nameAbsence = 0x08
}

enum CallerIDMessageType {
    static let sdmf: UInt8 = 0x04
    static let mdmf: UInt8 = 0x80
}
