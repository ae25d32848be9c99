import ArgumentParser
import Central
import Foundation
import Hummingbird
import SystemSupport

/// `hotline-central serve`: the desk's web pages and Open311 GeoReport v2 (docs/CENTRAL.md).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the desk's pages (cases, a case with its recordings and fax, boxes) and Open311 from the database.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The media store pulls fill (--store of `pull`).") var store: String
    @Option(help: "Address to listen on; put a TLS proxy in front for anything but loopback.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "The central office's certificate (PEM): with --key, what the desk sends a box goes at once, not at the next pull.")
    var cert: String?
    @Option(help: "The central office's private key (PEM).") var key: String?

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together") }
    }

    func run() throws {
        let db = try database.open()
        defer { try? Blocking.run { await db.close() } }
        let media = MediaStore(root: store)
        let deliver: (@Sendable (String) async -> Void)? = cert.flatMap { cert in
            key.map { key in
                let pull = InventoryPull(inventory: BoxInventory(database: db), target: PostgresTarget(database: db, store: media), certificate: cert, key: key)
                return { node in _ = try? await pull.deliver(node: node) }
            }
        }
        let server = DeskServer(database: db, store: media, deliverNow: deliver)
        try Blocking.run { [host, port] in
            try await server.application(host: host, port: port) { port in FileHandle.standardOutput.write(Data("desk listening on http://\(host):\(port)/\n".utf8)) }.runService()
        }
    }
}

/// `hotline-central desk user NAME`: adds a desk user, or sets a new password; the password is
/// read from standard input, never from the command line.
struct DeskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "desk", abstract: "The desk's staff.", subcommands: [User.self])

    struct User: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a desk user or set a new password (read from standard input).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The user's name.") var name: String

        func run() throws {
            guard let line = readLine(strippingNewline: true) else { throw ValidationError("give the password on standard input") }
            let db = try database.open()
            defer { try? Blocking.run { await db.close() } }
            try Blocking.run { [name] in try await DeskAccounts(database: db).setPassword(name: name, password: line) }
            print("desk user \(name) can log in")
        }
    }
}
