import Box
import Foundation
import SystemSupport
import SystemTestSupport
import Testing
import TestSupport
import UplinkServer

/// What a peer may cost the box: connections, handshakes, bodies and methods, each refused by
/// its bound while the central office keeps being served.
@Suite(.serialized, .tags(.system), .skippedInFastRun)
struct UplinkBoundsTests {
    /// About 1,100 idle TCP connections took every descriptor on 429158c, and the box died.
    /// Here strangers (idle sockets and stalled TLS handshakes) never hold more than the cap, are
    /// cut at the handshake deadline, and the enrolled central office still gets in.
    @Test func strangersCannotHoldTheUplink() async throws {
        var bounds = UplinkBounds()
        bounds.maxConnections = 16
        bounds.handshakeMs = 1000
        let rig = try await UplinkRig.make(populated: false, bounds: bounds)
        var strangers: [Int32] = []
        defer { strangers.forEach { close($0) } }
        for i in 0..<300 {
            let fd = try #require(LoopbackAddress.connect(port: rig.runner.port))
            // Every third one starts a TLS handshake it never finishes.
            if i % 3 == 0 { _ = [UInt8]([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
            strangers.append(fd)
        }
        // Strangers whose SYNs overflowed the accept queue arrive after the central office's
        // connection and, while its handshake is still going, can evict it as the oldest
        // stranger; the central office's client tries again, as the puller does.
        var status = 0
        for _ in 0..<3 where status != 200 { status = (try? await rig.request(.GET, "/v1/health").status) ?? 0 }
        #expect(status == 200)
        let counts = rig.runner.service.connections.counts
        #expect(counts.open <= 16 && counts.evicted > 0, "\(counts)")
        // The newest strangers are cut at the handshake deadline: their reads end.
        #expect(strangers.suffix(8).allSatisfy { closedByPeer($0, withinSeconds: 10) })
        #expect(rig.runner.service.connections.counts.timedOut > 0)
        await rig.shutdown()
    }

    @Test func aBodyOverItsLimitIsRefusedWithTheLimitNamed() async throws {
        var bounds = UplinkBounds()
        bounds.maxJSONBytes = 2048
        let rig = try await UplinkRig.make(populated: false, bounds: bounds)
        let reply = try await rig.request(.POST, "/v1/ack", body: Data(("{\"seq\": 1, \"pad\": \"" + String(repeating: "x", count: 4000) + "\"}").utf8),
                                          headers: [("Content-Type", "application/json")])
        #expect(reply.status == 413)
        #expect((reply.json["error"] as? String ?? "").contains("max_json_body"), "\(reply.json)")
        #expect(try await rig.request(.GET, "/v1/health").status == 200)
        await rig.shutdown()
    }

    @Test(arguments: [("DELETE", "/v1/health", "GET"), ("GET", "/v1/ack", "POST"), ("POST", "/v1/media/3", "GET"),
                      ("PATCH", "/v1/cases/10000001/status", "PUT"), ("OPTIONS", "/v1/changes", "GET"), ("PURGE", "/v1/content", "GET"), ("DELETE", "/v1/content/flow", "PUT")])
    func aMethodAPathDoesNotTakeIs405(method: String, path: String, allowed: String) async throws {
        let rig = try await UplinkRig.make(populated: false)
        let reply = try await rig.request(.RAW(value: method), path)
        #expect(reply.status == 405, "\(method) \(path)")
        #expect(reply.headers["Allow"].first == allowed)
        #expect((reply.json["error"] as? String ?? "").contains(allowed))
        #expect(try await rig.request(.GET, "/v1/no/such/path").status == 404)
        await rig.shutdown()
    }
}
