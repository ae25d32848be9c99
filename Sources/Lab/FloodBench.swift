import ArgumentParser
import AsyncHTTPClient
import Box
import Foundation
import NIOCore
import NIOSSL
import Synchronization
import SystemSupport
import UplinkServer
import UplinkWire

/// `hotline-lab bench flood`: the uplink under a flood on loopback while simulated calls go on.
package struct FloodBench: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "flood",
        abstract: "Flood the uplink (idle TCP, stalled TLS handshakes, enrolled pullers) during simulated calls; print calls lost, health latency, RSS and descriptors.",
        discussion: """
        On loopback only. Idle TCP connections and stalled TLS handshakes (no certificate) are held at
        their number for the whole run: each one the box closes is opened again. The pullers are clients
        with the enrolled certificate, each pulling change pages without pause. Meanwhile the central
        office asks for /v1/health every 250 ms, and a scenario of simulated calls runs again and again
        through the box's real line stack. The box and the flood share this process, so RSS and
        descriptors count both; the box's own connections are its ledger's figures.
        """)

    @Option(help: "Idle TCP connections held open.") package var idle = 5000
    @Option(help: "Stalled TLS handshakes held open.") package var stalled = 500
    @Option(help: "Enrolled clients pulling at once.") package var pullers = 200
    @Option(help: "Seconds of flood.") package var seconds = 60
    @Option(help: "Scenario of simulated calls run again and again meanwhile.") package var scenario = "scenarios/complaint.json"

    package func validate() throws {
        guard (0...20_000).contains(idle), (0...5_000).contains(stalled), (0...1_000).contains(pullers) else {
            throw ValidationError("--idle 0-20000, --stalled 0-5000, --pullers 0-1000")
        }
        guard (5...3600).contains(seconds) else { throw ValidationError("--seconds must be 5-3600") }
    }

    package func run() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("flood-bench-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/box/recordings", withIntermediateDirectories: true)
        Self.raiseDescriptorLimit()
        var config = BoxConfig()
        config.dataDirectory = "\(root)/box"
        _ = try DistrictDay.make(in: config, calls: 50, recordedMinutes: 5, faxPages: 2)
        let client = try UplinkBench.identities(in: root, for: &config)
        let service = try UplinkService(config: config)
        let runner = try UplinkRunner(service: service)
        defer { runner.stop() }
        let base = "https://127.0.0.1:\(runner.port)"
        let deadline = ContinuousClock.now + .seconds(seconds)

        let calls = CallLoop(scenario: try Scenario.load(scenario), data: "\(root)/calls", until: deadline)
        let callThread = Thread { calls.run() }
        callThread.start()
        let held = HeldConnections(port: runner.port, idle: idle, stalled: stalled)
        let floodThread = Thread { held.run(until: deadline) }
        floodThread.start()
        let outcome = try Blocking.run { try await Self.pullAndProbe(base: base, tls: client, pullers: pullers, until: deadline) }
        while !calls.done.load(ordering: .acquiring) || !held.done.load(ordering: .acquiring) { usleep(50_000) }

        let counts = service.connections.counts
        let probes = outcome.healthMs.sorted()
        func percentile(_ p: Double) -> Double { probes.isEmpty ? .nan : probes[min(probes.count - 1, Int(Double(probes.count) * p))] }
        let (placed, answered) = calls.counts.withLock { $0 }
        print("""
            flood \(seconds) s on loopback: \(idle) idle TCP and \(stalled) stalled TLS handshakes held (\(held.reopened.load(ordering: .relaxed)) reopened after the box closed them), \(pullers) enrolled pullers
            calls: \(placed) placed, \(answered) answered, \(placed - answered) lost
            central office health: \(probes.count) asked, \(outcome.healthFailures) failed; latency p50 \(String(format: "%.0f", percentile(0.5))) ms, p99 \(String(format: "%.0f", percentile(0.99))) ms, max \(String(format: "%.0f", probes.last ?? .nan)) ms
            pullers: \(outcome.pages) pages served, \(outcome.pullFailures) requests failed (refused or cut)
            box connections: at most \(service.connections.limit); \(counts.evicted) evicted, \(counts.refused) refused, \(counts.timedOut) timed out
            process (box and flood together): peak RSS \(Self.peakRSSMiB()) MiB, \(held.peakDescriptors.load(ordering: .relaxed)) descriptors at most
            """)
    }

    struct Outcome: Sendable {
        var healthMs: [Double] = []
        var healthFailures = 0
        var pages = 0
        var pullFailures = 0
    }

    static func pullAndProbe(base: String, tls: TLSConfiguration, pullers: Int, until deadline: ContinuousClock.Instant) async throws -> Outcome {
        var pool = HTTPClient.Configuration(tlsConfiguration: tls, timeout: .init(connect: .seconds(10), read: .seconds(30)))
        pool.connectionPool = .init(idleTimeout: .seconds(5), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, pullers))
        let flood = HTTPClient(eventLoopGroupProvider: .singleton, configuration: pool)
        let central = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls, timeout: .init(connect: .seconds(10), read: .seconds(10))))
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            for _ in 0..<pullers {
                group.addTask {
                    var o = Outcome()
                    while ContinuousClock.now < deadline {
                        do {
                            let r = try await flood.execute(HTTPClientRequest(url: base + "/v1/changes?after=0&limit=100"), timeout: .seconds(30))
                            _ = try await r.body.collect(upTo: 4 << 20)
                            if r.status == .ok { o.pages += 1 } else { o.pullFailures += 1 }
                        } catch { o.pullFailures += 1 }
                    }
                    return o
                }
            }
            group.addTask {
                var o = Outcome()
                while ContinuousClock.now < deadline {
                    let started = ContinuousClock.now
                    do {
                        let r = try await central.execute(HTTPClientRequest(url: base + "/v1/health"), timeout: .seconds(10))
                        _ = try await r.body.collect(upTo: 1 << 20)
                        let took = ContinuousClock.now - started
                        if r.status == .ok { o.healthMs.append(Double(took.components.seconds) * 1000 + Double(took.components.attoseconds) / 1e15) } else { o.healthFailures += 1 }
                    } catch { o.healthFailures += 1 }
                    try? await Task.sleep(for: .milliseconds(250))
                }
                return o
            }
            var total = Outcome()
            for await o in group {
                total.healthMs += o.healthMs
                total.healthFailures += o.healthFailures
                total.pages += o.pages
                total.pullFailures += o.pullFailures
            }
            return total
        }
        try await flood.shutdown()
        try await central.shutdown()
        return outcome
    }

    static func raiseDescriptorLimit() {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }

    static func peakRSSMiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let kb = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
        return kb / 1024
    }
}

