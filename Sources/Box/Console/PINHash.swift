import Crypto
import Foundation

/// A technician's PIN as the config stores it: `sha256i$ITERATIONS$SALT$HASH` — SHA-256 over the
/// salt and PIN, iterated, so the config never holds the PIN and guessing is slow.
package enum PINHash {
    package static let iterations = 100_000

    package static func make(_ pin: String, salt: [UInt8]? = nil) -> String {
        let salt = salt ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        return "sha256i$\(iterations)$\(hex(salt))$\(hex(digest(pin, salt: salt, iterations: iterations)))"
    }

    package static func verify(_ pin: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 4, parts[0] == "sha256i", let rounds = Int(parts[1]), let salt = bytes(parts[2]) else { return false }
        let computed = hex(digest(pin, salt: salt, iterations: rounds))
        // Compare without stopping at the first difference.
        return computed.utf8.count == parts[3].utf8.count && zip(computed.utf8, parts[3].utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    package static func isWellFormed(_ stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        return parts.count == 4 && parts[0] == "sha256i" && Int(parts[1]) != nil && bytes(String(parts[2])) != nil && parts[3].count == 64
    }

    private static func digest(_ pin: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        var state = Array(SHA256.hash(data: salt + Array(pin.utf8)))
        for _ in 1..<max(1, iterations) { state = Array(SHA256.hash(data: state + salt)) }
        return state
    }

    private static func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    private static func bytes(_ hex: String) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            guard let b = UInt8(hex[i..<j], radix: 16) else { return nil }
            out.append(b)
            i = j
        }
        return out
    }
}
