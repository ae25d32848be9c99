import ArgumentParser
import Foundation

/// `appliance pull`: the central office's puller, for one or many boxes.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull cases, calls, survey answers, fax results and media from boxes into a directory (central office side).",
        discussion: "Idempotent and resumable: run it again after any failure. Each box's data goes to DIR/NODE/ (docs/UPLINK.md).")

    @Option(name: .customLong("box"), help: "A box's uplink URL, e.g. https://box-0571:8443 (repeat for many boxes).") var boxes: [String]
    @Option(help: "The central office's certificate (PEM).") var cert: String?
    @Option(help: "The central office's private key (PEM).") var key: String?
    @Option(help: "The boxes' certificates to trust (a PEM file, or a directory of them).") var trust: String?
    @Option(help: "Directory to pull into.") var into: String
    @Option(help: "Pull again every this many seconds (default: once).") var every: Double?
    @Option(help: "Changes per feed page.") var pageSize = 500

    func validate() throws {
        if boxes.isEmpty { throw ValidationError("name at least one --box URL") }
        for box in boxes {
            guard let url = URL(string: box), let scheme = url.scheme, url.host != nil else { throw ValidationError("\(box) is not a URL") }
            if scheme == "http" && !UplinkConfig.isLoopback(url.host ?? "") {
                throw ValidationError("\(box): plain http is only for loopback tests; boxes are reached over https")
            }
            if scheme == "https" && (cert == nil || key == nil || trust == nil) {
                throw ValidationError("https needs --cert, --key and --trust")
            }
        }
    }

    func run() throws {
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

/// Runs async work from a synchronous command and waits for it.
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    private final class ResultBox<T>: @unchecked Sendable {
        // Unchecked: written once by the task before the semaphore is signalled, read after.
        var result: Result<T, any Error>?
    }
}
