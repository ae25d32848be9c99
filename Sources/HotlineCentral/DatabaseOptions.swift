import ArgumentParser
import Central
import Foundation
import SystemSupport

/// Where the central office's PostgreSQL is. The URL holds a password, so a service passes it
/// in its environment (HOTLINE_DATABASE_URL, from a file only its user reads) rather than on a
/// command line every user can see.
struct DatabaseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("PostgreSQL: postgres://USER:PASSWORD@HOST:PORT/DATABASE[?sslmode=verify-full&sslrootcert=FILE] (default: $HOTLINE_DATABASE_URL).",
                               valueName: "url"))
    var database: String?

    var url: String? { database ?? ProcessInfo.processInfo.environment["HOTLINE_DATABASE_URL"] }

    func validate() throws {
        if let url { do { _ = try DatabaseURL(url) } catch { throw ValidationError("--database: \(error)") } }
    }

    /// The database, migrated; refuses when none is named.
    func open() throws -> CentralDatabase {
        guard let url else { throw ValidationError("name the database: --database URL, or HOTLINE_DATABASE_URL") }
        return try Blocking.run { try await CentralDatabase.open(try DatabaseURL(url)) }
    }
}
