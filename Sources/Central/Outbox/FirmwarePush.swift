import Foundation
import NIOHTTP1
import SystemSupport
import UplinkWire

/// A firmware bundle sent to one box a piece at a time (`PUT /v1/content/firmware`), from the
/// bytes the box says it has: a dropped leased line, a restart of either end or a lost reply
/// costs at most one piece. A round sends for `budget` at most, so a bundle that takes hours at
/// 64 kbit/s never holds a box's pulls back for long; the next round goes on from there.
package struct FirmwarePush: Sendable {
    let puller: Puller
    let base: String
    let file: String
    let sha256: String
    let budget: Duration

    package init(puller: Puller, base: String, file: String, sha256: String, budget: Duration) {
        self.puller = puller
        self.base = base
        self.file = file
        self.sha256 = sha256
        self.budget = budget
    }

    package enum Outcome: Sendable {
        /// The box's last answer: RAUC has the bundle (2xx), or it refused it.
        case answered(HTTPResponseStatus, Data)
        /// The round's time is up; the bytes the box has, and the whole.
        case inProgress(received: Int, total: Int)
    }

    private static let path = "/v1/content/firmware"

    package func run() async throws -> Outcome {
        let reader = try FileReader(file)
        let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? 0
        let digest = "sha-256=:\(Data(hexString: sha256).base64EncodedString()):"
        let deadline = ContinuousClock.now + budget
        var offset: Int
        switch try await resume() {
        case .answered(let status, let data): return .answered(status, data)
        case .inProgress(let received, _): offset = received
        }
        var conflicts = 0
        while true {
            // Every byte there but not handed to RAUC yet (it was installing another): the last
            // piece again hands it over.
            if offset >= size { offset = max(0, size - UplinkLimits.firmwarePieceBytes) }
            let bytes = try reader.read(at: offset, upTo: min(UplinkLimits.firmwarePieceBytes, size - offset))
            guard !bytes.isEmpty else { throw CentralRefusal("\(file) is shorter than when it was queued") }
            let (status, data) = try await puller.send(.PUT, base, Self.path, body: Data(bytes), type: "application/octet-stream",
                                                       headers: [("Content-Range", "bytes \(offset)-\(offset + bytes.count - 1)/\(size)"), ("Repr-Digest", digest)],
                                                       timeout: 600)
            switch status {
            case .ok:
                let transfer = try WireJSON.decode(FirmwareTransfer.self, from: data)
                if transfer.handedToRAUC { return .answered(status, data) }
                offset = transfer.received
            case .conflict where conflicts < 2:
                // The box has other bytes than this end thought (a piece lost, or the box's disk
                // lost a tail in a power cut): go on from what it says it has.
                conflicts += 1
                switch try await resume() {
                case .answered(let status, let data): return .answered(status, data)
                case .inProgress(let received, _): offset = received
                }
            default:
                return .answered(status, data)
            }
            if ContinuousClock.now >= deadline { return .inProgress(received: offset, total: size) }
        }
    }

    /// Where to go on from: the box's bytes of this bundle (0 for another or none), or its
    /// answer when it has handed this bundle to RAUC already.
    private func resume() async throws -> Outcome {
        let (status, data) = try await puller.send(.GET, base, Self.path)
        guard status == .ok else { return .answered(status, data) }
        let state = try WireJSON.decode(FirmwareState.self, from: data)
        guard let transfer = state.transfer, transfer.sha256 == sha256 else { return .inProgress(received: 0, total: 0) }
        return transfer.handedToRAUC ? .answered(status, WireJSON.encode(transfer)) : .inProgress(received: transfer.received, total: transfer.total)
    }
}
