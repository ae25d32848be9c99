import Foundation

/// A box's health in words, as `box list` and the desk's boxes page show it.
extension BoxInventory.Health {
    package var state: String { retired ? "retired" : (lastAttempt == nil ? "new" : (lastError == nil ? "ok" : "failing")) }

    package func pulled(now: Date) -> String { lastPull.map { Self.age(now.timeIntervalSince($0)) + " ago" } ?? "never" }

    package var lag: String { lagChanges.map { "\($0)/\(lagBytes ?? 0)" } ?? "-" }

    package func certificate(now: Date) -> String {
        certificateNotAfter.map { "\(Int(($0.timeIntervalSince(now) / 86400).rounded(.down))) days" } ?? "-"
    }

    static func age(_ seconds: Double) -> String {
        switch seconds {
        case ..<120: "\(Int(seconds)) s"
        case ..<7200: "\(Int(seconds / 60)) min"
        case ..<172_800: "\(Int(seconds / 3600)) h"
        default: "\(Int(seconds / 86400)) d"
        }
    }
}
