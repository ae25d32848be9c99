import Foundation
import SystemSupport

/// Where the console's PIN hash lives: a file in the console's own state directory (written at
/// the first login, and when an old hash is upgraded), else `console.pin_hash` in the config.
package struct ConsoleCredentials: Sendable {
    package let file: String
    package let configured: String?

    package init(file: String, configured: String?) {
        self.file = file
        self.configured = configured
    }

    /// The hash in force, or nil on a fresh box.
    package var current: String? {
        if let text = try? String(contentsOfFile: file, encoding: .utf8) {
            let hash = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if PINHash.isWellFormed(hash) { return hash }
        }
        return configured
    }

    package func save(_ hash: String) throws {
        try DurableFile.write(Data((hash + "\n").utf8), to: file)
        chmod(file, 0o600)
    }
}
