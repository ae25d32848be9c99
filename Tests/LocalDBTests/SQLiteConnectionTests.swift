import Foundation
import LocalDB
import TestSupport
import Testing

@Suite(.tags(.unit)) struct SQLiteConnectionTests {
    @Test func opensInWALModeWithForeignKeys() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("db-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try SQLiteConnection(path: path)
        #expect(try db.scalar("PRAGMA journal_mode") == "wal")
        #expect(try db.scalar("PRAGMA foreign_keys") == "1")
        try db.execute("CREATE TABLE a(id INTEGER PRIMARY KEY); CREATE TABLE b(a_id INTEGER REFERENCES a(id));")
        #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO b VALUES (42)") }
    }

    @Test func badSQLNamesWhatFailed() throws {
        let db = try SQLiteConnection(path: ":memory:")
        let error = try #require(throws: SQLiteError.self) { try db.execute("SELEC 1") }
        #expect(error.description.contains("SELEC 1"))
        #expect(error.description.contains("syntax error"))
    }

    @Test func unopenablePathIsAClearError() {
        let error = #expect(throws: SQLiteError.self) { try SQLiteConnection(path: "/nonexistent-dir/x.sqlite") }
        #expect(error?.description.contains("/nonexistent-dir/x.sqlite") == true)
    }
}
