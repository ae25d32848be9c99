import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import SystemSupport
import UplinkWire

/// The central office's side of the uplink: pulls each box's change feed and media into a
/// target (a directory or PostgreSQL), durably, then acks. Safe to stop at any moment and run
/// again: what the target holds decides where it resumes, so every change lands exactly once.
/// Each medium is checked against the box's SHA-256 before the target takes it.
package final class Puller: Sendable {
    package let client: HTTPClient
    package let target: any PullTarget
    package let pageSize: Int
    /// The pauses before a request is sent again after its connection dropped (`execute`).
    let retryPauses: [Duration]

    package struct PullError: Error, CustomStringConvertible {
        package var description: String
    }

    package struct Report: Sendable, CustomStringConvertible {
        package var box: String
        package var node = ""
        package var changes = 0
        package var media = 0
        package var mediaBytes = 0
        package var acked = 0
        /// What the box still had waiting when the pull ended (changes come in during a pull).
        package var lagChanges = 0
        package var lagBytes = 0
        /// What went back to the box from the outbox (inventory pulls).
        package var sent = Outbox.Delivery()
        package var description: String {
            "\(box): node \(node), \(changes) changes and \(media) media (\(mediaBytes) bytes) stored, acked up to \(acked); \(lagChanges) changes and \(lagBytes) media bytes still waiting"
                + (sent == Outbox.Delivery() ? "" : "; sent back \(sent.delivered), refused \(sent.refused), \(sent.waiting) waiting")
        }
    }

    package convenience init(tls: TLSConfiguration?, into directory: String, pageSize: Int = 500, retryPauses: [Duration] = defaultRetryPauses) {
        self.init(tls: tls, target: DirectoryTarget(directory: directory), pageSize: pageSize, retryPauses: retryPauses)
    }

    /// `retryPauses`: a benchmark that plays the line faster than real time shortens them alike.
    package init(tls: TLSConfiguration?, target: any PullTarget, pageSize: Int = 500, retryPauses: [Duration] = defaultRetryPauses) {
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, timeout: .init(connect: .seconds(20), read: .seconds(120)),
                                                     decompression: .enabled(limit: .ratio(200)))
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.target = target
        self.pageSize = pageSize
        self.retryPauses = retryPauses
    }

    package func shutdown() async throws { try await client.shutdown() }

    deinit { try? client.syncShutdown() }

    /// Pulls every box, `parallel` at a time; one box failing or slow does not stop the others.
    package func pull(boxes: [String], parallel: Int = 8) async -> [Result<Report, PullError>] {
        await Bounded.map(boxes, parallel: parallel) { box in
            do { return .success(try await self.pull(box: box)) } catch {
                return .failure(PullError(description: "\(box): \(error)"))
            }
        }
    }

    /// Pulls one box; `enrolledAs`, when given, is the node the box must say it is before
    /// anything it sends is stored.
    package func pull(box base: String, enrolledAs: String? = nil) async throws -> Report {
        var report = Report(box: base)
        let health: Health = try await exchange(.GET, base, "/v1/health")
        let node = health.node
        guard !node.isEmpty, node.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw PullError(description: "health names no node") }
        if let enrolledAs, enrolledAs != node {
            throw PullError(description: "the box says it is node \(node), but it is enrolled as \(enrolledAs); nothing was stored")
        }
        report.node = node
        let sink = try await target.open(node: node, url: base)
        while true {
            let page: ChangesPage = try await exchange(.GET, base, "/v1/changes?after=\(try await sink.cursor())&limit=\(pageSize)")
            let changes = page.changes
            for change in changes where change.entity == .media && change.change == .created {
                if let bytes = try await fetchMedia(change.id, base: base, into: sink) {
                    report.media += 1
                    report.mediaBytes += bytes
                }
            }
            // Durable before the ack: the box may delete what we ack.
            try await sink.commit(changes)
            report.changes += changes.count
            if let last = changes.last?.seq {
                let acked: AckReply = try await exchange(.POST, base, "/v1/ack", body: WireJSON.encode(AckRequest(seq: last)))
                report.acked = acked.acked
            }
            if !page.more || changes.isEmpty { break }
        }
        let after: Health = try await exchange(.GET, base, "/v1/health")
        report.lagChanges = after.pendingChanges
        report.lagBytes = after.pendingMediaBytes
        return report
    }

    /// Downloads one media item unless it is already here; resumes a partial download with
    /// Range + If-Range. Returns the bytes stored, nil when it was already complete.
    private func fetchMedia(_ id: Int, base: String, into sink: any BoxSink, restarted: Bool = false) async throws -> Int? {
        if try await sink.holds(media: id) { return nil }
        let dir = sink.staging
        let part = "\(dir)/\(id).part", tagFile = "\(dir)/\(id).part.etag"
        var offset = 0
        var etag = try? String(contentsOfFile: tagFile, encoding: .utf8)
        if etag != nil, let size = (try? FileManager.default.attributesOfItem(atPath: part))?[.size] as? Int { offset = size } else { etag = nil }
        var request = HTTPClientRequest(url: base + "/v1/media/\(id)")
        if let etag, offset > 0 {
            request.headers.add(name: "Range", value: "bytes=\(offset)-")
            request.headers.add(name: "If-Range", value: etag)
        }
        let response = try await execute(request, timeout: 600)
        switch response.status {
        case .ok:
            offset = 0
        case .partialContent:
            guard response.headers.first(name: "Content-Range")?.hasPrefix("bytes \(offset)-") == true else {
                throw PullError(description: "media \(id): the box resumed at the wrong offset")
            }
        case .rangeNotSatisfiable:
            // The partial file is already whole or longer than the media: start again, once. A
            // box that refuses a request with no range at all is broken, not resumable.
            try? FileManager.default.removeItem(atPath: part)
            try? FileManager.default.removeItem(atPath: tagFile)
            guard !restarted else { throw PullError(description: "media \(id): HTTP 416 to a request for the whole item") }
            return try await fetchMedia(id, base: base, into: sink, restarted: true)
        case .gone:
            try await sink.keepGone(media: id)
            return 0
        default:
            throw PullError(description: "media \(id): HTTP \(response.status.code) \(String(buffer: try await response.body.collect(upTo: 1 << 16)))")
        }
        guard let tag = response.headers.first(name: "ETag"), tag.count == 66 else { throw PullError(description: "media \(id): no SHA-256 ETag") }
        if offset == 0 {
            FileManager.default.createFile(atPath: part, contents: nil)
            try DurableFile.write(Data(tag.utf8), to: tagFile)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: part))
        try handle.truncate(atOffset: UInt64(offset))
        try handle.seekToEnd()
        do {
            // Written as it arrives, so a cut connection keeps what already came.
            for try await chunk in response.body { try handle.write(contentsOf: Data(chunk.readableBytesView)) }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        let (size, digest) = try ContentDigest.sha256Hex(file: part)
        guard "\"\(digest)\"" == tag else {
            try? FileManager.default.removeItem(atPath: part)
            try? FileManager.default.removeItem(atPath: tagFile)
            throw PullError(description: "media \(id): SHA-256 mismatch (got \(digest), the box says \(tag)); will fetch again")
        }
        let type = response.headers.first(name: "Content-Type") == MediaContentType.tiff ? MediaContentType.tiff : MediaContentType.opus
        try await sink.keep(media: id, file: part, contentType: type, sha256: digest, size: size)
        try? FileManager.default.removeItem(atPath: tagFile)
        return size
    }

    /// One JSON request and its typed reply; a refusal is an error with the box's own words.
    private func exchange<Reply: Decodable>(_ method: HTTPMethod, _ base: String, _ path: String, body: Data? = nil) async throws -> Reply {
        let (status, data) = try await send(method, base, path, body: body)
        guard status == .ok else { throw PullError(description: "\(method) \(path): HTTP \(status.code): \(Self.refusal(data))") }
        do { return try WireJSON.decode(Reply.self, from: data) } catch {
            throw PullError(description: "\(method) \(path): the box's reply is not a \(Reply.self): \(error)")
        }
    }

    /// One request to a box: its status and body (at most 64 MiB), whatever the status.
    package func send(_ method: HTTPMethod, _ base: String, _ path: String, body: Data? = nil, type: String = "application/json",
                      headers: [(String, String)] = [], timeout: Int64 = 120) async throws -> (HTTPResponseStatus, Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Accept-Encoding", value: "gzip")
        request.headers.add(contentsOf: headers)
        if let body {
            request.headers.add(name: "Content-Type", value: type)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await execute(request, timeout: timeout)
        return (response.status, Data((try await response.body.collect(upTo: 64 << 20)).readableBytesView))
    }

    package static let defaultRetryPauses: [Duration] = [.seconds(1), .seconds(3)]

    /// A request, sent again (twice at most, after 1 and 3 s) when the connection closes before
    /// any answer: a leased line drops, and a box under load cuts a handshake at its deadline.
    /// Every request the puller makes is safe to repeat (reads, acks that only move forward,
    /// versioned statuses, call-backs by id, whole content, firmware pieces). A box that does not
    /// answer at all is not retried here: its connect and read timeouts already bound it.
    private func execute(_ request: HTTPClientRequest, timeout: Int64) async throws -> HTTPClientResponse {
        var attempt = 0
        while true {
            do { return try await client.execute(request, timeout: .seconds(timeout)) } catch {
                guard attempt < retryPauses.count, Self.isDropped(error) else { throw error }
                try await Task.sleep(for: retryPauses[attempt])
                attempt += 1
            }
        }
    }

    /// A connection closed or reset under the request, as opposed to a box that never answered.
    static func isDropped(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError { return error == .remoteConnectionClosed }
        return error is NIOSSLError || error is ChannelError || (error as? IOError)?.errnoCode == ECONNRESET
    }

    /// A box's refusal in its own words.
    package static func refusal(_ data: Data) -> String {
        (try? WireJSON.decode(ErrorReply.self, from: data))?.error ?? String(decoding: data.prefix(1000), as: UTF8.self)
    }
}
