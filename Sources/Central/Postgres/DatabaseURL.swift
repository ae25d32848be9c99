import Foundation
import NIOSSL
import PostgresNIO

/// Where the central office's PostgreSQL is, as libpq writes it:
/// `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=FILE`, or a
/// socket directory as `postgres:///DATABASE?host=/var/run/postgresql`. Only the parameters
/// below are read; any other is refused by name, so a typo is not silently a plain connection.
package struct DatabaseURL: Sendable, CustomStringConvertible {
    package enum SSLMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    package var host: String?
    package var socketDirectory: String?
    package var port = 5432
    package var user: String
    package var password: String?
    package var database: String
    package var sslMode = SSLMode.prefer
    package var rootCertificate: String?

    package struct Invalid: Error, CustomStringConvertible {
        package var description: String
    }

    package init(_ text: String) throws {
        func refuse(_ why: String) -> Invalid { Invalid(description: "database URL: \(why) (expected postgres://USER:PASSWORD@HOST:PORT/DATABASE)") }
        guard let url = URLComponents(string: text), let scheme = url.scheme else { throw refuse("not a URL") }
        guard scheme == "postgres" || scheme == "postgresql" else { throw refuse("scheme \(scheme) is not postgres") }
        guard let user = url.user, !user.isEmpty else { throw refuse("no user") }
        self.user = user.removingPercentEncoding ?? user
        password = url.password.map { $0.removingPercentEncoding ?? $0 }
        let name = String(url.path.drop { $0 == "/" })
        guard !name.isEmpty, !name.contains("/") else { throw refuse("no database name after the host") }
        database = name.removingPercentEncoding ?? name
        if let port = url.port {
            guard (1...65535).contains(port) else { throw refuse("port \(port) is out of range") }
            self.port = port
        }
        if let host = url.host, !host.isEmpty { self.host = host }
        for item in url.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw refuse("sslmode \(value) is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert": rootCertificate = value
            case "host":
                guard value.hasPrefix("/") else { throw refuse("host= is for a socket directory, an absolute path") }
                socketDirectory = value
            default: throw refuse("parameter \(item.name) is not understood")
            }
        }
        guard host != nil || socketDirectory != nil else { throw refuse("no host, and no host=/socket/directory") }
    }

    /// The URL in full, password included, for handing to another process.
    package var rawValue: String {
        var url = URLComponents()
        url.scheme = "postgres"
        url.user = user
        url.password = password
        url.host = host ?? ""
        url.port = port
        url.path = "/" + database
        var items = [URLQueryItem(name: "sslmode", value: sslMode.rawValue)]
        if let rootCertificate { items.append(URLQueryItem(name: "sslrootcert", value: rootCertificate)) }
        if let socketDirectory { items.append(URLQueryItem(name: "host", value: socketDirectory)) }
        url.queryItems = items
        return url.string ?? ""
    }

    /// The URL with its password hidden, for logs and errors.
    package var description: String {
        let place = socketDirectory.map { "?host=\($0)" } ?? ""
        return "postgres://\(user)\(password == nil ? "" : ":***")@\(host ?? ""):\(port)/\(database)\(place)"
    }

    package func clientConfiguration() throws -> PostgresClient.Configuration {
        if let socketDirectory {
            return .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let rootCertificate { tls.trustRoots = .file(rootCertificate) }
        let mode: PostgresClient.Configuration.TLS
        switch sslMode {
        case .disable: mode = .disable
        case .prefer:
            tls.certificateVerification = .none
            mode = .prefer(tls)
        case .require:
            tls.certificateVerification = .none
            mode = .require(tls)
        case .verifyFull: mode = .require(tls)
        }
        var configuration = PostgresClient.Configuration(host: host ?? "localhost", port: port, username: user, password: password, database: database, tls: mode)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }
}
