import Foundation
import NIOSSL
import PostgresNIO
import UplinkWire

/// The district's boxes, as the central office knows them: where each is reached, the
/// certificate it is pinned to, its district and node prefix, and how its pulls go. Kept in the
/// database beside the boxes' data; a removed box is retired, never deleted, so its cases stay.
package struct BoxInventory: Sendable {
    package let database: CentralDatabase

    package init(database: CentralDatabase) { self.database = database }

    /// One box to pull: its URL and the one certificate it may present.
    package struct Enrolled: Sendable {
        package var node: String
        package var url: String
        package var certificatePEM: String
    }

    /// What `box list` shows and metrics report, per box.
    package struct Health: Sendable {
        package var node: String
        package var district: String?
        package var url: String?
        package var retired: Bool
        package var lastPull: Date?
        package var lastAttempt: Date?
        package var lastError: String?
        package var lagChanges: Int?
        package var lagBytes: Int?
        package var pullSeconds: Double?
        package var certificateNotAfter: Date?
    }

    /// Enrols a box. The node prefix is 1 to 3 digits; the URL is https; the certificate is the
    /// box's own leaf (`appliance cert create` made it), which alone it may present.
    package func add(node: String, url: String, district: String, certificate path: String) async throws {
        guard (1...3).contains(node.count), node.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw CentralRefusal("node prefix \(node): 1 to 3 digits")
        }
        guard let parsed = URL(string: url), parsed.scheme == "https", parsed.host?.isEmpty == false else {
            throw CentralRefusal("\(url): a box is reached at an https:// URL")
        }
        let certificates = try UplinkTLS.certificates(path, what: "the box's certificate")
        guard certificates.count == 1, let certificate = certificates.first else {
            throw CentralRefusal("\(path): holds \(certificates.count) certificates; name the box's one certificate")
        }
        try UplinkTLS.refuseAuthorities(certificates, in: path)
        let pem = try String(contentsOfFile: path, encoding: .utf8)
        let notAfter = try UplinkCertificate.notValidAfter(certificate), pin = try UplinkPins.spki(certificate)
        let logger = database.logger
        try await database.transaction { connection in
            for try await (taken, retired) in try await connection.query("""
                SELECT node, retired_at IS NOT NULL FROM boxes WHERE url = \(url) AND node <> \(node)
                """, logger: logger).decode((String, Bool).self) where !retired {
                throw CentralRefusal("\(url) is already box \(taken)'s URL")
            }
            for try await enrolled in try await connection.query("""
                SELECT certificate_pin IS NOT NULL AND retired_at IS NULL FROM boxes WHERE node = \(node)
                """, logger: logger).decode(Bool.self) where enrolled {
                throw CentralRefusal("node \(node) is already enrolled; `box remove --node \(node)` first to replace it")
            }
            try await connection.query("""
                INSERT INTO boxes (node, url, district, certificate, certificate_pin, certificate_not_after)
                VALUES (\(node), \(url), \(district), \(pem), \(pin), \(notAfter))
                ON CONFLICT (node) DO UPDATE SET url = EXCLUDED.url, district = EXCLUDED.district, certificate = EXCLUDED.certificate,
                    certificate_pin = EXCLUDED.certificate_pin, certificate_not_after = EXCLUDED.certificate_not_after, retired_at = NULL
                """, logger: logger)
        }
    }

    /// Retires a box: it is pulled no more; what it sent stays.
    package func remove(node: String) async throws {
        var found = false
        for try await _ in try await database.client.query("""
            UPDATE boxes SET retired_at = now() WHERE node = \(node) AND retired_at IS NULL RETURNING node
            """, logger: database.logger) { found = true }
        guard found else { throw CentralRefusal("node \(node) is not an enrolled box (`box list` shows them)") }
    }

    package func enrolled() async throws -> [Enrolled] {
        var out: [Enrolled] = []
        for try await (node, url, pem) in try await database.client.query("""
            SELECT node, url, certificate FROM boxes WHERE retired_at IS NULL AND certificate IS NOT NULL AND url IS NOT NULL ORDER BY node
            """, logger: database.logger).decode((String, String, String).self) {
            out.append(Enrolled(node: node, url: url, certificatePEM: pem))
        }
        return out
    }

    package func health() async throws -> [Health] {
        var out: [Health] = []
        let rows = try await database.client.query("""
            SELECT node, district, url, retired_at IS NOT NULL, last_pull_at, last_attempt_at, last_error, lag_changes, lag_bytes,
                   last_pull_seconds, certificate_not_after
            FROM boxes ORDER BY node
            """, logger: database.logger)
        for try await (node, district, url, retired, pull, attempt, error, lag, bytes, seconds, notAfter) in rows.decode(
            (String, String?, String?, Bool, Date?, Date?, String?, Int?, Int?, Double?, Date?).self) {
            out.append(Health(node: node, district: district, url: url, retired: retired, lastPull: pull, lastAttempt: attempt, lastError: error,
                              lagChanges: lag, lagBytes: bytes, pullSeconds: seconds, certificateNotAfter: notAfter))
        }
        return out
    }

    /// How one pull of a box went: a success clears the last error, a failure keeps the last
    /// good pull's time so the lag since it shows.
    package func record(node: String, result: Result<Puller.Report, Puller.PullError>, seconds: Double) async throws {
        switch result {
        case .success(let report):
            try await database.client.query("""
                UPDATE boxes SET last_attempt_at = now(), last_pull_at = now(), last_error = NULL, lag_changes = \(report.lagChanges),
                    lag_bytes = \(report.lagBytes), last_pull_seconds = \(seconds) WHERE node = \(node)
                """, logger: database.logger)
        case .failure(let error):
            try await database.client.query("""
                UPDATE boxes SET last_attempt_at = now(), last_error = \(String(error.description.prefix(2000))), last_pull_seconds = \(seconds)
                WHERE node = \(node)
                """, logger: database.logger)
        }
    }
}
