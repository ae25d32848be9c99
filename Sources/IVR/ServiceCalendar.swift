import Foundation

/// When each service is offered: weekly hours per service in one time zone, with public
/// holidays and make-up working days (调休). It answers in its own zone whatever zone the box's
/// clock is set to, so "08:30-18:00" means Beijing time on a box left at UTC. Pure: every
/// question names the moment it is about.
package struct ServiceCalendar: Sendable, Equatable {
    package var timeZone: TimeZone
    package var services: [String: ServiceHours]
    /// Each holiday's name by day.
    package var holidays: [LocalDate: String]
    /// Each make-up working day and the weekday whose hours it keeps.
    package var makeUpWorkdays: [LocalDate: Weekday]

    package init(timeZone: TimeZone = ServiceCalendar.defaultTimeZone, services: [String: ServiceHours] = [:],
                 holidays: [LocalDate: String] = [:], makeUpWorkdays: [LocalDate: Weekday] = [:]) {
        self.timeZone = timeZone
        self.services = services
        self.holidays = holidays
        self.makeUpWorkdays = makeUpWorkdays
    }

    package static let defaultTimeZone = TimeZone(identifier: "Asia/Shanghai")!
    /// The human desk (人工服务), the service a transfer keeps the hours of unless it names another.
    package static let desk = "desk"
    /// When the box may call citizens (call-backs, fax sends): the outbound queue's window.
    package static let callbacks = "callbacks"

    /// Whether `service` is open at `instant`. A service the calendar does not name is closed.
    package func isOpen(_ service: String, at instant: Date) -> Bool {
        let (day, minute) = local(instant)
        return hours(service, on: day).contains { $0.contains(minute) }
    }

    /// The first moment at or after `instant` when `service` is open, looking a year ahead.
    package func nextOpening(_ service: String, from instant: Date) -> Date? {
        let (today, now) = local(instant)
        for offset in 0...Self.lookAheadDays {
            let day = LocalDate(dayNumber: today.dayNumber + offset)
            for range in hours(service, on: day) where offset > 0 || range.upperBound > now {
                if offset == 0 && range.lowerBound <= now { return instant }
                return moment(day, minute: range.lowerBound)
            }
        }
        return nil
    }

    /// The opening hours of `service` on a day, in minutes after local midnight.
    package func hours(_ service: String, on day: LocalDate) -> [Range<Int>] {
        guard let hours = services[service] else { return [] }
        switch kind(of: day) {
        case .holiday: return hours.onHolidays
        case .makeUpWorkday(let weekday), .ordinary(let weekday): return hours.weekly[weekday] ?? []
        }
    }

    package func kind(of day: LocalDate) -> DayKind {
        if let name = holidays[day] { return .holiday(name) }
        if let keeps = makeUpWorkdays[day] { return .makeUpWorkday(keeps: keeps) }
        return .ordinary(day.weekday)
    }

    /// A day's plan for a technician: what kind of day it is and each service's hours.
    package func plan(on day: LocalDate) -> String {
        let kind = switch kind(of: day) {
        case .ordinary(let weekday): weekday.name
        case .makeUpWorkday(let keeps): "\(day.weekday.name), make-up working day with \(keeps.name)'s hours"
        case .holiday(let name): "\(day.weekday.name), holiday \(name)"
        }
        let each = services.keys.sorted().map { name in
            let hours = hours(name, on: day)
            return "\(name) " + (hours.isEmpty ? "closed" : hours.map(ServiceHours.text).joined(separator: ", "))
        }
        return "\(day) (\(kind), \(timeZone.identifier)): " + (each.isEmpty ? "no services" : each.joined(separator: "; "))
    }

    /// The local day of an instant and the minute within it.
    package func local(_ instant: Date) -> (day: LocalDate, minute: Int) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: instant)
        let (days, rest) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (day, second) = rest < 0 ? (days - 1, rest + 86_400) : (days, rest)
        return (LocalDate(dayNumber: day), second / 60)
    }

    /// The instant of a local day's minute. A minute a daylight-saving change skips maps to the
    /// instant the clock jumps past it.
    package func moment(_ day: LocalDate, minute: Int) -> Date {
        let local = TimeInterval(day.dayNumber * 86_400 + minute * 60)
        let guess = Date(timeIntervalSince1970: local - TimeInterval(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local))))
        return Date(timeIntervalSince1970: local - TimeInterval(timeZone.secondsFromGMT(for: guess)))
    }

    static let lookAheadDays = 400

    package enum DayKind: Equatable, Sendable {
        case ordinary(Weekday)
        case makeUpWorkday(keeps: Weekday)
        case holiday(String)
    }
}

/// One service's hours: per weekday, and on holidays (closed unless given).
package struct ServiceHours: Sendable, Equatable {
    package var weekly: [Weekday: [Range<Int>]] = [:]
    package var onHolidays: [Range<Int>] = []

    package init(weekly: [Weekday: [Range<Int>]] = [:], onHolidays: [Range<Int>] = []) {
        self.weekly = weekly
        self.onHolidays = onHolidays
    }

    /// The same hours every day of the week, closed on holidays.
    package static func everyDay(_ hours: Range<Int>) -> ServiceHours {
        ServiceHours(weekly: Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0, [hours]) }))
    }

    /// "08:30-12:00" for minutes 510..<720.
    static func text(_ range: Range<Int>) -> String {
        func clock(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        return "\(clock(range.lowerBound))-\(clock(range.upperBound))"
    }
}

package enum Weekday: Int, Sendable, CaseIterable, Comparable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    package init?(name: String) {
        guard let day = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = day
    }

    package var name: String {
        switch self {
        case .monday: "mon"
        case .tuesday: "tue"
        case .wednesday: "wed"
        case .thursday: "thu"
        case .friday: "fri"
        case .saturday: "sat"
        case .sunday: "sun"
        }
    }

    package static func < (a: Weekday, b: Weekday) -> Bool { a.rawValue < b.rawValue }
}

/// A calendar day with no time zone, counted in days from 1970-01-01 so that ranges and
/// weekdays are plain arithmetic.
package struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    package let dayNumber: Int

    package init(dayNumber: Int) { self.dayNumber = dayNumber }

    /// The years a calendar may name; outside them a date is a typing mistake.
    package static let years = 2000...2100

    /// "2026-10-01", or nil for anything else (2026-02-30 included).
    package init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              Self.years.contains(y), (1...12).contains(m), (1...31).contains(d) else { return nil }
        let date = LocalDate(year: y, month: m, day: d)
        // A day past the month's end rolls into the next month; the round trip catches it.
        guard date.civil == (y, m, d) else { return nil }
        self = date
    }

    /// Days from civil (proleptic Gregorian), after Howard Hinnant's chrono algorithms.
    package init(year: Int, month: Int, day: Int) {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        dayNumber = era * 146_097 + dayOfEra - 719_468
    }

    package var civil: (year: Int, month: Int, day: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, dayOfYear - (153 * mp + 2) / 5 + 1)
    }

    /// 1970-01-01 was a Thursday.
    package var weekday: Weekday {
        Weekday(rawValue: ((dayNumber % 7) + 7 + 3) % 7 + 1)!
    }

    package var description: String {
        let (y, m, d) = civil
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    package static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }
}
