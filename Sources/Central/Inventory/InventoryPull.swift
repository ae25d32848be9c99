import Foundation
import NIOSSL
import UplinkWire

/// Pulls every enrolled box of the inventory, each trusting only its own pinned certificate,
/// `parallel` at a time, delivers what its outbox holds for it, and records how each went
/// (`box list`, metrics).
package struct InventoryPull: Sendable {
    package let inventory: BoxInventory
    package let target: any PullTarget
    /// Where content pushes' bytes are kept (the pull target's media store).
    package let store: MediaStore
    /// The central office's own identity (PEM files).
    package let certificate: String
    package let key: String
    package let pageSize: Int
    package let parallel: Int

    package init(inventory: BoxInventory, target: PostgresTarget, certificate: String, key: String, pageSize: Int = 500, parallel: Int = 8) {
        self.inventory = inventory
        self.target = target
        store = target.store
        self.certificate = certificate
        self.key = key
        self.pageSize = pageSize
        self.parallel = parallel
    }

    package func run() async throws -> [(node: String, result: Result<Puller.Report, Puller.PullError>)] {
        let boxes = try await inventory.enrolled()
        return await Bounded.map(boxes, parallel: parallel) { box in
            let started = ContinuousClock.now
            let result = await pull(box)
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            do { try await inventory.record(node: box.node, result: result, seconds: seconds) } catch {
                return (box.node, .failure(Puller.PullError(description: "\(box.url): pulled, but its health could not be recorded: \(error)")))
            }
            return (box.node, result)
        }
    }

    /// Delivers box `node`'s outbox now (the desk calls this after adding to it); a box not
    /// reached keeps its outbox for the next pull.
    package func deliver(node: String) async throws -> Outbox.Delivery? {
        guard let box = try await inventory.enrolled().first(where: { $0.node == node }) else { return nil }
        return try await withPuller(box) { puller in try await Outbox(database: inventory.database).deliver(node: node, base: box.url, via: puller, store: store) }
    }

    private func pull(_ box: BoxInventory.Enrolled) async -> Result<Puller.Report, Puller.PullError> {
        do {
            return .success(try await withPuller(box) { puller in
                var report = try await puller.pull(box: box.url, enrolledAs: box.node)
                report.sent = try await Outbox(database: inventory.database).deliver(node: box.node, base: box.url, via: puller, store: store)
                return report
            })
        } catch let error as Puller.PullError {
            return .failure(Puller.PullError(description: "\(box.url): \(error.description)"))
        } catch {
            return .failure(Puller.PullError(description: "\(box.url): \(error)"))
        }
    }

    /// A puller that trusts only this box's enrolled certificate, for the length of `body`.
    private func withPuller<T: Sendable>(_ box: BoxInventory.Enrolled, _ body: (Puller) async throws -> T) async throws -> T {
        let pinned = try NIOSSLCertificate(bytes: Array(box.certificatePEM.utf8), format: .pem)
        let tls = try UplinkTLS.client(certificate: certificate, key: key, box: pinned, named: "box \(box.node)'s enrolled certificate")
        let puller = Puller(tls: tls, target: target, pageSize: pageSize)
        do {
            let result = try await body(puller)
            try? await puller.shutdown()
            return result
        } catch {
            try? await puller.shutdown()
            throw error
        }
    }
}
