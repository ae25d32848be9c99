/// The 8-digit number a caller is given for a case (受理号), unique across a district's boxes:
///
///     PPSSSSSC   P: the node prefix (1–3 digits, one per box in the district, from config)
///                S: this box's sequence (the remaining digits)
///                C: a Damm check digit over the first seven
///
/// The Damm check catches every single wrong digit and every swap of two adjacent digits, so a
/// caller who mistypes a number on the keypad is told so instead of hearing another citizen's
/// case or "unknown".
public struct AcceptanceNumber: Sendable, Hashable, CustomStringConvertible, Codable {
    public let digits: String

    public var description: String { digits }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case notEightDigits(String)
        case checkDigitMismatch(String)

        public var description: String {
            switch self {
            case .notEightDigits(let s): "\"\(s)\" is not 8 digits"
            case .checkDigitMismatch(let s): "\(s): check digit does not match (mistyped?)"
            }
        }
    }

    /// Validates what a caller keyed.
    public init(validating text: String) throws(Problem) {
        guard text.count == 8, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .notEightDigits(text) }
        guard Self.damm(text) == 0 else { throw .checkDigitMismatch(text) }
        digits = text
    }

    /// A number read back from a store that only ever holds valid ones.
    public init(trusted digits: String) { self.digits = digits }

    /// Makes the number for sequence value `sequence` on the node with `prefix`.
    public init(prefix: NodePrefix, sequence: Int) {
        let body = prefix.digits + Self.padded(sequence % prefix.sequenceLimit, to: 7 - prefix.digits.count)
        digits = body + String(Self.damm(body))
    }

    private static func padded(_ v: Int, to width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    private static let table: [[Int]] = [
        [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3], [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
        [1, 7, 5, 0, 9, 8, 3, 4, 2, 6], [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
        [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7], [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
        [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
    ]

    /// Damm's algorithm: the interim digit after every digit of `text` (0 when a number with its
    /// check digit is valid).
    static func damm(_ text: String) -> Int {
        text.reduce(0) { interim, c in table[interim][c.wholeNumberValue ?? 0] }
    }
}

/// This box's prefix in its district's acceptance numbers.
public struct NodePrefix: Sendable, Equatable, Codable {
    public let digits: String

    public init?(_ digits: String) {
        guard (1...3).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.first != "0" else { return nil }
        self.digits = digits
    }

    /// How many numbers the box can issue before its sequence wraps.
    public var sequenceLimit: Int {
        var limit = 1
        for _ in 0..<(7 - digits.count) { limit *= 10 }
        return limit
    }
}
