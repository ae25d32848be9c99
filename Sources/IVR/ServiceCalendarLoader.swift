import Foundation
import HotlineModel
import Yams

/// Reading a calendar: the config's `calendar:` section, or a pushed calendar's whole document.
/// Every problem goes to the reader at its line, so one load lists all of them.
///
///     time_zone: Asia/Shanghai
///     services:
///       desk:
///         mon-fri: 08:30-12:00, 13:30-18:00
///         sat: 09:00-12:00
///         holidays: closed
///     holidays:
///       2026-10-01..2026-10-07: 国庆节
///     workdays:
///       2026-09-27: mon
extension ServiceCalendar {
    package static func parse(_ node: Node, _ y: YAMLReader) -> ServiceCalendar {
        var calendar = ServiceCalendar()
        var listed: [LocalDate: Int] = [:]
        // Holidays and make-up working days share one check: a day is listed once, as one or the other.
        func list(_ days: ClosedRange<Int>, at line: Int, _ add: (LocalDate) -> Void) {
            for number in days {
                let day = LocalDate(dayNumber: number)
                if let first = listed[day] {
                    y.fail(line, "calendar: \(day) is already listed at line \(first)")
                } else {
                    listed[day] = line
                    add(day)
                }
            }
        }
        for (key, value, line) in y.pairs(node, what: "calendar") {
            switch key {
            case "time_zone":
                guard let name = y.string(value, key, in: "calendar", at: line) else { continue }
                if let zone = TimeZone(identifier: name) { calendar.timeZone = zone } else {
                    y.fail(value, "calendar: unknown time zone \"\(name)\" (an IANA name such as Asia/Shanghai)")
                }
            case "services":
                for (name, hours, at) in y.pairs(value, what: "calendar: services") {
                    guard isServiceName(name) else {
                        y.fail(at, "calendar: service name \"\(name)\" must be lower-case letters, digits and _ (at most 32)")
                        continue
                    }
                    calendar.services[name] = ServiceHours.parse(hours, y, service: name)
                }
            case "holidays":
                for (dates, name, at) in y.pairs(value, what: "calendar: holidays") {
                    guard let days = dayRange(dates, y, at: at),
                          let label = y.string(name, dates, in: "calendar: holidays", at: at) else { continue }
                    guard label.count <= 40 else { y.fail(name, "calendar: a holiday's name is at most 40 characters"); continue }
                    list(days, at: at) { calendar.holidays[$0] = label }
                }
            case "workdays":
                for (dates, keeps, at) in y.pairs(value, what: "calendar: workdays") {
                    guard let days = dayRange(dates, y, at: at) else { continue }
                    guard let weekday = keeps.string.flatMap(Weekday.init(name:)) else {
                        y.fail(keeps, "calendar: a make-up working day names the weekday whose hours it keeps: mon … sun")
                        continue
                    }
                    list(days, at: at) { calendar.makeUpWorkdays[$0] = weekday }
                }
            default: y.fail(line, "calendar: unknown key \"\(key)\"")
            }
        }
        return calendar
    }

    /// A calendar pushed as a document of its own (the config's `calendar:` section standing
    /// alone); every problem as `file`:line.
    package static func parse(document text: String, file: String) -> Result<ServiceCalendar, SourceErrors> {
        let y = YAMLReader(file: file)
        let calendar = y.root(text).map { parse($0, y) }
        guard let calendar, y.errors.isEmpty else { return .failure(SourceErrors(errors: y.errors)) }
        return .success(calendar)
    }

    /// This calendar with the services it leaves out given `defaults`' hours.
    package func filled(from defaults: ServiceCalendar) -> ServiceCalendar {
        var filled = self
        filled.services.merge(defaults.services) { named, _ in named }
        return filled
    }

    static func isServiceName(_ name: String) -> Bool {
        (1...32).contains(name.utf8.count) && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    /// "2026-10-01" or "2026-10-01..2026-10-07" (at most a year), as day numbers.
    static func dayRange(_ text: String, _ y: YAMLReader, at line: Int) -> ClosedRange<Int>? {
        let ends = text.components(separatedBy: "..")
        guard (1...2).contains(ends.count), let first = LocalDate(ends[0]), let last = LocalDate(ends[ends.count - 1]),
              first <= last, last.dayNumber - first.dayNumber < 366 else {
            y.fail(line, "calendar: \"\(text)\" must be a date such as 2026-10-01 or a range such as 2026-10-01..2026-10-07 (years \(LocalDate.years.lowerBound)-\(LocalDate.years.upperBound), at most a year)")
            return nil
        }
        return first.dayNumber...last.dayNumber
    }
}

extension ServiceHours {
    static func parse(_ node: Node, _ y: YAMLReader, service: String) -> ServiceHours {
        var hours = ServiceHours()
        var given: [Weekday: Int] = [:]
        for (key, value, line) in y.pairs(node, what: "calendar: \(service)") {
            let days: [Weekday]
            if key == "holidays" {
                days = []
            } else if let named = weekdays(key) {
                days = named
            } else {
                y.fail(line, "calendar: \(service): \"\(key)\" is not a day: mon … sun, a range such as mon-fri, or holidays")
                continue
            }
            guard let text = y.string(value, key, in: "calendar: \(service)", at: line) else { continue }
            guard let ranges = ranges(text) else {
                y.fail(value, "calendar: \(service): \(key): \"\(text)\" must be closed or hours such as 08:30-12:00, 13:30-18:00 (00:00 to 24:00, each ending after it starts, none overlapping)")
                continue
            }
            if key == "holidays" { hours.onHolidays = ranges }
            for day in days {
                if let first = given[day] {
                    y.fail(line, "calendar: \(service): \(day.name) is already given at line \(first)")
                } else {
                    given[day] = line
                    hours.weekly[day] = ranges
                }
            }
        }
        return hours
    }

    /// "mon", or a range such as "mon-fri" (it may wrap: "fri-mon").
    static func weekdays(_ text: String) -> [Weekday]? {
        let ends = text.split(separator: "-", omittingEmptySubsequences: false).map { Weekday(name: String($0)) }
        guard (1...2).contains(ends.count), let first = ends[0], let last = ends[ends.count - 1] else { return nil }
        let count = (last.rawValue - first.rawValue + 7) % 7 + 1
        return (0..<count).compactMap { Weekday(rawValue: (first.rawValue - 1 + $0) % 7 + 1) }
    }

    /// "closed", or ranges separated by commas, sorted and not overlapping.
    static func ranges(_ text: String) -> [Range<Int>]? {
        if text.trimmingCharacters(in: .whitespaces) == "closed" { return [] }
        let parsed = text.split(separator: ",", omittingEmptySubsequences: false).map { range(String($0)) }
        guard !parsed.contains(where: { $0 == nil }) else { return nil }
        let sorted = parsed.compactMap { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        guard zip(sorted, sorted.dropFirst()).allSatisfy({ $0.upperBound <= $1.lowerBound }) else { return nil }
        return sorted
    }

    /// "08:30-12:00" as minutes after midnight, 510..<720; 24:00 ends a day.
    package static func range(_ text: String) -> Range<Int>? {
        let ends = text.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false).map { minute(String($0)) }
        guard ends.count == 2, let start = ends[0], let end = ends[1], start < end else { return nil }
        return start..<end
    }

    private static func minute(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let h = Int(parts[0]), let m = Int(parts[1]), (0...59).contains(m) else { return nil }
        let minute = h * 60 + m
        return minute <= 24 * 60 ? minute : nil
    }
}
