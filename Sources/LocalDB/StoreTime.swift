import Foundation

/// How the store writes times: ISO 8601, UTC, milliseconds. Retention compares these as text,
/// so every writer and reader goes through here.
public enum StoreTime {
    public static func string(_ date: Date) -> String {
        ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: options)
    }

    /// A stored time; whole seconds without a fraction are read too (rows written by hand or
    /// by tools other than the store).
    public static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    private static let options: ISO8601DateFormatter.Options = [.withInternetDateTime, .withFractionalSeconds]
}
