import ArgumentParser
import Central
import Foundation
import SystemSupport
import UplinkWire

/// `appliance pull`: the central office's puller, for one or many boxes.
package struct PullCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull cases, calls, survey answers, fax results and media from boxes into PostgreSQL or a directory (central office side).",
        discussion: """
            Idempotent and resumable: run it again after any failure. With --database, each page of a box's feed and its \
            cursor commit in one transaction, and media go to a content-addressed store (docs/CENTRAL.md); with --into, \
            each box's data goes to DIR/NODE/ (docs/UPLINK.md).
            """)

    @Option(name: .customLong("box"), help: "A box's uplink URL, e.g. https://box-0571:8443 (repeat for many boxes).") package var boxes: [String]
    @Option(help: "The central office's certificate (PEM).") package var cert: String?
    @Option(help: "The central office's private key (PEM).") package var key: String?
    @Option(help: "The boxes' certificates to trust (a PEM file, or a directory of them).") package var trust: String?
    @Option(help: "Directory to pull into (the simplest target).") package var into: String?
    @Option(help: "PostgreSQL to pull into: postgres://USER:PASSWORD@HOST:PORT/DATABASE[?sslmode=verify-full&sslrootcert=FILE].")
    package var database: String?
    @Option(help: "With --database: the directory of the content-addressed media store.") package var store: String?
    @Option(help: "Pull again every this many seconds (default: once).") package var every: Double?
    @Option(help: "Changes per feed page.") package var pageSize = 500

    package func validate() throws {
        if boxes.isEmpty { throw ValidationError("name at least one --box URL") }
        switch (into, database, store) {
        case (.some, nil, nil): break
        case (nil, .some(let url), .some):
            do { _ = try DatabaseURL(url) } catch { throw ValidationError("--database: \(error)") }
        case (nil, .some, nil): throw ValidationError("--database needs --store, the directory media are kept in")
        case (nil, nil, _): throw ValidationError("name where to pull into: --database with --store, or --into")
        case (.some, _, _): throw ValidationError("--into is a directory target; it does not go with --database or --store")
        }
        if let every, !(every.isFinite && every >= 1 && every <= 86_400) { throw ValidationError("--every must be 1 to 86400 seconds") }
        if !(1...UplinkLimits.maxPage).contains(pageSize) { throw ValidationError("--page-size must be 1 to \(UplinkLimits.maxPage)") }
        for box in boxes {
            guard let url = URL(string: box), let scheme = url.scheme, url.host != nil else { throw ValidationError("\(box) is not a URL") }
            if scheme == "http" && !LoopbackAddress.contains(url.host ?? "") {
                throw ValidationError("\(box): plain http is only for loopback tests; boxes are reached over https")
            }
            if scheme == "https" && (cert == nil || key == nil || trust == nil) {
                throw ValidationError("https needs --cert, --key and --trust")
            }
        }
    }

    package func run() throws {
        let tls = try boxes.contains { $0.hasPrefix("https") } ? UplinkTLS.client(certificate: cert!, key: key!, trust: trust!) : nil
        let database = try database.map { url in try Blocking.run { try await CentralDatabase.open(try DatabaseURL(url)) } }
        defer { if let database { try? Blocking.run { await database.close() } } }
        let target: any PullTarget = if let database, let store { PostgresTarget(database: database, store: MediaStore(root: store)) } else {
            DirectoryTarget(directory: into!)
        }
        let puller = Puller(tls: tls, target: target, pageSize: pageSize)
        defer { try? Blocking.run { try await puller.shutdown() } }
        var failed = false
        repeat {
            let results = try Blocking.run { await puller.pull(boxes: boxes) }
            failed = false
            for result in results {
                switch result {
                case .success(let report): print(report)
                case .failure(let error):
                    failed = true
                    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                }
            }
            if let every { Thread.sleep(forTimeInterval: every) }
        } while every != nil
        if failed { throw ExitCode(1) }
    }
}
