import ArgumentParser
import Central
import Foundation
import SystemSupport

/// `hotline-central box add|list|remove`: the district's boxes, kept in the database.
struct BoxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "box",
        abstract: "The inventory of boxes the central office pulls (docs/CENTRAL.md).",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enrol a box: where it is reached and the one certificate it may present.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The box's node prefix (1 to 3 digits, the start of its acceptance numbers).") var node: String
        @Option(help: "The box's uplink URL, e.g. https://box-0571.district:8443.") var url: String
        @Option(help: "The box's certificate (PEM), as `appliance cert create` made it.") var certificate: String
        @Option(help: "The district the box serves.") var district: String

        func run() throws {
            let db = try database.open()
            defer { try? Blocking.run { await db.close() } }
            try Blocking.run { try await BoxInventory(database: db).add(node: node, url: url, district: district, certificate: certificate) }
            print("box \(node) enrolled: \(url)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The boxes and how their pulls go: last pull, lag, certificate expiry, errors.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let db = try database.open()
            defer { try? Blocking.run { await db.close() } }
            let boxes = try Blocking.run { try await BoxInventory(database: db).health() }
            print(BoxTable.render(boxes, now: Date()))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Retire a box: it is pulled no more, and what it sent stays.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The box's node prefix.") var node: String

        func run() throws {
            let db = try database.open()
            defer { try? Blocking.run { await db.close() } }
            try Blocking.run { try await BoxInventory(database: db).remove(node: node) }
            print("box \(node) retired; its cases stay")
        }
    }
}

/// `box list`'s table: one line per box, the error in full on a line of its own.
enum BoxTable {
    static func render(_ boxes: [BoxInventory.Health], now: Date) -> String {
        guard !boxes.isEmpty else { return "no boxes yet: `hotline-central box add` enrols one" }
        var lines = ["node  state     last pull   lag (changes/bytes)  certificate  district  url"]
        for b in boxes {
            lines.append([b.node.padded(6), b.state.padded(10), b.pulled(now: now).padded(12), b.lag.padded(21), b.certificate(now: now).padded(13),
                          (b.district ?? "-").padded(10), b.url ?? "-"].joined())
            if let error = b.lastError, !b.retired { lines.append("      last error: \(error)") }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
