import CCrypt
import Crypto
import Foundation

/// A technician's PIN as it is stored: yescrypt in the /etc/shadow format (`$y$…`, through
/// libcrypt), so guessing costs what it costs against the system's own passwords. Hashes of
/// the old form `sha256i$ITERATIONS$SALT$HASH` (iterated salted SHA-256) still verify, and a
/// login with one rehashes it.
package enum PINHash {
    package static let minimumDigits = 6

    /// A PIN is 6 or more digits: what a technician can type on any terminal.
    package static func problem(with pin: String) -> String? {
        guard pin.count >= minimumDigits, pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return "a PIN is \(minimumDigits) or more digits"
        }
        return nil
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package static func make(_ pin: String) throws -> String {
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        guard crypt_gensalt_rn("$y$", 0, nil, 0, &setting, Int32(setting.count)) != nil else {
            throw Failure(description: "libcrypt cannot make a yescrypt salt (errno \(errno))")
        }
        guard let hash = crypt(pin, setting: String(cString: setting)), hash.hasPrefix("$y$") else {
            throw Failure(description: "libcrypt cannot hash with yescrypt")
        }
        return hash
    }

    package static func verify(_ pin: String, against stored: String) -> Bool {
        if stored.hasPrefix("sha256i$") { return legacyVerify(pin, against: stored) }
        guard stored.hasPrefix("$"), let computed = crypt(pin, setting: stored) else { return false }
        return constantTimeEqual(computed, stored)
    }

    /// Whether a login with this hash should store a new one.
    package static func needsRehash(_ stored: String) -> Bool { !stored.hasPrefix("$y$") }

    package static func isWellFormed(_ stored: String) -> Bool {
        if stored.hasPrefix("sha256i$") {
            let parts = stored.split(separator: "$")
            return parts.count == 4 && Int(parts[1]) != nil && bytes(String(parts[2])) != nil && parts[3].count == 64
        }
        return stored.hasPrefix("$y$") && stored.split(separator: "$").count == 4
    }

    /// crypt_rn with its working area on the heap (struct crypt_data is 32 KiB).
    private static func crypt(_ phrase: String, setting: String) -> String? {
        let size = MemoryLayout<crypt_data>.size
        let area = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer {
            area.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            area.deallocate()
        }
        area.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        guard let out = crypt_rn(phrase, setting, area, Int32(size)), out.pointee != UInt8(ascii: "*") else { return nil }
        return String(cString: out)
    }

    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func legacyVerify(_ pin: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 4, let rounds = Int(parts[1]), (1...10_000_000).contains(rounds), let salt = bytes(parts[2]) else { return false }
        var state = Array(SHA256.hash(data: salt + Array(pin.utf8)))
        for _ in 1..<max(1, rounds) { state = Array(SHA256.hash(data: state + salt)) }
        return constantTimeEqual(state.map { String(format: "%02x", $0) }.joined(), parts[3])
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
