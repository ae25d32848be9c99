import Box
import Foundation
import HotlineModel
import IVR
import Testing

/// The calendar read from a config, asked about moments given with their UTC offset, so the
/// answers cannot depend on the zone of the machine the tests run on.
@Suite(.tags(.unit)) struct ServiceCalendarTests {
    static let district = """
        transfer: {number: "8001"}
        calendar:
          time_zone: Asia/Shanghai
          services:
            desk:
              mon-fri: 08:30-12:00, 13:30-18:00
              sat: 09:00-12:00
            callbacks:
              mon-sun: 08:30-21:00
              holidays: 10:00-12:00
          holidays:
            2026-10-01..2026-10-07: 国庆节
          workdays:
            2026-09-27: mon
            2026-10-10: mon
        """

    func load(_ yaml: String) throws -> BoxConfig { try loadConfig(yaml) }

    func moment(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text), "\(text)")
    }

    @Test(arguments: [
        ("2026-12-04T09:00:00+08:00", true),    // Friday morning
        ("2026-12-04T01:00:00Z", true),         // the same moment, written in UTC
        ("2026-12-04T12:30:00+08:00", false),   // lunch
        ("2026-12-04T17:59:00+08:00", true),
        ("2026-12-04T18:00:00+08:00", false),   // an end is not inside
        ("2026-12-05T10:00:00+08:00", true),    // Saturday's own hours
        ("2026-12-05T14:00:00+08:00", false),
        ("2026-12-06T10:00:00+08:00", false),   // Sunday: not given, so closed
        ("2026-10-02T10:00:00+08:00", false),   // a holiday, closed on holidays by default
        ("2026-09-27T09:00:00+08:00", true),    // a make-up Sunday keeps Monday's hours
        ("2026-10-10T14:00:00+08:00", true),    // a make-up Saturday: Monday's afternoon, not Saturday's morning
    ])
    func theDeskIsOpenByItsOwnZonesHours(at text: String, open: Bool) throws {
        let config = try load(Self.district)
        #expect(config.calendar.isOpen(ServiceCalendar.desk, at: try moment(text)) == open)
    }

    @Test func aServiceMayKeepHoursOnHolidays() throws {
        let calendar = try load(Self.district).calendar
        #expect(calendar.isOpen("callbacks", at: try moment("2026-10-03T11:00:00+08:00")))
        #expect(!calendar.isOpen("callbacks", at: try moment("2026-10-03T13:00:00+08:00")))
        #expect(!calendar.isOpen("nobody", at: try moment("2026-10-03T11:00:00+08:00")))
    }

    @Test(arguments: [
        ("2026-12-04T10:00:00+08:00", "2026-12-04T10:00:00+08:00"),   // open now
        ("2026-12-04T12:10:00+08:00", "2026-12-04T13:30:00+08:00"),   // after lunch
        ("2026-12-04T19:00:00+08:00", "2026-12-05T09:00:00+08:00"),   // Saturday morning
        ("2026-12-05T12:00:00+08:00", "2026-12-07T08:30:00+08:00"),   // past Sunday
        ("2026-09-30T19:00:00+08:00", "2026-10-08T08:30:00+08:00"),   // past the whole holiday
    ])
    func theNextOpeningSkipsClosedDays(from text: String, next expected: String) throws {
        let calendar = try load(Self.district).calendar
        #expect(calendar.nextOpening(ServiceCalendar.desk, from: try moment(text)) == (try moment(expected)))
    }

    @Test func aServiceNeverOpenHasNoNextOpening() throws {
        let calendar = try load("calendar:\n  services:\n    night:\n      mon-sun: closed\n").calendar
        #expect(calendar.nextOpening("night", from: try moment("2026-12-04T10:00:00+08:00")) == nil)
    }

    /// Hours count in the calendar's zone across a daylight-saving change too.
    @Test func hoursFollowTheZonesSummerTime() throws {
        let calendar = try load("calendar:\n  time_zone: Europe/Berlin\n  services:\n    desk:\n      mon-sun: 08:00-09:00\n").calendar
        #expect(calendar.isOpen("desk", at: try moment("2026-07-01T06:30:00Z")))    // 08:30 summer time
        #expect(!calendar.isOpen("desk", at: try moment("2026-07-01T07:30:00Z")))
        #expect(calendar.isOpen("desk", at: try moment("2026-12-01T07:30:00Z")))    // 08:30 winter time
        #expect(calendar.nextOpening("desk", from: try moment("2026-03-28T12:00:00Z")) == (try moment("2026-03-29T06:00:00Z")))
    }

    @Test func theDaysPlanNamesItsKindAndEachServicesHours() throws {
        let calendar = try load(Self.district).calendar
        #expect(calendar.plan(on: try #require(LocalDate("2026-10-01")))
            == "2026-10-01 (thu, holiday 国庆节, Asia/Shanghai): callbacks 10:00-12:00; desk closed")
        #expect(calendar.plan(on: try #require(LocalDate("2026-09-27")))
            == "2026-09-27 (sun, make-up working day with mon's hours, Asia/Shanghai): callbacks 08:30-21:00; desk 08:30-12:00, 13:30-18:00")
    }

    /// Without a calendar, or with one that leaves the desk out, the desk keeps 08:00-18:00 every
    /// day in Beijing time; the older `transfer: hours` still gives the desk's hours.
    @Test func theDesksDefaultsAndTheOlderSetting() throws {
        let friday = try moment("2026-12-04T00:30:00Z")   // 08:30 in Beijing
        func deskOpen(_ yaml: String) throws -> Bool { try load(yaml).calendar.isOpen(ServiceCalendar.desk, at: friday) }
        #expect(try deskOpen("transfer: {number: \"8001\"}\n"))
        #expect(try deskOpen("transfer: {number: \"8001\"}\ncalendar:\n  holidays:\n    2026-12-04: 测试\n") == false)
        #expect(try deskOpen("transfer: {number: \"8001\", hours: \"09:00-17:00\"}\n") == false)
        #expect(try deskOpen("transfer: {number: \"8001\", hours: \"00:00-24:00\"}\n"))
        #expect(try deskOpen("calendar: {}\n"))
    }

    @Test(arguments: [
        ("calendar:\n  time_zone: Mars/Olympus\n", 2, "unknown time zone \"Mars/Olympus\""),
        ("calendar:\n  timezone: UTC\n", 2, "calendar: unknown key \"timezone\""),
        ("calendar:\n  services:\n    Desk!:\n      mon: 08:00-09:00\n", 3, "service name \"Desk!\" must be"),
        ("calendar:\n  services:\n    desk:\n      mon: 18:00-08:00\n", 4, "\"18:00-08:00\" must be closed or hours"),
        ("calendar:\n  services:\n    desk:\n      mon: 08:00-24:01\n", 4, "must be closed or hours"),
        ("calendar:\n  services:\n    desk:\n      mon: 8:00-12:00\n", 4, "must be closed or hours"),
        ("calendar:\n  services:\n    desk:\n      mon: nan\n", 4, "\"nan\" must be closed or hours"),
        ("calendar:\n  services:\n    desk:\n      mon: 1e300\n", 4, "must be closed or hours"),
        ("calendar:\n  services:\n    desk:\n      mon: 08:00-12:00, 11:00-13:00\n", 4, "none overlapping"),
        ("calendar:\n  services:\n    desk:\n      funday: 08:00-09:00\n", 4, "\"funday\" is not a day"),
        ("calendar:\n  services:\n    desk:\n      mon-fri: 08:00-09:00\n      wed: closed\n", 5, "wed is already given at line 4"),
        ("calendar:\n  holidays:\n    2026-02-30: 不存在\n", 3, "\"2026-02-30\" must be a date"),
        ("calendar:\n  holidays:\n    2026-10-07..2026-10-01: 倒序\n", 3, "must be a date such as"),
        ("calendar:\n  holidays:\n    2026-01-01..2027-06-01: 太长\n", 3, "at most a year"),
        ("calendar:\n  holidays:\n    1066-10-14: 太早\n", 3, "years 2000-2100"),
        ("calendar:\n  holidays:\n    2026-10-01..2026-10-03: 国庆节\n  workdays:\n    2026-10-02: mon\n", 5, "2026-10-02 is already listed at line 3"),
        ("calendar:\n  workdays:\n    2026-09-27: someday\n", 3, "names the weekday whose hours it keeps"),
        ("transfer: {number: \"8001\", hours: \"09:00-17:00\"}\ncalendar:\n  services:\n    desk:\n      mon: 09:00-17:00\n", 1,
         "both give the desk's hours"),
        ("transfer: {number: \"8001\", hours: \"17:00-09:00\"}\n", 1, "transfer: hours must look like 08:00-18:00"),
    ])
    func mistakesAreReportedWithTheirLine(yaml: String, line: Int, message: String) throws {
        let error = #expect(throws: SourceErrors.self) { try load(yaml) }
        let problems = error?.errors.map { "\($0.line): \($0.message)" } ?? []
        #expect(problems.contains { $0.hasPrefix("\(line): ") && $0.contains(message) }, "\(problems)")
    }

    /// The day arithmetic against Foundation's Gregorian calendar, over every day of the years a
    /// calendar may name.
    @Test func datesAndWeekdaysMatchTheGregorianCalendar() throws {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = try #require(TimeZone(identifier: "UTC"))
        let first = LocalDate(year: 2000, month: 1, day: 1).dayNumber, last = LocalDate(year: 2100, month: 12, day: 31).dayNumber
        for number in first...last {
            let day = LocalDate(dayNumber: number)
            let parts = gregorian.dateComponents([.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(number) * 86_400))
            let civil = day.civil
            guard civil.year == parts.year, civil.month == parts.month, civil.day == parts.day,
                  day.weekday.rawValue == ((parts.weekday ?? 0) + 5) % 7 + 1, LocalDate(day.description) == day else {
                Issue.record("\(day) (day \(number)) is \(parts)")
                return
            }
        }
        for text in ["2026-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "２０２６-01-01", "2026-01-01x", ""] {
            #expect(LocalDate(text) == nil, "\(text)")
        }
        #expect(LocalDate("2024-02-29") != nil && LocalDate("2000-02-29") != nil)
    }
}
