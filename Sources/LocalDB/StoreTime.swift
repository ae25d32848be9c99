import Foundation

/// How the store writes times: ISO 8601, UTC, milliseconds. Retention compares these as text,
/// so every writer and reader goes through here.
public enum StoreTime {
    public static func string(_ date: Date) -> String {
        ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: options)
    }

    public static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        return formatter.date(from: text)
    }

    private static let options: ISO8601DateFormatter.Options = [.withInternetDateTime, .withFractionalSeconds]
}
