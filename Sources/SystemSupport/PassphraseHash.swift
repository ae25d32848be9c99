import CCrypt
import Foundation

/// A secret as it is stored: yescrypt in the /etc/shadow format (`$y$…`, through libcrypt), so
/// guessing costs what it costs against the system's own passwords. The box's console PINs and
/// the central desk's passwords both use it.
public enum PassphraseHash {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func make(_ secret: String) throws -> String {
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        guard crypt_gensalt_rn("$y$", 0, nil, 0, &setting, Int32(setting.count)) != nil else {
            throw Failure(description: "libcrypt cannot make a yescrypt salt (errno \(errno))")
        }
        guard let hash = crypt(secret, setting: String(cString: setting)), hash.hasPrefix("$y$") else {
            throw Failure(description: "libcrypt cannot hash with yescrypt")
        }
        return hash
    }

    /// Whether `secret` is the one `stored` was made from (any crypt(5) form libcrypt knows).
    public static func verify(_ secret: String, against stored: String) -> Bool {
        guard stored.hasPrefix("$"), let computed = crypt(secret, setting: stored) else { return false }
        return constantTimeEqual(computed, stored)
    }

    public static func isWellFormed(_ stored: String) -> Bool { stored.hasPrefix("$y$") && stored.split(separator: "$").count == 4 }

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

    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
