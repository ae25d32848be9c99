/// A service's hours as the box says them to a caller, in Mandarin: the flows play them where
/// a caller is told when the desk is open, so the words follow the calendar, not a prompt text
/// someone has to remember to change.
extension ServiceCalendar {
    /// The prompt that says `service`'s hours.
    package static func hoursPrompt(_ service: String) -> String { "hours_\(service)" }

    /// Prompt name → text, one per service.
    package var hoursPromptTexts: [String: String] {
        Dictionary(uniqueKeysWithValues: services.map { (Self.hoursPrompt($0.key), $0.value.spoken) })
    }
}

extension ServiceHours {
    /// "每天8点到18点，节假日休息"; "周一至周五8点30分到12点、14点到18点，周六9点到12点，节假日休息".
    package var spoken: String {
        // Runs of consecutive weekdays with the same hours, Monday first.
        var runs: [(first: Weekday, last: Weekday, hours: [Range<Int>])] = []
        for day in Weekday.allCases {
            let hours = weekly[day] ?? []
            if let last = runs.last, last.hours == hours, last.last.rawValue == day.rawValue - 1 {
                runs[runs.count - 1].last = day
            } else {
                runs.append((day, day, hours))
            }
        }
        let open = runs.filter { !$0.hours.isEmpty }
        guard !open.isEmpty || !onHolidays.isEmpty else { return "暂不开放" }
        var parts = open.count == 1 && open[0].first == .monday && open[0].last == .sunday
            ? ["每天" + Self.spoken(open[0].hours)]
            : open.map { Self.spoken($0.first, $0.last) + Self.spoken($0.hours) }
        parts.append(onHolidays.isEmpty ? "节假日休息" : "节假日" + Self.spoken(onHolidays))
        return parts.joined(separator: "，")
    }

    private static func spoken(_ hours: [Range<Int>]) -> String {
        func clock(_ minute: Int) -> String { "\(minute / 60)点" + (minute % 60 == 0 ? "" : "\(minute % 60)分") }
        return hours.map { "\(clock($0.lowerBound))到\(clock($0.upperBound))" }.joined(separator: "、")
    }

    private static func spoken(_ first: Weekday, _ last: Weekday) -> String {
        switch last.rawValue - first.rawValue {
        case 0: first.spoken
        case 1: "\(first.spoken)、\(last.spoken)"
        default: "\(first.spoken)至\(last.spoken)"
        }
    }
}

extension Weekday {
    /// 周一 … 周日.
    var spoken: String {
        switch self {
        case .monday: "周一"
        case .tuesday: "周二"
        case .wednesday: "周三"
        case .thursday: "周四"
        case .friday: "周五"
        case .saturday: "周六"
        case .sunday: "周日"
        }
    }
}
