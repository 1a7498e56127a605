import Foundation
@testable import Pipelines
import Testing

/// Parses an ISO 8601 instant such as `2026-01-01T10:00:00Z`.
private func instant(_ text: String) throws -> Date {
    try Date.ISO8601FormatStyle().parse(text)
}

/// The bit positions set in a field mask.
private func values(_ mask: UInt64) -> [Int] {
    (0..<64).filter { mask & (1 << UInt64($0)) != 0 }
}

private func zone(_ identifier: String) throws -> TimeZone {
    try #require(TimeZone(identifier: identifier))
}

@Suite("Cron expression parsing")
struct CronParsingTests {
    @Test("every field form in the minute field", arguments: [
        ("*", Array(0...59)),
        ("5", [5]),
        ("1,2,3", [1, 2, 3]),
        ("1-5", [1, 2, 3, 4, 5]),
        ("*/15", [0, 15, 30, 45]),
        ("10-30/10", [10, 20, 30]),
        ("5/20", [5, 25, 45]),
        ("1,5-7,*/20", [0, 1, 5, 6, 7, 20, 40]),
        ("07", [7]),
        ("*/90", [0]),
    ])
    func minuteForms(field: String, expected: [Int]) throws {
        let expression = try CronExpression("\(field) * * * *")
        #expect(values(expression.minutes) == expected)
    }

    @Test("hours and days of month")
    func hoursAndDays() throws {
        let expression = try CronExpression("0 9-17/4 1,15,31 * *")
        #expect(values(expression.hours) == [9, 13, 17])
        #expect(values(expression.daysOfMonth) == [1, 15, 31])
        #expect(values(try CronExpression("* * * * *").daysOfMonth) == Array(1...31))
    }

    @Test("month names, any case", arguments: [
        ("JAN-MAR", [1, 2, 3]),
        ("jan,Dec", [1, 12]),
        ("*/3", [1, 4, 7, 10]),
        ("Jun-AUG/2", [6, 8]),
        ("*", Array(1...12)),
    ])
    func monthNames(field: String, expected: [Int]) throws {
        #expect(values(try CronExpression("0 0 1 \(field) *").months) == expected)
    }

    @Test("weekday names, any case; 0 and 7 are Sunday", arguments: [
        ("mon-fri", [1, 2, 3, 4, 5]),
        ("Sun,SAT", [0, 6]),
        ("7", [0]),
        ("0", [0]),
        ("5-7", [0, 5, 6]),
        ("SUN-SAT", [0, 1, 2, 3, 4, 5, 6]),
        ("*", [0, 1, 2, 3, 4, 5, 6]),
        ("*/2", [0, 2, 4, 6]),
    ])
    func weekdayNames(field: String, expected: [Int]) throws {
        #expect(values(try CronExpression("0 0 * * \(field)").daysOfWeek) == expected)
    }

    @Test("a day field starting with * counts as unrestricted (Vixie)")
    func starFlags() throws {
        let stepped = try CronExpression("0 0 */2 * 1-5")
        #expect(stepped.dayOfMonthIsStar)
        #expect(!stepped.dayOfWeekIsStar)
        let explicit = try CronExpression("0 0 1-31 * 0-6")
        #expect(!explicit.dayOfMonthIsStar)
        #expect(!explicit.dayOfWeekIsStar)
    }

    @Test("shortcuts expand to their five-field forms", arguments: [
        ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"), ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"),
        ("@hourly", "0 * * * *"), ("@DAILY", "0 0 * * *"), ("  @Weekly ", "0 0 * * 0"),
    ])
    func shortcuts(shortcut: String, expansion: String) throws {
        let short = try CronExpression(shortcut)
        let long = try CronExpression(expansion)
        #expect(short.minutes == long.minutes)
        #expect(short.hours == long.hours)
        #expect(short.daysOfMonth == long.daysOfMonth)
        #expect(short.months == long.months)
        #expect(short.daysOfWeek == long.daysOfWeek)
        #expect(short.dayOfMonthIsStar == long.dayOfMonthIsStar)
        #expect(short.dayOfWeekIsStar == long.dayOfWeekIsStar)
        #expect(short.description == shortcut.trimmingCharacters(in: .whitespaces).lowercased())
    }

    @Test("description normalises whitespace; equality follows it")
    func descriptionAndEquality() throws {
        let spaced = try CronExpression("  0\t3   * *  MON-fri ")
        #expect(spaced.description == "0 3 * * MON-fri")
        #expect(spaced == (try CronExpression("0 3 * * MON-fri")))
        #expect(spaced != (try CronExpression("0 3 * * 1-5")))
        #expect(Set([spaced, try CronExpression("0 3 * * MON-fri")]).count == 1)
    }

    @Test("encodes as its text")
    func codable() throws {
        let expression = try CronExpression("*/15 9-17 * * 1-5")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = try encoder.encode(expression)
        #expect(String(decoding: data, as: UTF8.self) == "\"*/15 9-17 * * 1-5\"")
        #expect(try JSONDecoder().decode(CronExpression.self, from: data) == expression)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CronExpression.self, from: Data("\"0 24 * * *\"".utf8))
        }
    }
}

