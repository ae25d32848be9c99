import Crypto
import Foundation
import SystemSupport

/// A technician's PIN as it is stored: yescrypt (`PassphraseHash`). Hashes of the old form
/// `sha256i$ITERATIONS$SALT$HASH` (iterated salted SHA-256) still verify, and a login with one
/// rehashes it.
package enum PINHash {
    package static let minimumDigits = 6

    /// A PIN is 6 or more digits: what a technician can type on any terminal.
    package static func problem(with pin: String) -> String? {
        guard pin.count >= minimumDigits, pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return "a PIN is \(minimumDigits) or more digits"
        }
        return nil
    }

    package static func make(_ pin: String) throws -> String { try PassphraseHash.make(pin) }

    package static func verify(_ pin: String, against stored: String) -> Bool {
        stored.hasPrefix("sha256i$") ? legacyVerify(pin, against: stored) : PassphraseHash.verify(pin, against: stored)
    }

    /// Whether a login with this hash should store a new one.
    package static func needsRehash(_ stored: String) -> Bool { !stored.hasPrefix("$y$") }

    package static func isWellFormed(_ stored: String) -> Bool {
        if stored.hasPrefix("sha256i$") {
            let parts = stored.split(separator: "$")
            return parts.count == 4 && Int(parts[1]) != nil && bytes(String(parts[2])) != nil && parts[3].count == 64
        }
        return PassphraseHash.isWellFormed(stored)
    }

    private static func legacyVerify(_ pin: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 4, let rounds = Int(parts[1]), (1...10_000_000).contains(rounds), let salt = bytes(parts[2]) else { return false }
        var state = Array(SHA256.hash(data: salt + Array(pin.utf8)))
        for _ in 1..<max(1, rounds) { state = Array(SHA256.hash(data: state + salt)) }
        return PassphraseHash.constantTimeEqual(state.map { String(format: "%02x", $0) }.joined(), parts[3])
    }

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
