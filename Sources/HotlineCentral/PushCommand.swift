import ArgumentParser
import Central
import Foundation
import HotlineModel
import SystemSupport

/// `hotline-central push KIND FILE`: new content for boxes (a holiday calendar, a flow, a prompt
/// pack, documents) or firmware (a signed RAUC bundle), queued in the outbox and delivered at the
/// next pull, or at once.
struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Queue content for boxes: calendar (YAML), flow (YAML), prompts (zip of WAV), documents (zip), firmware (a RAUC bundle, sent a piece at a time); docs/UPLINK.md has the formats.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: ArgumentHelp("What it is.", valueName: PushKind.allCases.map(\.name).joined(separator: "|"))) var kind: String
    @Argument(help: "The file.") var file: String
    @Option(name: .customLong("node"), help: "A box's node prefix (repeat for more).") var nodes: [String] = []
    @Flag(help: "Every enrolled box.") var all = false
    @Option(help: "The media store (--store of `pull`), where the content's bytes wait.") var store: String
    @Option(help: "With --key: deliver now instead of at the next pull.") var cert: String?
    @Option(help: "The central office's private key (PEM).") var key: String?

    func validate() throws {
        guard PushKind(name: kind) != nil else { throw ValidationError("\(kind) is not one of \(PushKind.allCases.map(\.name).joined(separator: ", "))") }
        if nodes.isEmpty == !all { throw ValidationError("name the boxes: --node N (repeatable) or --all") }
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together") }
    }

    func run() throws {
        let db = try database.open()
        defer { try? Blocking.run { await db.close() } }
        let media = MediaStore(root: store), kind = PushKind(name: kind)!
        let inventory = BoxInventory(database: db)
        let targets = all ? try Blocking.run { try await inventory.enrolled().map(\.node) } : nodes
        try Blocking.run { [file] in
            try await Outbox(database: db).pushContent(kind, file: file, to: targets, store: media, by: ProcessInfo.processInfo.environment["USER"] ?? "cli")
        }
        print("\(kind.name) queued for \(targets.count) boxes")
        guard let cert, let key else { return }
        let pull = InventoryPull(inventory: inventory, target: PostgresTarget(database: db, store: media), certificate: cert, key: key)
        for node in targets {
            let sent = try Blocking.run { try await pull.deliver(node: node) }
            print("box \(node): " + (sent.map { "sent \($0.delivered), refused \($0.refused), \($0.waiting) waiting" } ?? "not enrolled"))
        }
    }
}