@Suite("Cron expression errors")
struct CronErrorTests {
    @Test("each error names the field, the column and the reason", arguments: [
        ("", nil, 1, CronError.Reason.empty),
        ("   ", nil, 1, .empty),
        ("* * * *", nil, 8, .wrongFieldCount(found: 4)),
        ("* * * * * *", nil, 11, .wrongFieldCount(found: 6)),
        ("@reboot", nil, 1, .unknownShortcut("@reboot")),
        ("  @reboot", nil, 3, .unknownShortcut("@reboot")),
        ("@daily *", nil, 8, .unexpectedText("*")),
        ("61 * * * *", .minute, 1, .outOfRange(value: 61, range: 0...59)),
        ("0 24 * * *", .hour, 3, .outOfRange(value: 24, range: 0...23)),
        ("0 0 0 * *", .dayOfMonth, 5, .outOfRange(value: 0, range: 1...31)),
        ("0 0 32 * *", .dayOfMonth, 5, .outOfRange(value: 32, range: 1...31)),
        ("0 0 1 13 *", .month, 7, .outOfRange(value: 13, range: 1...12)),
        ("0 0 * * 8", .dayOfWeek, 9, .outOfRange(value: 8, range: 0...7)),
        ("0 0 * * MON-8", .dayOfWeek, 13, .outOfRange(value: 8, range: 0...7)),
        ("0 0 1,40 * *", .dayOfMonth, 7, .outOfRange(value: 40, range: 1...31)),
        ("*/0 * * * *", .minute, 3, .stepMustBePositive),
        ("0 1-5/0 * * *", .hour, 7, .stepMustBePositive),
        ("0 */x * * *", .hour, 5, .invalidStep("x")),
        ("0 */ * * *", .hour, 5, .invalidStep("")),
        ("5-2 * * * *", .minute, 1, .reversedRange(lower: 5, upper: 2)),
        ("0 0 * * FRI-MON", .dayOfWeek, 9, .reversedRange(lower: 5, upper: 1)),
        ("1,,2 * * * *", .minute, 3, .emptyListItem),
        ("0 0 1, * *", .dayOfMonth, 7, .emptyListItem),
        ("0 0 * FOO *", .month, 7, .invalidValue("FOO")),
        ("0 JAN * * *", .hour, 3, .invalidValue("JAN")),
        ("0 0 * * JAN", .dayOfWeek, 9, .invalidValue("JAN")),
        ("1-2-3 * * * *", .minute, 1, .invalidValue("1-2-3")),
        ("-5 * * * *", .minute, 1, .invalidValue("-5")),
        ("0 0 * * 1,3-x", .dayOfWeek, 13, .invalidValue("x")),
        ("? * * * *", .minute, 1, .invalidValue("?")),
        ("99999999999999999999 * * * *", .minute, 1, .invalidValue("99999999999999999999")),
    ] as [(String, CronExpression.Field?, Int, CronError.Reason)])
    func errors(text: String, field: CronExpression.Field?, column: Int, reason: CronError.Reason) {
        #expect(throws: CronError(expression: text, field: field, column: column, reason: reason)) {
            try CronExpression(text)
        }
    }

    @Test("descriptions say what and where")
    func descriptions() {
        #expect(CronError(expression: "0 24 * * *", field: .hour, column: 3,
                          reason: .outOfRange(value: 24, range: 0...23)).description
                == "invalid cron expression '0 24 * * *': hour field, column 3: value 24 is out of range 0–23")
        #expect(CronError(expression: "* * * *", field: nil, column: 8, reason: .wrongFieldCount(found: 4)).description
                == "invalid cron expression '* * * *': column 8: expected 5 fields, found 4")
        #expect(CronError.Reason.unknownShortcut("@reboot").description == "unknown shortcut '@reboot'")
        #expect(CronError.Reason.stepMustBePositive.description == "step must be ≥ 1")
        #expect(CronError(expression: "0 0 * * 8", field: .dayOfWeek, column: 9,
                          reason: .outOfRange(value: 8, range: 0...7)).description.contains("day of week field"))
        #expect(CronError(expression: "every 0 days", field: nil, column: 7, reason: .intervalMustBePositive)
                .description == "invalid schedule 'every 0 days': column 7: the interval must be ≥ 1 day")
    }
}

