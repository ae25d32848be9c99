/// The DTMF keypad: each key's low-group (row) and high-group (column) frequency.
public enum DTMFKeypad {
    public static let digits = Array("123A456B789C*0#D")
    private static let rows: [Double] = [697, 770, 852, 941]
    private static let columns: [Double] = [1209, 1336, 1477, 1633]

    public static func frequencies(of digit: Character) -> (low: Double, high: Double)? {
        guard let i = digits.firstIndex(of: digit) else { return nil }
        return (rows[i / 4], columns[i % 4])
    }
}
