import Foundation
import HTTPTypes
import Hummingbird
import HotlineModel
import Logging
import NIOCore
import UplinkWire

/// `hotline-central serve`: the desk's pages and Open311, from the database and media store.
/// Pages need a desk login; Open311 is public and read-only (no callers' numbers in it).
package struct DeskServer: Sendable {
    package let database: CentralDatabase
    package let store: MediaStore
    /// Delivers a box's outbox at once after the desk adds to it; nil: the next pull does.
    package let deliverNow: (@Sendable (String) async -> Void)?

    package init(database: CentralDatabase, store: MediaStore, deliverNow: (@Sendable (String) async -> Void)? = nil) {
        self.database = database
        self.store = store
        self.deliverNow = deliverNow
    }

    static let cookie = "hotline_desk"
    static let formLimit = 64 << 10

    package func application(host: String, port: Int, onRunning: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        var logger = Logger(label: "desk")
        logger.logLevel = .warning
        return Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "hotline-central"),
                           onServerRunning: { channel in onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let accounts = DeskAccounts(database: database), cases = CaseQueries(database: database)
        router.get("/open311/v2/services.json") { _, _ in Self.json(Open311.services) }
        router.get("/open311/v2/requests.json") { request, _ in
            do {
                let filter = try Open311.filter(Self.parameters(request.uri.queryParameters))
                return Self.json(try await cases.search(filter).map(Open311.request))
            } catch let failure as Open311.Failure { return Self.json([failure], status: .init(code: failure.code)) }
        }
        router.get("/open311/v2/requests/:file") { request, context in
            let file = context.parameters.get("file") ?? ""
            guard file.hasSuffix(".json") else { return Self.json([Open311.Failure(code: 404, description: "only JSON is served: requests/ID.json")], status: .notFound) }
            do {
                var filter = try Open311.filter(["service_request_id": String(file.dropLast(5))])
                filter.limit = 1
                let found = try await cases.search(filter).filter { $0.number == String(file.dropLast(5)) }
                guard !found.isEmpty else { return Self.json([Open311.Failure(code: 404, description: "no service request \(file.dropLast(5))")], status: .notFound) }
                return Self.json(found.map(Open311.request))
            } catch let failure as Open311.Failure { return Self.json([failure], status: .init(code: failure.code)) }
        }

        router.get("/login") { _, _ in Self.html(DeskPages.render("login", ["title": "Log in"])) }
        router.post("/login") { request, _ in
            let form = try await Self.form(request)
            guard let name = form["name"], let password = form["password"], let token = try await accounts.logIn(name: name, password: password) else {
                return Self.html(DeskPages.render("login", ["title": "Log in", "error": "Wrong name or password, or too many tries: wait 15 minutes."]),
                                 status: .unauthorized)
            }
            var response = Self.redirect("/cases")
            response.headers[.setCookie] = "\(Self.cookie)=\(token); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Int(DeskAccounts.sessionSeconds))"
            return response
        }
        router.post("/logout") { request, _ in
            if let token = Self.token(request) { try await accounts.logOut(token: token) }
            var response = Self.redirect("/login")
            response.headers[.setCookie] = "\(Self.cookie)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
            return response
        }
        router.get("/") { _, _ in Self.redirect("/cases") }
        router.get("/cases") { request, _ in
            try await signedIn(request, accounts) { session in
                let query = Self.parameters(request.uri.queryParameters)
                var page: [String: Any] = ["title": "Cases", "user": session.name, "csrf": session.csrf]
                for key in ["number", "caller", "district", "from", "to"] { page[key] = query[key] ?? "" }
                page["kinds"] = CaseKind.allCases.map { kind in
                    ["code": kind.rawValue, "name": Open311.services.first { $0.serviceCode == kind.rawValue }?.serviceName ?? kind.rawValue,
                     "selected": query["kind"] == kind.rawValue] as [String: Any]
                }
                page["statuses"] = CaseStatus.allCases.map { ["code": $0.rawValue, "selected": query["status"] == $0.rawValue] as [String: Any] }
                do {
                    let filter = try Self.deskFilter(query)
                    let found = try await cases.search(filter)
                    page["cases"] = found.map { c -> [String: Any] in
                        ["node": c.node, "number": c.number, "kind": c.kind, "status": c.status, "caller": c.callerNumber ?? "",
                         "district": c.district ?? "", "created": c.createdAt.map(Self.local) ?? ""]
                    }
                    if found.count == filter.limit {
                        var next = URLComponents()
                        next.path = "/cases"
                        next.queryItems = query.merging(["page": "\((Int(query["page"] ?? "") ?? 0) + 1)"]) { $1 }.sorted { $0.key < $1.key }
                            .map { URLQueryItem(name: $0.key, value: $0.value) }
                        page["next"] = next.string ?? ""
                    }
                    return Self.html(DeskPages.render("cases", page))
                } catch let failure as Open311.Failure {
                    page["error"] = failure.description
                    return Self.html(DeskPages.render("cases", page), status: .badRequest)
                }
            }
        }
        router.get("/cases/:node/:number") { request, context in
            try await signedIn(request, accounts) { session in
                let (node, number) = (context.parameters.get("node") ?? "", context.parameters.get("number") ?? "")
                guard let detail = try await cases.detail(node: node, number: number) else {
                    return Self.html(DeskPages.render("head", ["title": "No such case", "user": session.name, "csrf": session.csrf,
                                                               "error": "No case \(number) from box \(node)."]), status: .notFound)
                }
                return Self.html(DeskPages.render("case", Self.casePage(detail, session: session)))
            }
        }
        router.post("/cases/:node/:number/status") { request, context in
            try await signedInForm(request, accounts) { session, form in
                let (node, number) = (context.parameters.get("node") ?? "", context.parameters.get("number") ?? "")
                guard let status = form["status"].flatMap(CaseStatus.init(rawValue:)) else { return Self.html("status: not one of the four", status: .badRequest) }
                let note = form["note"].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : String($0.prefix(500)) }
                do { try await Outbox(database: database).setStatus(node: node, caseNumber: number, status: status, note: note, by: session.name) } catch let r as CentralRefusal {
                    return Self.html(r.description, status: .notFound)
                }
                await deliverNow?(node)
                return Self.redirect("/cases/\(node)/\(number)")
            }
        }
        router.post("/cases/:node/:number/callback") { request, context in
            try await signedInForm(request, accounts) { session, form in
                let (node, number) = (context.parameters.get("node") ?? "", context.parameters.get("number") ?? "")
                guard let phone = form["number"], (3...20).contains(phone.count), phone.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    return Self.html("number: 3 to 20 digits", status: .badRequest)
                }
                guard try await cases.detail(node: node, number: number) != nil else { return Self.html("no such case", status: .notFound) }
                _ = try await Outbox(database: database).scheduleCallback(node: node, caseNumber: number, number: phone, by: session.name)
                await deliverNow?(node)
                return Self.redirect("/cases/\(node)/\(number)")
            }
        }
        router.get("/boxes") { request, _ in
            try await signedIn(request, accounts) { session in
                let now = Date()
                let boxes = try await BoxInventory(database: database).health().map { b -> [String: Any] in
                    ["node": b.node, "district": b.district ?? "", "state": b.state, "pulled": b.pulled(now: now), "lag": b.lag,
                     "certificate": b.certificate(now: now), "error": b.lastError ?? ""]
                }
                return Self.html(DeskPages.render("boxes", ["title": "Boxes", "user": session.name, "csrf": session.csrf, "boxes": boxes]))
            }
        }
        router.get("/media/:sha256") { request, context in
            try await signedIn(request, accounts) { _ in try await Self.media(context.parameters.get("sha256") ?? "", request: request, store: store, database: database) }
        }
        return router
    }

    // MARK: Sessions

    private func signedIn(_ request: Request, _ accounts: DeskAccounts, _ body: (DeskAccounts.Session) async throws -> Response) async throws -> Response {
        guard let token = Self.token(request), let session = try await accounts.session(token: token) else { return Self.redirect("/login") }
        return try await body(session)
    }

    /// A form post from a signed-in page: its CSRF token must be the session's.
    private func signedInForm(_ request: Request, _ accounts: DeskAccounts,
                              _ body: (DeskAccounts.Session, [String: String]) async throws -> Response) async throws -> Response {
        let form = try await Self.form(request)
        return try await signedIn(request, accounts) { session in
            guard let csrf = form["csrf"], csrf == session.csrf else { return Self.html("This form is stale: reload the page.", status: .forbidden) }
            return try await body(session, form)
        }
    }

    static func token(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix("\(cookie)=") { return String(pair.dropFirst(cookie.count + 1)) }
            }
        }
        return nil
    }

    // MARK: Pages

    static func casePage(_ d: CaseQueries.Detail, session: DeskAccounts.Session) -> [String: Any] {
        let c = d.summary
        var page: [String: Any] = [
            "title": "Case \(c.number)", "user": session.name, "csrf": session.csrf, "node": c.node, "number": c.number, "kind": c.kind,
            "status": c.status, "caller": c.callerNumber ?? "", "district": c.district ?? "", "created": c.createdAt.map(local) ?? "",
            "partial": d.complete == false, "statuses": CaseStatus.allCases.map { ["code": $0.rawValue] },
            "history": d.history.map { ["version": $0.version, "status": $0.status, "source": $0.source ?? "", "note": $0.note ?? "", "at": $0.at.map(local) ?? ""] },
            "outbox": d.outbox.map { ["kind": $0.kind, "by": $0.createdBy ?? "", "at": $0.at.map(local) ?? "", "state": $0.state, "error": $0.error ?? ""] },
            "callbacks": d.callbacks.map { ["number": $0.number ?? "", "state": $0.state ?? "", "outcome": $0.outcome ?? "", "rating": $0.rating ?? ""] },
            "hasOutbox": !d.outbox.isEmpty, "hasCallbacks": !d.callbacks.isEmpty,
        ]
        if let reopens = d.reopens { page["reopens"] = reopens }
        if let m = d.message { page["message"] = ["sha256": m.sha256] }
        if let m = d.wholeCall { page["wholeCall"] = ["sha256": m.sha256] }
        if let f = d.fax { page["fax"] = ["sha256": f.sha256] }
        if let problem = d.faxProblem { page["faxProblem"] = problem }
        return page
    }

    /// The desk's search form as a filter: the same checks as Open311's, and pages of 50.
    static func deskFilter(_ query: [String: String]) throws(Open311.Failure) -> CaseQueries.Filter {
        var filter = CaseQueries.Filter()
        if let number = query["number"], !number.isEmpty {
            guard number.count <= 8, number.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw Open311.Failure(code: 400, description: "number: digits only") }
            filter.numbers = [number]
        }
        if let caller = query["caller"], !caller.isEmpty { filter.caller = String(caller.prefix(32)) }
        if let kind = query["kind"], !kind.isEmpty {
            guard let k = CaseKind(rawValue: kind) else { throw Open311.Failure(code: 400, description: "kind: \(kind) is not a case kind") }
            filter.kinds = [k]
        }
        if let status = query["status"], !status.isEmpty {
            guard let s = CaseStatus(rawValue: status) else { throw Open311.Failure(code: 400, description: "status: \(status) is not a status") }
            filter.statuses = [s]
        }
        if let district = query["district"], !district.isEmpty { filter.district = String(district.prefix(64)) }
        if let from = query["from"], !from.isEmpty { filter.from = try Open311.date(from, "from") }
        if let to = query["to"], !to.isEmpty { filter.to = try Open311.date(to, "to").addingTimeInterval(86400) }
        guard let page = Int(query["page"] ?? "0"), (0...10_000).contains(page) else { throw Open311.Failure(code: 400, description: "page: 0 to 10000") }
        filter.offset = page * filter.limit
        return filter
    }

    static func local(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    // MARK: Media

    /// A stored file by its digest, with a single byte range if asked (players seek with them).
    static func media(_ sha256: String, request: Request, store: MediaStore, database: CentralDatabase) async throws -> Response {
        guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return html("not a media name", status: .notFound) }
        var type: String?
        for try await t in try await database.client.query("SELECT content_type FROM blobs WHERE sha256 = \(sha256)", logger: database.logger).decode(String.self) {
            type = t
        }
        guard let type, let handle = FileHandle(forReadingAtPath: store.path(sha256: sha256)) else { return html("no such media", status: .notFound) }
        defer { try? handle.close() }
        let size = Int(try handle.seekToEnd())
        var headers: HTTPFields = [.contentType: type == MediaContentType.opus ? "audio/ogg; codecs=opus" : type, .acceptRanges: "bytes"]
        headers[.cacheControl] = "private, max-age=31536000, immutable"
        var range = 0..<size
        var status = HTTPResponse.Status.ok
        if let asked = request.headers[.range] {
            guard let r = byteRange(asked, size: size) else {
                headers[.contentRange] = "bytes */\(size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            range = r
            status = .partialContent
            headers[.contentRange] = "bytes \(r.lowerBound)-\(r.upperBound - 1)/\(size)"
        }
        try handle.seek(toOffset: UInt64(range.lowerBound))
        let data = try handle.read(upToCount: range.count) ?? Data()
        headers[.contentLength] = "\(data.count)"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// One `bytes=` range (RFC 9110 §14.1.2); nil when it cannot be satisfied.
    static func byteRange(_ header: String, size: Int) -> Range<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(","), size > 0 else { return nil }
        let spec = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        if spec[0].isEmpty {
            guard let suffix = Int(spec[1]), suffix > 0 else { return nil }
            return max(0, size - suffix)..<size
        }
        guard let start = Int(spec[0]), start >= 0, start < size else { return nil }
        if spec[1].isEmpty { return start..<size }
        guard let end = Int(spec[1]), end >= start else { return nil }
        return start..<min(end + 1, size)
    }

    // MARK: Replies

    static func parameters(_ query: some Sequence<(key: Substring, value: Substring)>) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in query where out[String(key)] == nil { out[String(key)] = String(value) }
        return out
    }

    /// A posted form; one larger than any of the desk's is a 413, not a failure of the server.
    static func form(_ request: Request) async throws -> [String: String] {
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: formLimit) } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge, message: "a form is at most \(formLimit / 1024) kB")
        }
        var components = URLComponents()
        components.percentEncodedQuery = String(buffer: body).replacingOccurrences(of: "+", with: "%20")
        var out: [String: String] = [:]
        for item in components.queryItems ?? [] where out[item.name] == nil { out[item.name] = item.value ?? "" }
        return out
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        headers[.init("Content-Security-Policy")!] = "default-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'self'; frame-ancestors 'none'"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: WireJSON.encode(value))))
    }
}