@Suite("Cron next dates")
struct CronNextDateTests {
    /// `(expression, after, expected)` in UTC, worked out by hand. 2026-01-01 is a Thursday.
    @Test("known cases in UTC", arguments: [
        // Every 15 minutes: strictly after, across the hour and the day.
        ("*/15 * * * *", "2026-01-01T10:07:30Z", "2026-01-01T10:15:00Z"),
        ("*/15 * * * *", "2026-01-01T10:15:00Z", "2026-01-01T10:30:00Z"),
        ("*/15 * * * *", "2026-01-01T10:14:59Z", "2026-01-01T10:15:00Z"),
        ("*/15 * * * *", "2026-12-31T23:50:00Z", "2027-01-01T00:00:00Z"),
        // 03:00 on weekdays: Friday's run, then Monday.
        ("0 3 * * 1-5", "2026-01-02T02:59:59Z", "2026-01-02T03:00:00Z"),
        ("0 3 * * 1-5", "2026-01-02T03:00:00Z", "2026-01-05T03:00:00Z"),
        ("0 3 * * MON-FRI", "2026-01-03T12:00:00Z", "2026-01-05T03:00:00Z"),
        // First of every third month: January, April, July, October.
        ("0 0 1 */3 *", "2026-02-10T00:00:00Z", "2026-04-01T00:00:00Z"),
        ("0 0 1 */3 *", "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z"),
        // February 29th: the next leap year, skipping 2100.
        ("0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("0 0 29 2 *", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"),
        ("0 0 29 2 *", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z"),
        // Both day fields restricted: the 13th OR a Friday.
        ("0 0 13 * 5", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
        ("0 0 13 * 5", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z"),
        ("0 0 13 * FRI", "2026-01-13T00:00:00Z", "2026-01-16T00:00:00Z"),
        // Day of month starting with *: an odd day AND a Monday (5th, then 19th).
        ("0 0 */2 * 1", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z"),
        ("0 0 */2 * 1", "2026-01-05T00:00:00Z", "2026-01-19T00:00:00Z"),
        // Shortcuts.
        ("@weekly", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"),
        ("0 0 * * 7", "2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"),
        ("@monthly", "2026-01-31T12:00:00Z", "2026-02-01T00:00:00Z"),
        ("@yearly", "2026-06-15T08:00:00Z", "2027-01-01T00:00:00Z"),
        ("@daily", "2026-02-28T23:59:00Z", "2026-03-01T00:00:00Z"),
        ("@hourly", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"),
        // Month ends.
        ("0 0 31 * *", "2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z"),
        ("0 0 31 * *", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z"),
        ("59 23 28-31 2 *", "2026-02-27T00:00:00Z", "2026-02-28T23:59:00Z"),
        ("59 23 28-31 2 *", "2026-02-28T23:59:00Z", "2027-02-28T23:59:00Z"),
        ("59 23 31 12 *", "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"),
        // An impossible day of month is fine when the day of week is also restricted (OR).
        ("0 0 30 2 1", "2026-01-01T00:00:00Z", "2026-02-02T00:00:00Z"),  // the first Monday of February
    ])
    func knownCases(expression: String, after: String, expected: String) throws {
        let cron = try CronExpression(expression)
        #expect(cron.nextDate(after: try instant(after)) == (try instant(expected)))
    }

    @Test("never-matching expressions return nil", arguments: ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31 FEB *"])
    func impossible(expression: String) throws {
        #expect(try CronExpression(expression).nextDate(after: try instant("2026-01-01T00:00:00Z")) == nil)
    }

    @Test("non-finite and absurd dates return nil instead of trapping")
    func absurdDates() throws {
        let cron = try CronExpression("* * * * *")
        #expect(cron.nextDate(after: Date(timeIntervalSince1970: .infinity)) == nil)
        #expect(cron.nextDate(after: Date(timeIntervalSince1970: .nan)) == nil)
        #expect(cron.nextDate(after: .distantFuture) != nil)
        #expect(cron.nextDate(after: .distantPast) != nil)
    }

    @Test("fixed-offset zones")
    func fixedZones() throws {
        let tokyo = try zone("Asia/Tokyo")
        let nineAM = try CronExpression("0 9 * * *")
        #expect(nineAM.nextDate(after: try instant("2026-01-01T00:00:00Z"), in: tokyo) == (try instant("2026-01-02T00:00:00Z")))
        #expect(nineAM.nextDate(after: try instant("2025-12-31T23:59:00Z"), in: tokyo) == (try instant("2026-01-01T00:00:00Z")))
        let newYork = try zone("America/New_York")
        // Midnight EST is 05:00 UTC; the weekday is the local one (Thursday in New York
        // while it is already Friday in UTC).
        #expect(try CronExpression("0 0 * * *").nextDate(after: try instant("2026-01-01T00:00:00Z"), in: newYork)
                == (try instant("2026-01-01T05:00:00Z")))
        #expect(try CronExpression("30 20 * * THU").nextDate(after: try instant("2026-01-01T00:00:00Z"), in: newYork)
                == (try instant("2026-01-02T01:30:00Z")))
    }

    @Test("successive dates are strictly increasing and match")
    func walk() throws {
        let cron = try CronExpression("*/7 8-18 * * MON-FRI")
        var date = try instant("2026-01-01T00:00:00Z")
        for _ in 0..<2000 {
            let next = try #require(cron.nextDate(after: date))
            #expect(next > date)
            let seconds = Int(next.timeIntervalSince1970)
            #expect(seconds % 60 == 0)
            let minute = seconds / 60 % 60
            let hour = seconds / 3600 % 24
            let weekday = CivilDate.weekday(daysSinceEpoch: seconds / 86_400)
            #expect(minute % 7 == 0 && (8...18).contains(hour) && (1...5).contains(weekday))
            date = next
        }
    }
}

@Suite("Cron across daylight saving time in Europe/Paris")
struct CronDSTTests {
    // 2026: clocks go 02:00 CET → 03:00 CEST on Sunday 29 March (01:00 UTC), and
    // 03:00 CEST → 02:00 CET on Sunday 25 October (01:00 UTC).

    @Test("a local time in the spring-forward gap is skipped that day")
    func springGap() throws {
        let paris = try zone("Europe/Paris")
        let halfTwo = try CronExpression("30 2 * * *")
        #expect(halfTwo.nextDate(after: try instant("2026-03-27T02:00:00Z"), in: paris) == (try instant("2026-03-28T01:30:00Z")))
        #expect(halfTwo.nextDate(after: try instant("2026-03-28T02:00:00Z"), in: paris) == (try instant("2026-03-30T00:30:00Z")))
        #expect(try CronExpression("0 3 * * *").nextDate(after: try instant("2026-03-28T12:00:00Z"), in: paris)
                == (try instant("2026-03-29T01:00:00Z")))
        // Every 30 minutes: 01:30 CET is followed by 03:00 CEST, 30 real minutes later.
        let halfHourly = try CronExpression("*/30 * * * *")
        #expect(halfHourly.nextDate(after: try instant("2026-03-29T00:30:00Z"), in: paris) == (try instant("2026-03-29T01:00:00Z")))
    }

    @Test("a repeated local time fires once, at its first occurrence")
    func fallOverlap() throws {
        let paris = try zone("Europe/Paris")
        let halfTwo = try CronExpression("30 2 * * *")
        let first = try #require(halfTwo.nextDate(after: try instant("2026-10-24T12:00:00Z"), in: paris))
        #expect(first == (try instant("2026-10-25T00:30:00Z")))  // 02:30 CEST
        #expect(halfTwo.nextDate(after: first, in: paris) == (try instant("2026-10-26T01:30:00Z")))  // 02:30 CET next day
        // Hourly: 02:00 CEST fires, the repeated 02:00 CET does not, then 03:00 CET.
        #expect(try CronExpression("0 * * * *").nextDate(after: try instant("2026-10-25T00:00:00Z"), in: paris)
                == (try instant("2026-10-25T02:00:00Z")))
        // Starting inside the repeated hour (02:10 CET): 02:45 already fired at 02:45 CEST.
        #expect(try CronExpression("45 2 * * *").nextDate(after: try instant("2026-10-25T01:10:00Z"), in: paris)
                == (try instant("2026-10-26T01:45:00Z")))
        #expect(try CronExpression("*/15 * * * *").nextDate(after: try instant("2026-10-25T01:10:00Z"), in: paris)
                == (try instant("2026-10-25T02:00:00Z")))
    }

    @Test("every local minute fires at most once through both transitions")
    func noDuplicates() throws {
        let paris = try zone("Europe/Paris")
        let cron = try CronExpression("*/5 * * * *")
        for night in ["2026-03-28T23:00:00Z", "2026-10-24T22:00:00Z"] {
            var date = try instant(night)
            var wallTimes: [String] = []
            var instants: [Date] = []
            for _ in 0..<60 {
                let next = try #require(cron.nextDate(after: date, in: paris))
                instants.append(next)
                let local = Int(next.timeIntervalSince1970) + paris.secondsFromGMT(for: next)
                wallTimes.append("\(local / 3600 % 24):\(local / 60 % 60)")
                date = next
            }
            #expect(Set(wallTimes).count == wallTimes.count)
            #expect(zip(instants, instants.dropFirst()).allSatisfy { $0 < $1 })
        }
    }
}

@Suite("Trigger schedules")
struct TriggerScheduleTests {
    @Test("parses cron expressions, shortcuts and intervals")
    func parsing() throws {
        let paris = try zone("Europe/Paris")
        let now = try instant("2026-01-01T09:30:42Z")
        let anchor = try instant("2026-01-01T09:30:00Z")
        #expect(try TriggerSchedule(parsing: "0 3 * * *", timeZone: paris, now: now)
                == .cron(try CronExpression("0 3 * * *"), timeZone: paris))
        #expect(try TriggerSchedule(parsing: "@daily", now: now) == .cron(try CronExpression("@daily"), timeZone: .gmt))
        #expect(try TriggerSchedule(parsing: "every day", now: now) == .everyDays(1, startingAt: anchor))
        #expect(try TriggerSchedule(parsing: "Every Day", now: now) == .everyDays(1, startingAt: anchor))
        #expect(try TriggerSchedule(parsing: "every 1 day", now: now) == .everyDays(1, startingAt: anchor))
        #expect(try TriggerSchedule(parsing: "  EVERY 14 DAYS ", now: now) == .everyDays(14, startingAt: anchor))
    }

    @Test("interval errors", arguments: [
        ("every 0 days", 7, CronError.Reason.intervalMustBePositive),
        ("every -3 days", 7, .intervalMustBePositive),
        ("every x days", 7, .invalidInterval("x")),
        ("every week", 7, .invalidInterval("week")),
        ("every 2 weeks", 7, .invalidInterval("2 weeks")),
        ("every", 6, .invalidInterval("")),
    ])
    func intervalErrors(text: String, column: Int, reason: CronError.Reason) throws {
        let now = try instant("2026-01-01T00:00:00Z")
        #expect(throws: CronError(expression: text, field: nil, column: column, reason: reason)) {
            try TriggerSchedule(parsing: text, now: now)
        }
    }

