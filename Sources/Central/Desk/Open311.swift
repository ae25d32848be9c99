import Foundation
import HotlineModel

/// Open311 GeoReport v2, read-only, from the central office's database (docs/CENTRAL.md has the
/// mapping). `service_request_id` is the acceptance number; a service is a case kind; the
/// hotline's four statuses fold into GeoReport's open and closed, with the words in
/// `status_notes`. Callers' numbers and recordings are not published.
package enum Open311 {
    package struct Service: Codable, Sendable, Equatable {
        package var serviceCode: String
        package var serviceName: String
        package var description: String
        package var metadata = false
        package var type = "realtime"
        package var keywords: String
        package var group = "12345"

        enum CodingKeys: String, CodingKey {
            case serviceCode = "service_code", serviceName = "service_name", description, metadata, type, keywords, group
        }
    }

    package struct Request: Codable, Sendable, Equatable {
        package var serviceRequestID: String
        package var status: String
        package var statusNotes: String?
        package var serviceName: String
        package var serviceCode: String
        package var description: String?
        package var agencyResponsible: String?
        package var serviceNotice: String?
        package var requestedDatetime: String?
        package var updatedDatetime: String?
        package var expectedDatetime: String?
        package var address: String?
        package var addressID: String?
        package var zipcode: String?
        package var lat: Double?
        package var long: Double?
        package var mediaURL: String?

        enum CodingKeys: String, CodingKey {
            case serviceRequestID = "service_request_id", status, statusNotes = "status_notes", serviceName = "service_name"
            case serviceCode = "service_code", description, agencyResponsible = "agency_responsible", serviceNotice = "service_notice"
            case requestedDatetime = "requested_datetime", updatedDatetime = "updated_datetime", expectedDatetime = "expected_datetime"
            case address, addressID = "address_id", zipcode, lat, long, mediaURL = "media_url"
        }

        /// Every field of the standard's list, null where the hotline has no value.
        package func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(serviceRequestID, forKey: .serviceRequestID)
            try c.encode(status, forKey: .status)
            try c.encode(statusNotes, forKey: .statusNotes)
            try c.encode(serviceName, forKey: .serviceName)
            try c.encode(serviceCode, forKey: .serviceCode)
            try c.encode(description, forKey: .description)
            try c.encode(agencyResponsible, forKey: .agencyResponsible)
            try c.encode(serviceNotice, forKey: .serviceNotice)
            try c.encode(requestedDatetime, forKey: .requestedDatetime)
            try c.encode(updatedDatetime, forKey: .updatedDatetime)
            try c.encode(expectedDatetime, forKey: .expectedDatetime)
            try c.encode(address, forKey: .address)
            try c.encode(addressID, forKey: .addressID)
            try c.encode(zipcode, forKey: .zipcode)
            try c.encode(lat, forKey: .lat)
            try c.encode(long, forKey: .long)
            try c.encode(mediaURL, forKey: .mediaURL)
        }
    }

    /// GeoReport's error form: a list of code and description.
    package struct Failure: Error, Codable, Sendable {
        package var code: Int
        package var description: String
    }

    /// The case kinds, in the seed's words.
    package static let services: [Service] = CaseKind.allCases.map { kind in
        let (name, description, keywords): (String, String, String) = switch kind {
        case .mayorMailbox: ("市长信箱", "A message left for the mayor's mailbox.", "mayor,mailbox,市长信箱")
        case .complaint: ("投诉", "A complaint recorded on the hotline.", "complaint,投诉")
        case .report: ("举报", "A report of wrongdoing recorded on the hotline.", "report,举报")
        case .consultationCallback: ("咨询回电", "A consultation the caller asked to be called back about.", "consultation,咨询")
        case .fax: ("传真", "A document faxed to the hotline.", "fax,传真")
        case .survey: ("满意度调查", "A caller's answers to a satisfaction survey.", "survey,满意度")
        case .callbackRequest: ("回电请求", "A caller who could not reach the desk and asked to be called back.", "callback,回电")
        case .reopen: ("重新办理", "A caller not satisfied with a case's result; the first case is worked again.", "reopen,重新办理")
        }
        return Service(serviceCode: kind.rawValue, serviceName: name, description: description, keywords: keywords)
    }

    /// The hotline's status as GeoReport's, with the words kept in the notes.
    package static func status(_ status: String) -> (String, String) {
        switch CaseStatus(rawValue: status) {
        case .accepted: ("open", "accepted (已受理)")
        case .inProgress: ("open", "in progress (正在受理)")
        case .rejected: ("closed", "not accepted (不受理)")
        case .closed: ("closed", "closed (办结)")
        case nil: ("open", status)
        }
    }

    package static func request(_ c: CaseQueries.Summary) -> Request {
        let (status, words) = Self.status(c.status)
        let service = CaseKind(rawValue: c.kind).flatMap { kind in services.first { $0.serviceCode == kind.rawValue } }
        return Request(serviceRequestID: c.number, status: status, statusNotes: c.note.map { "\(words): \($0)" } ?? words,
                       serviceName: service?.serviceName ?? c.kind, serviceCode: c.kind, description: service?.description,
                       agencyResponsible: c.district.map { "12345 \($0)" } ?? "12345",
                       requestedDatetime: c.createdAt.map(w3c), updatedDatetime: (c.updatedAt ?? c.createdAt).map(w3c))
    }

    /// `requests.json`'s parameters as a search. With `service_request_id` the others are
    /// ignored, as the standard says; with no dates, the last 90 days.
    package static func filter(_ parameters: [String: String], now: Date = Date()) throws(Failure) -> CaseQueries.Filter {
        var filter = CaseQueries.Filter()
        filter.limit = 1000
        if let ids = parameters["service_request_id"] {
            filter.numbers = try list(ids, "service_request_id").map { id throws(Failure) in
                guard id.count == 8, id.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    throw Failure(code: 400, description: "service_request_id: \(id) is not an 8-digit acceptance number")
                }
                return id
            }
            return filter
        }
        if let codes = parameters["service_code"] {
            filter.kinds = try list(codes, "service_code").map { code throws(Failure) in
                guard let kind = CaseKind(rawValue: code) else {
                    throw Failure(code: 400, description: "service_code: \(code) is not one of \(CaseKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            }
        }
        if let statuses = parameters["status"] {
            for word in try list(statuses, "status") {
                switch word {
                case "open": filter.statuses += [.accepted, .inProgress]
                case "closed": filter.statuses += [.rejected, .closed]
                default: throw Failure(code: 400, description: "status: \(word) is not open or closed")
                }
            }
        }
        let start = try parameters["start_date"].map { text throws(Failure) in try date(text, "start_date") }
        let end = try parameters["end_date"].map { text throws(Failure) in try date(text, "end_date") }
        switch (start, end) {
        case (nil, nil): (filter.from, filter.to) = (now.addingTimeInterval(-90 * 86400), nil)
        case (let s?, nil): filter.from = s
        case (nil, let e?): (filter.from, filter.to) = (e.addingTimeInterval(-90 * 86400), e)
        case (let s?, let e?):
            guard s <= e else { throw Failure(code: 400, description: "start_date is after end_date") }
            (filter.from, filter.to) = (s, e)
        }
        return filter
    }

    private static func list(_ text: String, _ name: String) throws(Failure) -> [String] {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !items.isEmpty, items.count <= 100 else { throw Failure(code: 400, description: "\(name): 1 to 100 comma-separated values") }
        return items
    }

    /// A W3C date-time (2026-12-05T08:00:00+08:00, fractions allowed) or a date alone.
    static func date(_ text: String, _ name: String) throws(Failure) -> Date {
        if let date = ISO8601Time.date(text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if text.count == 10, let date = day.date(from: text) { return date }
        throw Failure(code: 400, description: "\(name): \(text.prefix(64)) is not a W3C date-time such as 2026-12-05T08:00:00+08:00")
    }

    static func w3c(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        return formatter.string(from: date)
    }
}
