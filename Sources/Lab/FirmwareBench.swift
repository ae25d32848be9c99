import ArgumentParser
import Box
import Central
import Foundation
import SystemSupport
import UplinkServer
import UplinkWire

/// `hotline-lab bench firmware`: a firmware bundle pushed the way the central office pushes it,
/// over a leased line that drops now and then, into the box's real receiver and a simulated RAUC.
package struct FirmwareBench: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "firmware",
        abstract: "Push a firmware bundle over a rate-limited link that is cut now and then; report bytes, rounds and hours.",
        discussion: """
        The central office's push (FirmwarePush: 1 MiB pieces from the bytes the box says it has,
        a round of --round-minutes at most) goes through a relay held to the link's rate in each
        direction, over mutual TLS, into the box's firmware receiver, which hands the whole bundle
        to a simulated RAUC. The relay cuts every connection each time --cut-every-mib more MiB have
        crossed; the puller sends the piece again on a new connection, and a round that still fails
        ends, the next going on from the box's bytes. --speedup raises the relay's rate, shortens the
        puller's pauses alike, and scales the measured time back. The time between rounds is not
        waited for: it is added from the pull timer's period and the outbox's back-off.
        """)

    @Option(help: "Bundle size in MB when no --bundle is given (random bytes: a compressed bundle does not shrink).") package var megabytes = 220.0
    @Option(help: "Push this bundle file instead.") package var bundle: String?
    @Option(help: "Link rate, kbit/s each way.") package var kbps = 64.0
    @Option(help: "Run the link this many times faster and scale the time back.") package var speedup = 256.0
    @Option(help: "Cut the line each time this many more MiB have crossed (0: never).") package var cutEveryMib = 32.0
    @Option(help: "Minutes of link time a round sends for (the central office's firmware round).") package var roundMinutes = Double(Outbox.firmwareRound.components.seconds) / 60
    @Option(help: "Minutes from the end of one pull to the next (hotline-central-pull.timer).") package var pauseMinutes = 5.0

    package func validate() throws {
        for (name, value, range) in [("--megabytes", megabytes, 0.001...Double(UplinkLimits.maxFirmwareBytes) / 1e6), ("--kbps", kbps, 1...100_000),
                                     ("--speedup", speedup, 1...10_000), ("--cut-every-mib", cutEveryMib, 0...1024),
                                     ("--round-minutes", roundMinutes, 0.1...1440), ("--pause-minutes", pauseMinutes, 0...1440)]
        where !(value.isFinite && range.contains(value)) {
            throw ValidationError("\(name) must be a number from \(range.lowerBound) to \(range.upperBound), not \(value)")
        }
        if let bundle, !FileManager.default.isReadableFile(atPath: bundle) { throw ValidationError("--bundle \(bundle): no such readable file") }
    }

    package func run() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("firmware-bench-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try? FileManager.default.removeItem(atPath: root)
        let rauc = "\(root)/rauc"
        for dir in ["\(root)/box", rauc] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var config = BoxConfig()
        config.dataDirectory = "\(root)/box"
        let tls = try UplinkBench.identities(in: root, for: &config)
        let updates = UpdateInstaller(tools: try SimulatedRAUC.tools(in: rauc, installsUntilEnded: false), scratch: rauc)
        let runner = try UplinkRunner(service: UplinkService(config: config, updates: updates))
        defer { runner.stop() }
        let proxy = try LinkProxy(to: runner.port, bytesPerSecond: kbps * 1000 / 8 * speedup)
        defer { proxy.stop() }
        let puller = Puller(tls: tls, into: "\(root)/central", retryPauses: Puller.defaultRetryPauses.map { $0 / speedup })
        defer { try? Blocking.run { try await puller.shutdown() } }

        let file = bundle ?? "\(root)/bundle.raucb"
        if bundle == nil {
            var generator = SeededGenerator(seed: 14)
            try generator.bytes(Int(megabytes * 1e6)).write(to: URL(fileURLWithPath: file))
        }
        let (size, sha256) = try ContentDigest.sha256Hex(file: file)
        let push = FirmwarePush(puller: puller, base: "https://127.0.0.1:\(proxy.port)", file: file, sha256: sha256,
                                budget: .milliseconds(Int(roundMinutes * 60_000 / speedup)))
        let cutEvery = Int(cutEveryMib * 1_048_576)
        var rounds = Rounds(pause: pauseMinutes * 60)
        while true {
            let counts = proxy.counts
            if cutEvery > 0 { proxy.cut(afterMoreBytes: cutEvery - (counts.toBox + counts.fromBox) % cutEvery) }
            let started = Date()
            let outcome = Result(catching: { try Blocking.run { try await push.run() } })
            rounds.add(seconds: Date().timeIntervalSince(started) * speedup, failed: (try? outcome.get()) == nil)
            switch outcome {
            case .success(.answered(let status, let reply)) where (200..<300).contains(status.code):
                print("the box: \(String(decoding: reply, as: UTF8.self))")
            case .success(.answered(let status, let reply)):
                throw ValidationError("the box refused the bundle: HTTP \(status.code) \(String(decoding: reply, as: UTF8.self))")
            case .success(.inProgress):
                continue
            case .failure where rounds.failedInARow < 20:
                continue
            case .failure(let error):
                throw ValidationError("20 rounds in a row failed; the last: \(error)")
            }
            break
        }
        let installs = SimulatedRAUC.installs(in: rauc, awaiting: 1, within: 120)
        let installed = installs == [sha256]
        let counts = proxy.counts
        let bytesAlone = Double(size) * 8 / (kbps * 1000) / 3600
        print("""
            bundle: \(size) bytes, SHA-256 \(sha256.prefix(16))…; RAUC was handed it \(installed ? "once, whole" : "NOT as sent: \(installs)")
            on the wire: \(counts.toBox) bytes to the box (\(String(format: "%.2f", Double(counts.toBox - size) * 100 / Double(size)))% over the bundle: TLS, HTTP, pieces sent again after a cut), \(counts.fromBox) from it
            line cuts: \(counts.cuts); rounds: \(rounds.count) (\(rounds.failed) failed)
            \(String(format: "link time at %.0f kbit/s: %.2f h measured (%.0f s at %.0f×); %.2f h for the bundle's bytes alone", kbps, rounds.linkSeconds / 3600, rounds.linkSeconds / speedup, speedup, bytesAlone))
            \(String(format: "with %.0f min between pulls and the outbox's back-off after a cut: %.2f h from queueing to RAUC", pauseMinutes, (rounds.linkSeconds + rounds.idleSeconds) / 3600))
            """)
        if !installed { throw ExitCode.failure }
    }

    /// The rounds so far, in line time, and the time between them the central office would
    /// spend: the pull timer's pause after each round, or the outbox's back-off when it is longer
    /// (counted in pauses: the entry waits for the first pull after it is due).
    struct Rounds {
        let pause: Double
        var count = 0, failed = 0, failedInARow = 0
        var linkSeconds = 0.0, idleSeconds = 0.0

        mutating func add(seconds: Double, failed roundFailed: Bool) {
            if count > 0 {
                let due = failedInARow > 0 ? Double(Outbox.retryDelay(attempts: failedInARow - 1)) : 0
                idleSeconds += pause > 0 ? max(1, (due / pause).rounded(.up)) * pause : due
            }
            count += 1
            linkSeconds += seconds
            if roundFailed {
                failed += 1
                failedInARow += 1
            } else {
                failedInARow = 0
            }
        }
    }
}