    @Test("cron errors pass through")
    func cronErrors() throws {
        #expect(throws: CronError(expression: "0 3 * *", field: nil, column: 8, reason: .wrongFieldCount(found: 4))) {
            try TriggerSchedule(parsing: "0 3 * *", now: .now)
        }
    }

    @Test("every N days fires at anchor + k·N days, strictly after")
    func anchorArithmetic() throws {
        let anchor = try instant("2026-01-01T09:30:00Z")
        let day: TimeInterval = 86_400
        let schedule = TriggerSchedule.everyDays(14, startingAt: anchor)
        #expect(schedule.nextDate(after: anchor.addingTimeInterval(-365 * day)) == anchor)
        #expect(schedule.nextDate(after: anchor.addingTimeInterval(-1)) == anchor)
        #expect(schedule.nextDate(after: anchor) == anchor.addingTimeInterval(14 * day))
        #expect(schedule.nextDate(after: anchor.addingTimeInterval(14 * day - 1)) == anchor.addingTimeInterval(14 * day))
        #expect(schedule.nextDate(after: anchor.addingTimeInterval(14 * day)) == anchor.addingTimeInterval(28 * day))
        #expect(schedule.nextDate(after: anchor.addingTimeInterval(100 * day)) == anchor.addingTimeInterval(112 * day))
        // Exact days: across the October DST change the UTC time of day stays put.
        #expect(schedule.nextDate(after: try instant("2026-10-20T00:00:00Z")) == (try instant("2026-10-22T09:30:00Z")))
        #expect(TriggerSchedule.everyDays(0, startingAt: anchor).nextDate(after: anchor) == nil)
        #expect(TriggerSchedule.everyDays(1, startingAt: anchor).nextDate(after: anchor.addingTimeInterval(0.5))
                == anchor.addingTimeInterval(day))
    }

    @Test("cron schedules use their time zone")
    func cronNextDate() throws {
        let schedule = try TriggerSchedule(parsing: "0 3 * * *", timeZone: try zone("Europe/Paris"), now: .now)
        #expect(schedule.nextDate(after: try instant("2026-01-01T00:00:00Z")) == (try instant("2026-01-01T02:00:00Z")))
        #expect(schedule.nextDate(after: try instant("2026-07-01T00:00:00Z")) == (try instant("2026-07-01T01:00:00Z")))
    }

    @Test("descriptions are stable")
    func descriptions() throws {
        let anchor = try instant("2026-01-01T00:00:00Z")
        #expect(TriggerSchedule.cron(try CronExpression("0 3 * * *"), timeZone: try zone("Europe/Paris")).description
                == "cron '0 3 * * *' in Europe/Paris")
        #expect(TriggerSchedule.everyDays(14, startingAt: anchor).description == "every 14 days from 2026-01-01T00:00:00Z")
        #expect(TriggerSchedule.everyDays(1, startingAt: anchor).description == "every day from 2026-01-01T00:00:00Z")
    }

    @Test("JSON is readable and round-trips", arguments: [
        ("0 3 * * *", "Europe/Paris", #"{"cron":"0 3 * * *","timeZone":"Europe/Paris"}"#),
        ("*/15 * * * MON-FRI", "GMT", #"{"cron":"*/15 * * * MON-FRI","timeZone":"GMT"}"#),
        ("@weekly", "America/New_York", #"{"cron":"@weekly","timeZone":"America/New_York"}"#),
    ])
    func cronJSON(expression: String, zoneID: String, json: String) throws {
        let schedule = TriggerSchedule.cron(try CronExpression(expression), timeZone: try zone(zoneID))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try encoder.encode(schedule), as: UTF8.self) == json)
        #expect(try JSONDecoder().decode(TriggerSchedule.self, from: Data(json.utf8)) == schedule)
    }

    @Test("interval JSON is readable and round-trips")
    func intervalJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let schedule = TriggerSchedule.everyDays(14, startingAt: try instant("2026-01-01T00:00:00Z"))
        let json = #"{"everyDays":14,"startingAt":"2026-01-01T00:00:00Z"}"#
        #expect(String(decoding: try encoder.encode(schedule), as: UTF8.self) == json)
        #expect(try JSONDecoder().decode(TriggerSchedule.self, from: Data(json.utf8)) == schedule)
        let precise = TriggerSchedule.everyDays(2, startingAt: Date(timeIntervalSince1970: 1_767_225_600.25))
        #expect(try JSONDecoder().decode(TriggerSchedule.self, from: try encoder.encode(precise)) == precise)
        // Inside a larger document, with the encoder's own date strategy ignored.
        struct Wrapper: Codable, Equatable { var schedules: [TriggerSchedule] }
        let wrapper = Wrapper(schedules: [schedule, .cron(try CronExpression("@daily"), timeZone: .gmt)])
        #expect(try JSONDecoder().decode(Wrapper.self, from: try JSONEncoder().encode(wrapper)) == wrapper)
    }

    @Test("invalid JSON is rejected", arguments: [
        #"{"cron":"0 24 * * *","timeZone":"GMT"}"#,
        #"{"cron":"0 3 * * *","timeZone":"Mars/Olympus_Mons"}"#,
        #"{"cron":"0 3 * * *"}"#,
        #"{"everyDays":0,"startingAt":"2026-01-01T00:00:00Z"}"#,
        #"{"everyDays":3,"startingAt":"yesterday"}"#,
        #"{"hourly":true}"#,
    ])
    func invalidJSON(json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(TriggerSchedule.self, from: Data(json.utf8))
        }
    }
}