/// The scenario's calls, run again and again until the deadline.
final class CallLoop: Sendable {
    let scenario: Scenario
    let data: String
    let deadline: ContinuousClock.Instant
    let counts = Mutex((placed: 0, answered: 0))
    let done = Atomic(false)

    init(scenario: Scenario, data: String, until deadline: ContinuousClock.Instant) {
        (self.scenario, self.data, self.deadline) = (scenario, data, deadline)
    }

    func run() {
        defer { done.store(true, ordering: .releasing) }
        var round = 0
        while ContinuousClock.now < deadline {
            round += 1
            var config = BoxConfig()
            config.dataDirectory = "\(data)/\(round)"
            config.promptCache = "\(data)/prompt-cache"
            config.lines = scenario.lines ?? 1
            config.demoTraffic = false
            guard (try? FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)) != nil,
                  let report = try? Simulation(scenario: scenario, config: config, verbose: false).run() else {
                counts.withLock { $0.placed += 1 }
                continue
            }
            counts.withLock { $0 = ($0.placed + report.summary.calls, $0.answered + report.summary.answered) }
            try? FileManager.default.removeItem(atPath: config.dataDirectory)
        }
    }
}

/// Idle TCP connections and stalled TLS handshakes, each reopened when the box closes it.
final class HeldConnections: Sendable {
    let port: Int
    let idle: Int
    let stalled: Int
    let reopened = Atomic(0)
    let peakDescriptors = Atomic(0)
    let done = Atomic(false)
    /// The start of a TLS ClientHello, never finished.
    static let partialHello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]

    init(port: Int, idle: Int, stalled: Int) { (self.port, self.idle, self.stalled) = (port, idle, stalled) }

    func run(until deadline: ContinuousClock.Instant) {
        defer { done.store(true, ordering: .releasing) }
        var fds: [(fd: Int32, stalls: Bool)] = []
        defer { fds.forEach { close($0.fd) } }
        for i in 0..<(idle + stalled) { if let fd = open(stalls: i >= idle) { fds.append((fd, i >= idle)) } }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            var polled = fds.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            guard poll(&polled, nfds_t(polled.count), 200) >= 0 else { break }
            for (i, p) in polled.enumerated() where p.revents != 0 {
                let n = read(p.fd, &buffer, buffer.count)
                guard n <= 0 else { continue }
                close(p.fd)
                fds[i].fd = open(stalls: fds[i].stalls) ?? -1
                reopened.add(1, ordering: .relaxed)
            }
            fds.removeAll { $0.fd < 0 }
            let inUse = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
            if inUse > peakDescriptors.load(ordering: .relaxed) { peakDescriptors.store(inUse, ordering: .relaxed) }
        }
    }

    /// Connects without waiting (a full accept queue must not stall the flood); a stalled
    /// handshake's first bytes go out as soon as the connection is up.
    private func open(stalls: Bool) -> Int32? {
        guard let fd = LoopbackAddress.connect(port: port, waiting: false) else { return nil }
        if stalls {
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&p, 1, 100) > 0 { _ = Self.partialHello.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
        }
        return fd
    }
}
