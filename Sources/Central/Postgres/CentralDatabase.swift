import Foundation
import Logging
import PostgresNIO

/// The central office's PostgreSQL: a pooled client, run for as long as this owner lives, and
/// the schema brought up to date before anything reads it.
package final class CentralDatabase: Sendable {
    package let client: PostgresClient
    package let url: DatabaseURL
    let logger: Logger
    private let running: Task<Void, Never>

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// Opens the pool (at most `connections` at once) and migrates the schema.
    package static func open(_ url: DatabaseURL, connections: Int = 8) async throws -> CentralDatabase {
        let database = try CentralDatabase(url: url, connections: connections)
        do { try await database.migrate() } catch {
            await database.close()
            throw Failure(description: "\(url): \(String(reflecting: error))")
        }
        return database
    }

    /// One statement outside any transaction and without migrating (CREATE DATABASE, DROP
    /// DATABASE): for tests and benchmarks that make databases of their own.
    package static func administer(_ url: DatabaseURL, _ sql: String) async throws {
        let logger = Logger(label: "hotline-central.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let client = PostgresClient(configuration: try url.clientConfiguration(), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            do { try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger) } catch {
                throw Failure(description: "\(sql) on \(url): \(String(reflecting: error))")
            }
        }
    }

    private init(url: DatabaseURL, connections: Int) throws {
        var configuration = try url.clientConfiguration()
        configuration.options.maximumConnections = connections
        configuration.options.minimumConnections = 0
        logger = Logger(label: "hotline-central.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.url = url
        running = Task { await client.run() }
    }

    package func close() async {
        running.cancel()
        await running.value
    }

    /// `body` in one transaction, rolled back if it throws; the error thrown is `body`'s own
    /// (postgres-nio wraps it), so refusals keep their words and types.
    package func transaction<T: Sendable>(isolation: isolated (any Actor)? = #isolation,
                                          _ body: (PostgresConnection) async throws -> sending T) async throws -> sending T {
        do { return try await client.withTransaction(logger: logger, isolation: isolation, body) } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError ?? error
        }
    }

    /// The schema version this database is at.
    package func schemaVersion() async throws -> Int {
        let rows = try await client.query("SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger)
        for try await version in rows.decode(Int.self) { return version }
        return 0
    }

    /// Runs the migrations this database lacks, each in its own transaction. Pullers starting
    /// at once take turns on an advisory lock, so each migration runs exactly once.
    func migrate() async throws {
        let migrations = CentralSchema.migrations
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(12345012345)", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var current = 0
            for try await version in try await connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger).decode(Int.self) {
                current = version
            }
            guard current <= migrations.count else {
                throw Failure(description: "the database's schema is version \(current), newer than this software's \(migrations.count)")
            }
            for (index, statements) in migrations.enumerated().dropFirst(current) {
                for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(index + 1))", logger: logger)
            }
        }
    }
}
