import AsyncHTTPClient
import Box
import Central
import Foundation
import HotlineModel
import Lab
import LocalDB
import NIOCore
import NIOHTTP1
import NIOSSL
import SystemTestSupport
import TestSupport
import UplinkServer
import UplinkWire

/// A box's uplink on loopback with real data behind it (calls, a complaint with its recording,
/// a received fax, survey answers, whole-call recordings) and a central office client.
final class UplinkRig: @unchecked Sendable {
    let scratch: ScratchDirectory
    let config: BoxConfig
    let runner: UplinkRunner
    let central: HTTPClient

    var base: String { "https://127.0.0.1:\(runner.port)" }
    var data: String { config.dataDirectory }

    /// Certificates made once per test process: the box, the central office it trusts, and a
    /// stranger with a well-formed certificate the box never enrolled.
    static let identities: Result<String, any Error> = Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-test-tls-\(getpid())").path
        try FileManager.default.createDirectory(atPath: "\(dir)/trust", withIntermediateDirectories: true)
        for (name, role) in [("box", UplinkCertificate.Role.server), ("central", .client), ("stranger", .client)] {
            let made = try UplinkCertificate.create(name: name, hosts: ["localhost", "127.0.0.1"], days: 365, role: role)
            try made.keyPEM.write(toFile: "\(dir)/\(name).key", atomically: true, encoding: .utf8)
            try made.certificatePEM.write(toFile: "\(dir)/\(name).crt", atomically: true, encoding: .utf8)
        }
        try FileManager.default.copyItem(atPath: "\(dir)/central.crt", toPath: "\(dir)/trust/central.crt")
        return dir
    }

    /// A box's data after three example scenarios, made once and copied for each rig.
    static let template: Result<String, any Error> = Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-test-uplink-box-\(getpid())").path
        var c = try SimulationRig.config(data: dir)
        for name in ["complaint", "fax-callers", "survey"] {
            let scenario = try Scenario.load("\(SimulationRig.repository)/scenarios/\(name).json")
            c.lines = scenario.lines ?? 1
            _ = try Simulation(scenario: scenario, config: c, verbose: false).run()
        }
        return dir
    }

    /// Made on a thread of its own: starting the server blocks until it listens, and Swift's
    /// cooperative pool (two threads here) must stay free to run it.
    /// `updates`: the box's updater (SimulatedRAUC's); `diskFreeBytes`: a disk of that many free bytes.
    static func make(retentionDays: Double = 30, populated: Bool = true, node: String = "1", bounds: UplinkBounds = .init(),
                     scratch: ScratchDirectory? = nil, updates: UpdateInstaller? = nil, diskFreeBytes: (@Sendable () -> Int)? = nil) async throws -> UplinkRig {
        try await offPool {
            try UplinkRig(retentionDays: retentionDays, populated: populated, node: node, bounds: bounds, scratch: scratch, updates: updates, diskFreeBytes: diskFreeBytes)
        }
    }

    /// For callers already on a thread of their own.
    static func start(retentionDays: Double = 30, populated: Bool = true, node: String = "1", bounds: UplinkBounds = .init()) throws -> UplinkRig {
        try UplinkRig(retentionDays: retentionDays, populated: populated, node: node, bounds: bounds, scratch: nil, updates: nil, diskFreeBytes: nil)
    }

    private init(retentionDays: Double, populated: Bool, node: String, bounds: UplinkBounds, scratch: ScratchDirectory?,
                 updates: UpdateInstaller?, diskFreeBytes: (@Sendable () -> Int)?) throws {
        self.scratch = try scratch ?? ScratchDirectory()
        let scratch = self.scratch
        let tls = try Self.identities.get()
        var c = try SimulationRig.config(data: scratch.path("box"))
        if populated {
            let template = try Self.template.get()
            try FileManager.default.copyItem(atPath: template, toPath: scratch.path("box"))
            // The store keeps absolute paths: point the copy's at the copy's files.
            let store = try CaseStore(path: scratch.path("box/cases.sqlite"), prefix: c.nodePrefix)
            try store.db.query("UPDATE media SET path = replace(path, ?, ?)", [template, scratch.path("box")])
        } else {
            try FileManager.default.createDirectory(atPath: scratch.path("box"), withIntermediateDirectories: true)
        }
        c.nodePrefix = NodePrefix(node)!
        c.uplink = UplinkConfig(enabled: true, host: "127.0.0.1", port: 0, certificate: "\(tls)/box.crt", key: "\(tls)/box.key",
                                trust: "\(tls)/trust", retentionDays: retentionDays)
        c.uplink.bounds = bounds
        c.diskFreeBytes = diskFreeBytes
        config = c
        runner = try UplinkRunner(service: UplinkService(config: c, updates: updates))
        central = Self.client(identity: "central")
    }

    /// An HTTPS client presenting `identity`'s certificate (nil: none) and trusting the box.
    static func client(identity: String?) -> HTTPClient {
        let dir = try! identities.get()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try! NIOSSLCertificate.fromPEMFile("\(dir)/box.crt"))
        if let identity {
            tls.certificateChain = try! NIOSSLCertificate.fromPEMFile("\(dir)/\(identity).crt").map { .certificate($0) }
            tls.privateKey = .privateKey(try! NIOSSLPrivateKey(file: "\(dir)/\(identity).key", format: .pem))
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls, decompression: .enabled(limit: .ratio(200))))
    }

    func puller(into dir: String, via port: Int? = nil) throws -> (Puller, String) {
        try puller(target: DirectoryTarget(directory: dir), via: port)
    }

    func puller(target: any PullTarget, via port: Int? = nil) throws -> (Puller, String) {
        let tls = try Self.identities.get()
        let client = try UplinkTLS.client(certificate: "\(tls)/central.crt", key: "\(tls)/central.key", trust: "\(tls)/box.crt")
        return (Puller(tls: client, target: target), "https://127.0.0.1:\(port ?? runner.port)")
    }

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    func request(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = [], client: HTTPClient? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await (client ?? central).execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 256 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    func json(_ method: HTTPMethod, _ path: String, _ object: [String: Any]) async throws -> Reply {
        try await request(method, path, body: try JSONSerialization.data(withJSONObject: object), headers: [("Content-Type", "application/json")])
    }

    deinit {
        try? central.syncShutdown()
        runner.stop()
    }

    func shutdown() async {
        try? await central.shutdown()
        runner.stop()
    }
}

/// Runs blocking work (a simulation, say) on its own thread, keeping Swift's small cooperative
/// pool free for the server and client it talks to.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
