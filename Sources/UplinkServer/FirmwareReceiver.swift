import Box
import Foundation
import Synchronization
import SystemSupport
import UplinkWire

/// A firmware bundle pushed by the central office (`PUT /v1/content/firmware`), a piece at a
/// time: at 64 kbit/s a bundle takes hours, and a leased line drops. Each piece names the whole
/// bundle by its digest (`Repr-Digest`) and its place in it (`Content-Range`); it is appended to
/// firmware/DIGEST-TOTAL.part on the data partition and synced before it is acknowledged, so a
/// dropped line, a restart or a power cut costs at most the piece in flight, and the central
/// office goes on from the bytes the box says it has. Only a bundle whose every byte arrived
/// and hashes to its digest is renamed DIGEST.raucb and handed to RAUC, which checks its
/// signature against the box's keyring; the digest is recorded first, so a piece sent again
/// after a lost reply never installs it twice. One bundle at a time: a push under another digest
/// discards the partial one. The partition keeps room for recordings: a bundle that would eat
/// into it is refused before its bytes cross the line.
package final class FirmwareReceiver: Sendable {
    /// `Content-Range: bytes FIRST-LAST/TOTAL` (RFC 9110 §14.4) of one piece.
    package struct Piece: Equatable, Sendable {
        package var first: Int
        package var last: Int
        package var total: Int

        package var count: Int { last - first + 1 }

        /// nil when the header is not one range of a known total inside it.
        package init?(contentRange header: String) {
            guard header.hasPrefix("bytes ") else { return nil }
            let spec = header.dropFirst(6)
            let halves = spec.split(separator: "/", omittingEmptySubsequences: false)
            guard halves.count == 2 else { return nil }
            let ends = halves[0].split(separator: "-", omittingEmptySubsequences: false)
            func number(_ digits: Substring) -> Int? { digits.count <= 18 && !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber } ? Int(digits) : nil }
            guard ends.count == 2, let first = number(ends[0]), let last = number(ends[1]), let total = number(halves[1]),
                  first <= last, last < total else { return nil }
            (self.first, self.last, self.total) = (first, last, total)
        }

        package init(first: Int, last: Int, total: Int) {
            (self.first, self.last, self.total) = (first, last, total)
        }
    }

    package enum Refusal: Error, Equatable {
        case badRequest(String)
        /// The piece does not start where the box's bytes end, or contradicts the bundle's total.
        case conflict(String)
        case tooLarge(String)
        /// The rest of the bundle would leave less than the room kept for recordings.
        case noRoom(String)
        /// Complete, but RAUC is installing something else: the same piece again later hands it over.
        case busy(String)
        case unprocessable(String)
    }

    private let directory: String
    private let updates: UpdateInstaller
    private let freeBytes: @Sendable () -> Int
    private let keepFreeBytes: Int
    /// Pieces are written one at a time, whoever sends them.
    private let writing = Mutex(())

    /// `keepFreeBytes`: what a bundle may not take of the data partition (the recordings' floor).
    package init(dataDirectory: String, updates: UpdateInstaller, keepFreeBytes: Int, freeBytes: @escaping @Sendable () -> Int) {
        directory = "\(dataDirectory)/firmware"
        self.updates = updates
        self.keepFreeBytes = keepFreeBytes
        self.freeBytes = freeBytes
    }

    /// `Repr-Digest: sha-256=:BASE64:` (RFC 9530) as lowercase hex; nil when it names no SHA-256.
    package static func digest(reprDigest header: String) -> String? {
        for member in header.split(separator: ",") {
            let item = member.trimmingCharacters(in: .whitespaces)
            guard item.hasPrefix("sha-256=:"), item.hasSuffix(":"), item.count > 10 else { continue }
            guard let bytes = Data(base64Encoded: String(item.dropFirst(9).dropLast())), bytes.count == 32 else { return nil }
            return ContentDigest.hex(bytes)
        }
        return nil
    }

    /// Takes one piece of bundle `sha256`; what the box has of it afterwards.
    package func receive(sha256: String, piece: Piece, body: Data) throws(Refusal) -> FirmwareTransfer {
        guard updates.available else {
            throw .unprocessable("this box has no RAUC (it was installed from the Debian package): update it with apt, not a bundle")
        }
        guard piece.total <= UplinkLimits.maxFirmwareBytes else {
            throw .tooLarge("a firmware bundle is at most \(UplinkLimits.maxFirmwareBytes) bytes, not \(piece.total)")
        }
        guard body.count == piece.count else {
            throw .badRequest("the body has \(body.count) bytes; its Content-Range (bytes \(piece.first)-\(piece.last)/\(piece.total)) says \(piece.count)")
        }
        return try writing.withLock { _ throws(Refusal) -> FirmwareTransfer in
            let bundle = "\(directory)/\(sha256).raucb"
            // Once per digest; again only when RAUC failed it (a deliberate push once more).
            if let handed = handedOver(), handed.sha256 == sha256, !updates.failed(bundle) {
                return handed.transfer(update: updateStatus().last)
            }
            if !FileManager.default.fileExists(atPath: bundle) {
                let received = try append(piece, body, sha256: sha256)
                guard received == piece.total else {
                    return FirmwareTransfer(sha256: sha256, received: received, total: piece.total, handedToRAUC: false, update: nil)
                }
                try verify(sha256: sha256, total: piece.total, into: bundle)
            }
            return try handOver(bundle, sha256: sha256, total: piece.total)
        }
    }

    /// The bundle on its way (or the last handed over) and what `update status` says.
    package func state() -> FirmwareState {
        let update = updateStatus()
        let transfer = writing.withLock { _ in partial() ?? handedOver()?.transfer(update: update.last) }
        return FirmwareState(transfer: transfer, update: update)
    }

    /// `update status` by lines: the last says how RAUC's install goes.
    private func updateStatus() -> [String] { updates.status().split(separator: "\n").map(String.init) }

    // MARK: Files

    private var handedFile: String { "\(directory)/handed-to-rauc" }

    /// The last bundle given to RAUC, as its record says ("DIGEST TOTAL"): read for every piece,
    /// so RAUC itself is asked only when a reply says how its install goes.
    private struct Handed {
        var sha256: String
        var total: Int
        func transfer(update: String?) -> FirmwareTransfer {
            FirmwareTransfer(sha256: sha256, received: total, total: total, handedToRAUC: true, update: update)
        }
    }

    private func handedOver() -> Handed? {
        guard let text = try? String(contentsOfFile: handedFile, encoding: .utf8) else { return nil }
        let words = text.split(separator: " ")
        guard words.count == 2, let total = Int(words[1]) else { return nil }
        return Handed(sha256: String(words[0]), total: total)
    }

    /// The bundle being received: its digest, total and bytes so far.
    private func partial() -> FirmwareTransfer? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasSuffix(".part") {
            let words = name.dropLast(5).split(separator: "-")
            guard words.count == 2, let total = Int(words[1]) else { continue }
            let size = (try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)"))?[.size] as? Int ?? 0
            return FirmwareTransfer(sha256: String(words[0]), received: size, total: total, handedToRAUC: false, update: nil)
        }
        for name in names where name.hasSuffix(".raucb") {
            let size = (try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)"))?[.size] as? Int ?? 0
            return FirmwareTransfer(sha256: String(name.dropLast(6)), received: size, total: size, handedToRAUC: false, update: nil)
        }
        return nil
    }

    /// Appends the piece's new bytes to the partial bundle; the bytes the box has afterwards.
    private func append(_ piece: Piece, _ body: Data, sha256: String) throws(Refusal) -> Int {
        let partName = "\(sha256)-\(piece.total).part"
        let part = "\(directory)/\(partName)"
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw .unprocessable("cannot make \(directory): \(error)")
        }
        // Another bundle's bytes are superseded: the central office pushes one firmware at a time.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name != partName {
            if name.hasPrefix(sha256 + "-") && name.hasSuffix(".part") {
                throw .conflict("bundle \(sha256.prefix(16))… was begun as \(name.dropFirst(65).dropLast(5)) bytes, not \(piece.total)")
            }
            if name.hasSuffix(".part") || name.hasSuffix(".raucb") { try? FileManager.default.removeItem(atPath: "\(directory)/\(name)") }
        }
        let received = (try? FileManager.default.attributesOfItem(atPath: part))?[.size] as? Int ?? 0
        // A piece the box has already (its reply was lost): nothing to write.
        guard piece.last >= received else { return received }
        guard piece.first == received else {
            throw .conflict("the box has \(received) bytes of bundle \(sha256.prefix(16))…: send from byte \(received), not \(piece.first)")
        }
        let free = freeBytes()
        guard free - (piece.total - received) >= keepFreeBytes else {
            throw .noRoom("the data partition has \(free >> 20) MiB free; the rest of this bundle (\((piece.total - received) >> 20) MiB) would leave less than the \(keepFreeBytes >> 20) MiB kept for recordings")
        }
        do {
            if !FileManager.default.fileExists(atPath: part) { FileManager.default.createFile(atPath: part, contents: nil) }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: part))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: body)
            try handle.synchronize()
        } catch {
            // Whatever reached the disk stays: the next piece is asked from its end.
            throw .unprocessable("the piece could not be written to \(part): \(error)")
        }
        return received + body.count
    }

    /// The complete bundle hashes to its digest, or its bytes are dropped.
    private func verify(sha256: String, total: Int, into bundle: String) throws(Refusal) {
        let part = "\(directory)/\(sha256)-\(total).part"
        let hashed: String
        do { hashed = try ContentDigest.sha256Hex(file: part).sha256 } catch { throw .unprocessable("cannot read \(part): \(error)") }
        guard hashed == sha256 else {
            try? FileManager.default.removeItem(atPath: part)
            throw .unprocessable("the bundle's bytes hash to \(hashed), not to the digest it was pushed under (\(sha256)): they were discarded; push it again")
        }
        do { try DurableFile.move(part, to: bundle) } catch { throw .unprocessable("\(error)") }
    }

    /// Records the digest, then starts RAUC on the bundle (deleted once RAUC ends).
    private func handOver(_ bundle: String, sha256: String, total: Int) throws(Refusal) -> FirmwareTransfer {
        do { try DurableFile.write(Data("\(sha256) \(total)".utf8), to: handedFile) } catch { throw .unprocessable("\(error)") }
        let start = updates.install(bundle, discardWhenDone: true)
        guard start.began else {
            try? FileManager.default.removeItem(atPath: handedFile)
            throw .busy(start.message)
        }
        return FirmwareTransfer(sha256: sha256, received: total, total: total, handedToRAUC: true, update: start.message)
    }
}
