import ArgumentParser
import Central
import Foundation
import SystemSupport
import UplinkWire

/// `hotline-central pull`: the central office's puller, for the inventory's boxes or boxes named
/// on the command line. It pulls once and exits; `hotline-central-pull.timer` runs it on a
/// schedule (systemd/), so no loop sleeps in wall time.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull cases, calls, survey answers, fax results and media from boxes into PostgreSQL or a directory (central office side).",
        discussion: """
            Idempotent and resumable: run it again after any failure. With --database, each page of a box's feed and its \\
            cursor commit in one transaction, and media go to a content-addressed store; without --box it pulls every box \\
            of the inventory (`hotline-central box add`), each trusting only its own enrolled certificate (docs/CENTRAL.md). \\
            With --into, each named box's data goes to DIR/NODE/ (docs/UPLINK.md).
            """)

    @Option(name: .customLong("box"), help: "A box's uplink URL, e.g. https://box-0571:8443 (repeat for many; default: the inventory's).")
    var boxes: [String] = []
    @Option(help: "The central office's certificate (PEM).") var cert: String?
    @Option(help: "The central office's private key (PEM).") var key: String?
    @Option(help: "With --box: the boxes' certificates to trust (a PEM file, or a directory of them).") var trust: String?
    @Option(help: "Directory to pull into (the simplest target).") var into: String?
    @OptionGroup var database: DatabaseOptions
    @Option(help: "With a database: the directory of the content-addressed media store.") var store: String?
    @Option(help: "Boxes pulled at once.") var parallel = 8
    @Option(help: "Changes per feed page.") var pageSize = 500
    @Option(help: "With a database: write the boxes' pull figures here for node-exporter's textfile collector (Prometheus).")
    var metricsFile: String?

    func validate() throws {
        switch (into, database.url, store) {
        case (.some, nil, nil):
            if boxes.isEmpty { throw ValidationError("--into needs at least one --box URL (the inventory lives in the database)") }
            if metricsFile != nil { throw ValidationError("--metrics-file reports the inventory's boxes; it goes with --database") }
        case (nil, .some, .some): break
        case (nil, .some, nil): throw ValidationError("a database target needs --store, the directory media are kept in")
        case (nil, nil, _): throw ValidationError("name where to pull into: --database (or HOTLINE_DATABASE_URL) with --store, or --into")
        case (.some, _, _): throw ValidationError("--into is a directory target; it does not go with a database or --store")
        }
        if !(1...UplinkLimits.maxPage).contains(pageSize) { throw ValidationError("--page-size must be 1 to \(UplinkLimits.maxPage)") }
        if !(1...256).contains(parallel) { throw ValidationError("--parallel must be 1 to 256") }
        for box in boxes {
            guard let url = URL(string: box), let scheme = url.scheme, url.host != nil else { throw ValidationError("\(box) is not a URL") }
            if scheme == "http" && !LoopbackAddress.contains(url.host ?? "") {
                throw ValidationError("\(box): plain http is only for loopback tests; boxes are reached over https")
            }
            if scheme == "https" && (cert == nil || key == nil || trust == nil) {
                throw ValidationError("https needs --cert, --key and --trust")
            }
        }
        if boxes.isEmpty && (cert == nil || key == nil) { throw ValidationError("pulling the inventory needs --cert and --key, the central office's identity") }
    }

    func run() throws {
        let db = database.url == nil ? nil : try database.open()
        defer { if let db { try? Blocking.run { await db.close() } } }
        let postgres = db.flatMap { db in store.map { PostgresTarget(database: db, store: MediaStore(root: $0)) } }
        let target: any PullTarget = postgres ?? DirectoryTarget(directory: into!)
        let results: [Result<Puller.Report, Puller.PullError>]
        if boxes.isEmpty, let db, let postgres {
            let pull = InventoryPull(inventory: BoxInventory(database: db), target: postgres, certificate: cert!, key: key!, pageSize: pageSize, parallel: parallel)
            results = try Blocking.run { try await pull.run() }.map(\.result)
            if results.isEmpty { print("no enrolled boxes: `hotline-central box add` enrols one") }
        } else {
            let tls = try boxes.contains { $0.hasPrefix("https") } ? UplinkTLS.client(certificate: cert!, key: key!, trust: trust!) : nil
            let puller = Puller(tls: tls, target: target, pageSize: pageSize)
            defer { try? Blocking.run { try await puller.shutdown() } }
            results = try Blocking.run { [boxes, parallel] in await puller.pull(boxes: boxes, parallel: parallel) }
        }
        if let db, let metricsFile {
            let boxes = try Blocking.run { try await BoxInventory(database: db).health() }
            try DurableFile.write(Data(CentralMetrics.text(boxes).utf8), to: metricsFile)
        }
        var failed = false
        for result in results {
            switch result {
            case .success(let report): print(report)
            case .failure(let error):
                failed = true
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            }
        }
        if failed { throw ExitCode(1) }
    }
}
