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
        abstract: "Pull cases, calls, survey answers, fax results and media from boxes into a directory (central office side).",
        discussion: "Idempotent and resumable: run it again after any failure. Each box's data goes to DIR/NODE/ (docs/UPLINK.md).")

    @Option(name: .customLong("box"), help: "A box's uplink URL, e.g. https://box-0571:8443 (repeat for many boxes).") package var boxes: [String]
    @Option(help: "The central office's certificate (PEM).") package var cert: String?
    @Option(help: "The central office's private key (PEM).") package var key: String?
    @Option(help: "The boxes' certificates to trust (a PEM file, or a directory of them).") package var trust: String?
    @Option(help: "Directory to pull into.") package var into: String
    @Option(help: "Pull again every this many seconds (default: once).") package var every: Double?
    @Option(help: "Changes per feed page.") package var pageSize = 500

    package func validate() throws {
        if boxes.isEmpty { throw ValidationError("name at least one --box URL") }
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
        let puller = Puller(tls: tls, into: into, pageSize: pageSize)
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
