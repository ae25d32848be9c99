import Crypto
import Foundation
import PostgresNIO
import SystemSupport

/// The desk's staff: names with yescrypt password hashes, a lockout after repeated failures,
/// and sessions kept by the SHA-256 of their cookie (a copy of the table logs nobody in).
package struct DeskAccounts: Sendable {
    package let database: CentralDatabase
    /// Failures in a row before a name is locked, and for how long.
    package static let failuresBeforeLock = 5
    package static let lockSeconds = 900.0
    package static let sessionSeconds = 12 * 3600.0
    package static let minimumPasswordLength = 10

    package init(database: CentralDatabase) { self.database = database }

    package struct Session: Sendable {
        package var name: String
        /// Sent with every form and checked, so another site cannot post as this user.
        package var csrf: String
    }

    /// Adds a desk user, or sets a new password for one.
    package func setPassword(name: String, password: String) async throws {
        guard name.range(of: "^[A-Za-z0-9._-]{1,64}$", options: .regularExpression) != nil else {
            throw CentralRefusal("a desk user's name is 1 to 64 letters, digits, '.', '_' or '-'")
        }
        guard password.count >= Self.minimumPasswordLength else { throw CentralRefusal("a password is \(Self.minimumPasswordLength) or more characters") }
        let hash = try PassphraseHash.make(password)
        try await database.client.query("""
            INSERT INTO desk_users (name, password_hash) VALUES (\(name), \(hash))
            ON CONFLICT (name) DO UPDATE SET password_hash = EXCLUDED.password_hash, failed_logins = 0, locked_until = NULL
            """, logger: database.logger)
    }

    /// Checks a login; on success, a new session's cookie value. Every failure reads the same
    /// to the visitor; a locked name is not even checked.
    package func logIn(name: String, password: String) async throws -> String? {
        let logger = database.logger
        var found: (String, Bool)?
        for try await row in try await database.client.query("""
            SELECT password_hash, coalesce(locked_until > now(), false) FROM desk_users WHERE name = \(name)
            """, logger: logger).decode((String, Bool).self) { found = row }
        guard let (hash, locked) = found else {
            // The same work as a real check, so a name's existence does not show in the time.
            _ = PassphraseHash.verify(password, against: Self.decoy)
            return nil
        }
        guard !locked else { return nil }
        guard PassphraseHash.verify(password, against: hash) else {
            try await database.client.query("""
                UPDATE desk_users SET failed_logins = failed_logins + 1,
                    locked_until = CASE WHEN failed_logins + 1 >= \(Self.failuresBeforeLock)
                                        THEN now() + make_interval(secs => \(Self.lockSeconds)) ELSE locked_until END
                WHERE name = \(name)
                """, logger: logger)
            return nil
        }
        let token = Self.randomHex(32), csrf = Self.randomHex(16)
        try await database.client.query("UPDATE desk_users SET failed_logins = 0, locked_until = NULL WHERE name = \(name)", logger: logger)
        try await database.client.query("""
            INSERT INTO desk_sessions (token_sha256, name, csrf, expires_at)
            VALUES (\(Self.digest(token)), \(name), \(csrf), now() + make_interval(secs => \(Self.sessionSeconds)))
            """, logger: logger)
        try await database.client.query("DELETE FROM desk_sessions WHERE expires_at < now()", logger: logger)
        return token
    }

    package func session(token: String) async throws -> Session? {
        guard token.count == 64 else { return nil }
        for try await (name, csrf) in try await database.client.query("""
            SELECT name, csrf FROM desk_sessions WHERE token_sha256 = \(Self.digest(token)) AND expires_at > now()
            """, logger: database.logger).decode((String, String).self) {
            return Session(name: name, csrf: csrf)
        }
        return nil
    }

    package func logOut(token: String) async throws {
        try await database.client.query("DELETE FROM desk_sessions WHERE token_sha256 = \(Self.digest(token))", logger: database.logger)
    }

    static func digest(_ token: String) -> String { SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined() }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    /// A hash of nothing anyone knows, verified against when the name does not exist.
    private static let decoy = (try? PassphraseHash.make(randomHex(16))) ?? "$y$"
}
