/// The DTMF keypad: each key's low-group (row) and high-group (column) frequency.
public enum DTMFKeypad {
    public static let digits = Array("123A456B789C*0#D")
    /// The most keys one dial string or keyed number holds: DAHDI's dial buffer takes 32.
    public static let maxNumberDigits = 32

    /// Whether `text` can be dialled: one to `maxNumberDigits` keys of the keypad.
    public static func isDialString(_ text: String) -> Bool {
        !text.isEmpty && text.count <= maxNumberDigits && text.allSatisfy(digits.contains)
    }
    private static let rows: [Double] = [697, 770, 852, 941]
    private static let columns: [Double] = [1209, 1336, 1477, 1633]

    public static func frequencies(of digit: Character) -> (low: Double, high: Double)? {
        guard let i = digits.firstIndex(of: digit) else { return nil }
        return (rows[i / 4], columns[i % 4])
    }
}
