import Box
import Foundation
import HTTPTypes
import HotlineModel
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import LocalDB
import Logging
import NIOCore
import NIOSSL
import SystemSupport
import UplinkWire

/// Request context for the uplink: pushes carry prompt packs, larger than Hummingbird's default.
package struct UplinkContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    let channel: any Channel
    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
    package var maxUploadSize: Int { ContentPush.maxPackBytes + (1 << 20) }

    /// Whose certificate the request came with (nil on plain HTTP).
    var peer: PeerIdentity? {
        get async { (try? await channel.nioSSL_peerCertificate().get()).flatMap { $0 }.flatMap { try? PeerIdentity($0) } }
    }
}

/// The box's HTTPS API for the central office (docs/uplink-openapi.yaml): mutual TLS, JSON
/// gzipped when the client accepts it, media with Range resume and a SHA-256 digest.
package enum UplinkServer {
    /// Every path the server answers and the methods it takes there; another method on one of
    /// these paths is a 405 naming them, an unknown path a 404.
    package static let routes: [(path: String, methods: [HTTPRequest.Method])] = [
        ("/v1/health", [.get]), ("/v1/metrics", [.get]), ("/v1/changes", [.get]), ("/v1/ack", [.post]),
        ("/v1/media/{id}", [.get]), ("/v1/cases/{number}/status", [.put]),
        ("/v1/cases/{number}/note", [.put]), ("/v1/content", [.get]), ("/v1/content/firmware", [.get, .put]), ("/v1/content/{kind}", [.put]),
        ("/v1/callbacks", [.post]), ("/v1/callbacks/{id}", [.get, .delete]),
    ]

    package static func router(_ service: UplinkService) -> Router<UplinkContext> {
        let router = Router(context: UplinkContext.self)
        let jsonLimit = service.config.uplink.bounds.maxJSONBytes
        router.add(middleware: MethodGuard())
        // Every store read, digest and JSON encoding runs on the service's bounded pool; health
        // and metrics on its priority lane, which a flood of page reads cannot fill.
        router.get("/v1/health") { request, _ in await reply(service, request, .priority) { try service.health() } }
        router.get("/v1/metrics") { _, _ in
            do {
                let text = try await service.workers.run(.priority) { try service.metrics() }
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
            } catch { return failure(error) }
        }
        router.get("/v1/changes") { request, _ in
            await reply(service, request) {
                let q = request.uri.queryParameters
                guard let after = Int(q.get("after") ?? "0"), let limit = Int(q.get("limit") ?? "500") else {
                    throw UplinkService.Failure.badRequest("after and limit must be integers")
                }
                return try service.changes(after: after, limit: limit)
            }
        }
        router.post("/v1/ack") { request, context in
            await audited(service, context, "ack", request) { target in
                let seq = try await body(AckRequest.self, request, limit: jsonLimit).seq
                target = "seq \(seq)"
                return try await service.workers.run { try service.ack(seq) }
            }
        }
        router.get("/v1/media/{id}") { request, context in
            do {
                guard let id = context.parameters.get("id", as: Int.self) else { throw UplinkService.Failure.badRequest("media id must be an integer") }
                // Encoding, when the medium has no uplink form yet, waits for the encoder's own
                // thread: the request pool stays free for everyone else.
                let ready = try await service.workers.run { try service.preparedMedia(id) }
                let form = if let ready { ready } else { try await service.encoder.run { try service.media(id) } }
                return try media(form, request)
            } catch { return failure(error) }
        }
        router.put("/v1/cases/{number}/status") { request, context in
            let number = context.parameters.get("number") ?? ""
            return await audited(service, context, "status", request) { target in
                target = "case \(number)"
                let update = try await body(StatusUpdate.self, request, limit: jsonLimit)
                target = "case \(number) → \(update.status.rawValue) v\(update.version)"
                return try await service.workers.run { try service.setStatus(number, update) }
            }
        }
        router.put("/v1/cases/{number}/note") { request, context in
            let number = context.parameters.get("number") ?? ""
            return await audited(service, context, "note", request) { target in
                target = "case \(number) recorded note"
                let wav = try await collect(request, limit: HandlingNotes.maxRecordedBytes, what: "a recorded note")
                target = "case \(number) recorded note (\(wav.count) bytes)"
                return try await service.workers.run { try service.setRecordedNote(number, wav: wav) }
            }
        }
        router.post("/v1/callbacks") { request, context in
            await audited(service, context, "callback", request) { target in
                let schedule = try await body(CallbackSchedule.self, request, limit: jsonLimit)
                target = "call-back \(schedule.id): case \(schedule.case) to \(schedule.number)"
                // Speaking the note takes espeak-ng's time: the push pool's thread, not the request pool's.
                return try await service.pusher.run { try service.scheduleCallback(schedule) }
            }
        }
        router.get("/v1/callbacks/{id}") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await reply(service, request) { try service.callback(id) }
        }
        router.delete("/v1/callbacks/{id}") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await audited(service, context, "callback cancel", request) { target in
                target = "call-back \(id)"
                return try await service.workers.run { try service.cancelCallback(id) }
            }
        }
        router.get("/v1/content") { request, _ in await reply(service, request) { service.contentInForce() } }
        router.get("/v1/content/firmware") { request, _ in await reply(service, request) { service.firmware.state() } }
        router.put("/v1/content/firmware") { request, context in
            await audited(service, context, "firmware", request) { target in
                guard let digest = request.headers[HTTPField.Name("Repr-Digest")!], let sha256 = FirmwareReceiver.digest(reprDigest: digest) else {
                    throw UplinkService.Failure.badRequest("a firmware piece names its whole bundle: Repr-Digest: sha-256=:BASE64 OF ITS SHA-256:")
                }
                guard let range = request.headers[.contentRange], let piece = FirmwareReceiver.Piece(contentRange: range) else {
                    throw UplinkService.Failure.badRequest("a firmware piece says where it goes: Content-Range: bytes FIRST-LAST/TOTAL")
                }
                target = "bundle \(sha256.prefix(16)) bytes \(piece.first)-\(piece.last)/\(piece.total)"
                let body = try await collect(request, limit: UplinkLimits.maxFirmwarePieceBytes, what: "a firmware piece")
                return try await service.pusher.run { try service.receiveFirmware(sha256: sha256, piece: piece, body: body) }
            }
        }
        router.put("/v1/content/{kind}") { request, context in
            let name = context.parameters.get("kind") ?? ""
            return await audited(service, context, "push", request) { target in
                target = name
                guard let kind = ContentKind(rawValue: name) else { throw UplinkService.Failure.notFound("content kinds are \(ContentKind.allCases.map(\.rawValue).joined(separator: ", "))") }
                let pack = try await collect(request, limit: ContentPush.maxPackBytes, what: "a content push")
                target = "\(name) (\(pack.count) bytes, sha256 \(ContentDigest.sha256Hex(pack).prefix(16)))"
                return try await service.pusher.run { try service.push(kind, body: pack) }
            }
        }
        return router
    }

    /// A 405 with `Allow` for a known path asked with a method it does not take.
    struct MethodGuard: RouterMiddleware {
        typealias Context = UplinkContext
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: false)
            let route = routes.first { route in
                let pattern = route.path.split(separator: "/", omittingEmptySubsequences: false)
                return pattern.count == segments.count && zip(pattern, segments).allSatisfy { p, s in p.hasPrefix("{") ? !s.isEmpty : p == s }
            }
            guard let route, !route.methods.contains(request.method) else { return try await next(request, context) }
            let allowed = route.methods.map(\.rawValue).joined(separator: ", ")
            var response = json(ErrorReply(error: "\(route.path) takes \(allowed), not \(request.method.rawValue)"), status: .methodNotAllowed, request: request)
            response.headers[.allow] = allowed
            return response
        }
    }

    /// The server as configured: mutual TLS, or plain HTTP on loopback for tests; every
    /// connection under the ledger's cap and the section's deadlines.
    package static func application(_ service: UplinkService, onRunning: @escaping @Sendable (Int) -> Void = { _ in }) throws -> some ApplicationProtocol {
        let u = service.config.uplink, data = service.config.dataDirectory, bounds = u.bounds, ledger = service.connections
        let tls = u.plainHTTP ? nil : try tlsChannel(try UplinkTLS.server(
            certificate: u.certificatePath(data: data), key: u.keyPath(data: data), trust: u.trustDirectory(data: data)))
        let http = HTTP1Channel.Configuration(additionalChannelHandlers: [RequestDeadline(bounds: bounds, ledger: ledger)])
        let server = HTTPServerBuilder { responder in
            let plain = HTTP1Channel(responder: responder, configuration: http)
            guard let tls else { return GuardedChannel(base: plain, ledger: ledger, bounds: bounds) }
            return GuardedChannel(base: try TLSChannel(plain, configuration: tls), ledger: ledger, bounds: bounds)
        }
        return Application(router: router(service), server: server,
                           configuration: .init(address: .hostname(u.host, port: u.port), serverName: "hotline-node"),
                           onServerRunning: { channel in onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    /// Pinned keys verify the handshake themselves (BoringSSL's chain check would let an enrolled
    /// CA certificate vouch for others); a CA file is verified as a chain.
    private static func tlsChannel(_ server: (TLSConfiguration, UplinkPins?)) -> TLSChannelConfiguration {
        let (tls, pins) = server
        guard let pins else { return .init(tlsConfiguration: tls) }
        return .init(tlsConfiguration: tls, customVerificationCallback: { presented, promise in
            promise.succeed(pins.admit(presented) != nil ? .certificateVerified : .failed)
        })
    }

    /// The server's and its service group's log: warnings and worse (requests are not logged).
    package static let logger: Logger = {
        var logger = Logger(label: "uplink")
        logger.logLevel = .warning
        return logger
    }()

    // MARK: Replies

    /// A JSON request body as its wire type; a body that is not one is a 400 naming the JSON
    /// path and what was expected there.
    private static func body<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int) async throws -> T {
        let data = try await collect(request, limit: limit, what: "a JSON body (uplink: max_json_body)")
        do { return try WireJSON.decode(type, from: data) } catch {
            throw UplinkService.Failure.badRequest(error.description)
        }
    }

    /// The request body, refused with a 413 naming the limit once it passes `limit` bytes (what
    /// has arrived is dropped, nothing is kept).
    private static func collect(_ request: Request, limit: Int, what: String) async throws -> Data {
        do { return Data(try await request.body.collect(upTo: limit).readableBytesView) } catch is NIOTooManyBytesError {
            throw UplinkService.Failure.tooLarge("\(what) is limited to \(limit) bytes")
        } catch {
            // A leased line that drops under a body: the audit says so, not a server error.
            throw UplinkService.Failure.badRequest("\(what) was cut off: the connection closed before its last byte (\(error)); nothing of it was kept")
        }
    }

    /// A request that changes something: answered like any other, then recorded with who sent
    /// it, what it asked (`target`, filled in as the request is read) and its status.
    private static func audited(_ service: UplinkService, _ context: UplinkContext, _ action: String, _ request: Request,
                                _ body: (inout String) async throws -> some Encodable) async -> Response {
        var target = ""
        var problem: String?
        let response: Response
        do { response = json(try await body(&target), status: .ok, request: request) } catch {
            problem = (error as? UplinkService.Failure).map(\.message) ?? "\(error)"
            response = failure(error, request: request)
        }
        let (peer, result) = (await context.peer, "\(response.status.code)" + (problem.map { ": \($0)" } ?? ""))
        _ = try? await service.workers.run { [target] in service.audit(peer: peer, action: action, target: target, result: result) }
        return response
    }

    /// The reply's JSON, gzipped when the client takes gzip and it is worth it; a failure as its
    /// status and an `ErrorReply`.
    private static func reply<T: Encodable & SendableMetatype>(_ service: UplinkService, _ request: Request, _ lane: WorkPool.Lane = .ordinary,
                                            _ body: @escaping @Sendable () throws -> T) async -> Response {
        do { return try await service.workers.run(lane) { json(try body(), status: .ok, request: request) } } catch { return failure(error, request: request) }
    }

    private static func json(_ value: some Encodable, status: HTTPResponse.Status, request: Request?) -> Response {
        var data = [UInt8](WireJSON.encode(value))
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[.vary] = "Accept-Encoding"
        if data.count > 512, let accept = request?.headers[.acceptEncoding], acceptsGzip(accept) {
            data = Gzip.compress(data)
            headers[.contentEncoding] = "gzip"
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Whether an Accept-Encoding value takes gzip: listed (or `*`) with a q-value above 0, so
    /// `gzip;q=0` refuses it (RFC 9110 §12.5.3).
    package static func acceptsGzip(_ header: String) -> Bool {
        var quality: [String: Double] = [:]
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, !coding.isEmpty else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            quality[coding] = q.isFinite ? q : 0
        }
        return (quality["gzip"] ?? quality["*"] ?? 0) > 0
    }

    private static func failure(_ error: any Error, request: Request? = nil) -> Response {
        guard let f = error as? UplinkService.Failure else { return json(ErrorReply(error: "\(error)"), status: .internalServerError, request: request) }
        switch f {
        case .badRequest(let m): return json(ErrorReply(error: m), status: .badRequest, request: request)
        case .notFound(let m): return json(ErrorReply(error: m), status: .notFound, request: request)
        case .gone(let m): return json(ErrorReply(error: m), status: .gone, request: request)
        case .beyondFeed(let m, let latest): return json(ErrorReply(error: m, latest: latest), status: .conflict, request: request)
        case .unprocessable(let m, let problems): return json(ErrorReply(error: m, problems: problems), status: .unprocessableContent, request: request)
        case .tooLarge(let m): return json(ErrorReply(error: m), status: .contentTooLarge, request: request)
        case .conflict(let m): return json(ErrorReply(error: m), status: .conflict, request: request)
        case .busy(let m):
            var response = json(ErrorReply(error: m), status: .serviceUnavailable, request: request)
            response.headers[.retryAfter] = "60"
            return response
        case .insufficientStorage(let m): return json(ErrorReply(error: m), status: .init(code: 507, reasonPhrase: "Insufficient Storage"), request: request)
        case .rangeNotSatisfiable(let size):
            return Response(status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)"])
        case .internalError(let m): return json(ErrorReply(error: m), status: .internalServerError, request: request)
        }
    }

    /// The media file, whole or from a byte offset (Range: bytes=N- or N-M). `If-Range` with an
    /// old ETag gets the whole new file, so a resumed download can never splice two versions.
    private static func media(_ m: UplinkForm, _ request: Request) throws -> Response {
        let etag = "\"\(m.sha256)\""
        var headers: HTTPFields = [.contentType: m.contentType, .acceptRanges: "bytes", .eTag: etag]
        headers[HTTPField.Name("Repr-Digest")!] = "sha-256=:\(Data(hexString: m.sha256).base64EncodedString()):"
        var range: ClosedRange<Int>?
        if let header = request.headers[.range] {
            // An If-Range naming another version asks for the whole new item, whatever the range;
            // a malformed Range is the client's bug either way.
            let current = request.headers[.ifRange].map { $0 == etag } ?? true
            switch byteRange(header, size: m.size) {
            case .malformed: throw UplinkService.Failure.badRequest("Range must be one range: bytes=FIRST-, bytes=FIRST-LAST or bytes=-LENGTH, not \"\(header)\"")
            case .unsatisfiable where current: throw UplinkService.Failure.rangeNotSatisfiable(size: m.size)
            case .unsatisfiable: break
            case .range(let asked): if current { range = asked }
            }
        }
        let reader: FileReader
        do { reader = try FileReader(m.path) } catch { throw UplinkService.Failure.internalError("media file unreadable: \(error)") }
        // An empty medium (a fax cut off by a full disk, say) is a whole, empty reply; any range
        // of it is unsatisfiable, which byteRange has already said.
        guard let span = range ?? (m.size > 0 ? 0...(m.size - 1) : nil) else {
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer()))
        }
        if range != nil { headers[.contentRange] = "bytes \(span.lowerBound)-\(span.upperBound)/\(m.size)" }
        // Streamed a chunk at a time as the peer takes it: memory stays flat whatever the size.
        let body = ResponseBody(contentLength: span.count) { writer in
            var offset = span.lowerBound
            while offset <= span.upperBound {
                let chunk = try reader.read(at: offset, upTo: min(FileReader.chunkSize, span.upperBound - offset + 1))
                guard !chunk.isEmpty else { throw UplinkService.Failure.internalError("\(m.path) is shorter than its record says") }
                try await writer.write(ByteBuffer(bytes: chunk))
                offset += chunk.count
            }
            try await writer.finish(nil)
        }
        return Response(status: range == nil ? .ok : .partialContent, headers: headers, body: body)
    }

    /// What a `Range` header asks for.
    package enum RangeAnswer: Equatable {
        case range(ClosedRange<Int>)
        /// Not `bytes=FIRST-[LAST]` or `bytes=-N`: a 400 (the puller never sends one, so it is a
        /// client's bug to report, not to guess at).
        case malformed
        /// Well formed, but outside the item: a 416.
        case unsatisfiable
    }

    /// One range of `bytes=FIRST-[LAST]` or the suffix form `bytes=-N` (the last N bytes, RFC
    /// 9110 §14.1.2), clipped to the item.
    package static func byteRange(_ header: String, size: Int) -> RangeAnswer {
        let spec = header.hasPrefix("bytes=") ? header.dropFirst(6) : ""
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        // Digits past Int's range are a position past any file: unsatisfiable, not malformed.
        func number(_ digits: Substring) -> Int? { !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber } ? Int(digits) ?? Int.max : nil }
        guard parts.count == 2, !(parts[0].isEmpty && parts[1].isEmpty),
              parts[0].isEmpty || number(parts[0]) != nil, parts[1].isEmpty || number(parts[1]) != nil else { return .malformed }
        if parts[0].isEmpty {
            guard let suffix = number(parts[1]), suffix > 0, size > 0 else { return .unsatisfiable }
            return .range(max(0, size - suffix)...(size - 1))
        }
        guard let first = number(parts[0]), first < size else { return .unsatisfiable }
        let last = parts[1].isEmpty ? size - 1 : number(parts[1]).map { min($0, size - 1) }
        guard let last, last >= first else { return .unsatisfiable }
        return .range(first...last)
    }
}
