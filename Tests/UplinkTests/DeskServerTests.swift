import AsyncHTTPClient
import Central
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TestSupport

/// The desk's server without a browser: Open311 against GeoReport v2's field lists, and the
/// pages' guards (login, lockout, forms from elsewhere, media ranges).
@Suite(.serialized, .tags(.system), .skippedInFastRun)
struct DeskServerTests {
    static let serviceFields: Set = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    static let requestFields: Set = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
                                     "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id",
                                     "zipcode", "lat", "long", "media_url"]

    final class Rig: @unchecked Sendable {
        let box: UplinkRig
        let db: PulledDatabase
        let server: Task<Void, any Error>
        let port: Int
        /// Made last in init: a client alive when init throws would end the test process in
        /// AsyncHTTPClient's debug check, taking every other test with it.
        let client: HTTPClient

        init() async throws {
            box = try await UplinkRig.make()
            db = try await PulledDatabase.make()
            let (puller, url) = try box.puller(target: db.target)
            _ = try await puller.pull(box: url)
            try await puller.shutdown()
            try await DeskAccounts(database: db.database).setPassword(name: "clerk", password: "correct horse battery")
            (port, server) = try await DeskBrowserTests.start(DeskServer(database: db.database, store: db.store))
            client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        }

        deinit { try? client.syncShutdown() }

        func get(_ path: String, headers: [(String, String)] = [], post: String? = nil) async throws -> (Int, HTTPHeaders, Data) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            for (k, v) in headers { request.headers.add(name: k, value: v) }
            if let post {
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: post))
            }
            let response = try await client.execute(request, timeout: .seconds(30))
            return (Int(response.status.code), response.headers, Data(try await response.body.collect(upTo: 16 << 20).readableBytesView))
        }

        func json(_ path: String) async throws -> (Int, Any) {
            let (status, _, body) = try await get(path)
            return (status, try JSONSerialization.jsonObject(with: body))
        }

        func close() async {
            try? await client.shutdown()
            server.cancel()
            await db.close()
            await box.shutdown()
        }
    }

    @Test func open311AnswersWithGeoReportsFieldsAndFilters() async throws {
        let rig = try await Rig()
        let (status, services) = try await rig.json("/open311/v2/services.json")
        let list = try #require(services as? [[String: Any]])
        #expect(status == 200 && list.count == 8 && list.allSatisfy { Set($0.keys) == Self.serviceFields })
        let (_, all) = try await rig.json("/open311/v2/requests.json")
        let requests = try #require(all as? [[String: Any]])
        let numbers = try await rig.db.rows("SELECT number FROM cases ORDER BY number").compactMap { $0[0] }
        #expect(requests.count == numbers.count && !numbers.isEmpty)
        for request in requests {
            #expect(Set(request.keys) == Self.requestFields, "\(request.keys)")
            #expect(["open", "closed"].contains(request["status"] as? String))
            let requested = try #require(request["requested_datetime"] as? String)
            #expect(requested.hasSuffix("+08:00") && ISO8601DateFormatter().date(from: requested) != nil, "\(requested)")
            #expect(request["lat"] is NSNull && request["media_url"] is NSNull)
        }
        let one = numbers[0]
        let (_, byID) = try await rig.json("/open311/v2/requests/\(one).json")
        #expect((byID as? [[String: Any]])?.map { $0["service_request_id"] as? String } == [one])
        let (_, byFilter) = try await rig.json("/open311/v2/requests.json?service_request_id=\(one)&status=closed")
        #expect((byFilter as? [[String: Any]])?.count == 1, "service_request_id makes the other filters ignored")
        let (_, open) = try await rig.json("/open311/v2/requests.json?status=open&service_code=complaint")
        #expect((open as? [[String: Any]])?.allSatisfy { $0["service_code"] as? String == "complaint" && $0["status"] as? String == "open" } == true)
        let (_, past) = try await rig.json("/open311/v2/requests.json?start_date=2001-01-01T00:00:00Z&end_date=2001-02-01T00:00:00Z")
        #expect((past as? [[String: Any]])?.isEmpty == true)
        for (query, why) in [("status=pending", "status: pending is not open or closed"), ("service_code=potholes", "service_code: potholes is not one of"),
                             ("start_date=yesterday", "start_date: yesterday is not a W3C date-time"),
                             ("start_date=2026-02-01&end_date=2026-01-01", "start_date is after end_date"),
                             ("service_request_id=1234", "is not an 8-digit acceptance number")] {
            let (code, body) = try await rig.json("/open311/v2/requests.json?\(query)")
            let error = (body as? [[String: Any]])?.first
            #expect(code == 400 && error?["code"] as? Int == 400 && (error?["description"] as? String)?.contains(why) == true, "\(query): \(body)")
        }
        #expect(try await rig.get("/open311/v2/requests/99999999.json").0 == 404)
        #expect(try await rig.get("/open311/v2/requests/\(one).xml").0 == 404)
        await rig.close()
    }

    @Test func pagesNeedALoginAndFormsTheirSessionsToken() async throws {
        let rig = try await Rig()
        #expect(try await rig.get("/cases").1.first(name: "Location") == "/login")
        let sha = try #require(try await rig.db.rows("SELECT blob_sha256 FROM media WHERE blob_sha256 IS NOT NULL LIMIT 1").first?.first ?? nil)
        #expect(try await rig.get("/media/\(sha)").1.first(name: "Location") == "/login")
        // A good login sets an HttpOnly, SameSite=Strict cookie.
        let (code, headers, _) = try await rig.get("/login", post: "name=clerk&password=correct+horse+battery")
        let cookie = try #require(headers.first(name: "Set-Cookie"))
        #expect(code == 303 && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        let session = [("Cookie", String(cookie.prefix { $0 != ";" }))]
        let (page, _, body) = try await rig.get("/cases", headers: session)
        #expect(page == 200 && String(decoding: body, as: UTF8.self).contains("<table id=\"cases\">"))
        // Media: whole, a range, and a range past the end.
        let (whole, wholeHeaders, all) = try await rig.get("/media/\(sha)", headers: session)
        #expect(whole == 200 && wholeHeaders.first(name: "Accept-Ranges") == "bytes" && !all.isEmpty)
        let (part, partHeaders, some) = try await rig.get("/media/\(sha)", headers: session + [("Range", "bytes=0-9")])
        #expect(part == 206 && some == all.prefix(10) && partHeaders.first(name: "Content-Range") == "bytes 0-9/\(all.count)")
        #expect(try await rig.get("/media/\(sha)", headers: session + [("Range", "bytes=\(all.count)-")]).0 == 416)
        #expect(try await rig.get("/media/../../etc/passwd", headers: session).0 == 404)
        // A form without the session's token is refused, and changes nothing.
        let number = try #require(try await rig.db.rows("SELECT number FROM cases LIMIT 1").first?.first ?? nil)
        let forged = try await rig.get("/cases/1/\(number)/status", headers: session, post: "status=closed&note=forged")
        #expect(forged.0 == 403)
        #expect(try await rig.db.count("SELECT count(*) FROM outbox") == 0)
        // Five wrong passwords lock the name: the right one is refused too, for a while.
        for _ in 0..<DeskAccounts.failuresBeforeLock { #expect(try await rig.get("/login", post: "name=clerk&password=wrong").0 == 401) }
        #expect(try await rig.get("/login", post: "name=clerk&password=correct+horse+battery").0 == 401)
        #expect(try await rig.get("/login", post: "name=nobody&password=x").0 == 401)
        // A form larger than any of the desk's is refused by its size, and the desk goes on.
        #expect(try await rig.get("/login", post: "name=clerk&password=" + String(repeating: "x", count: 100_000)).0 == 413)
        #expect(try await rig.get("/login").0 == 200)
        await rig.close()
    }
}
