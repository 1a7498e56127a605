public import Foundation

/// A standard five-field cron expression: minute, hour, day of month, month, day of week.
///
/// Each field accepts `*`, a value, a list `a,b`, a range `a-b`, and steps `*/n`, `a-b/n`
/// and `a/n` (from `a` to the field's maximum). Months accept `JAN`–`DEC` and days of the
/// week `SUN`–`SAT`, in any case; day of week `0` and `7` are both Sunday. The shortcuts
/// `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`) and `@hourly` stand
/// for `0 0 1 1 *`, `0 0 1 * *`, `0 0 * * 0`, `0 0 * * *` and `0 * * * *`.
///
/// Days follow Vixie cron: when both the day-of-month and the day-of-week fields are
/// restricted, a day matches if *either* matches; when one of them starts with `*` (which
/// includes steps such as `*/2`, exactly as Vixie cron and cronie do), a day must match both.
///
/// ```swift
/// let nightly = try CronExpression("0 3 * * 1-5")          // 03:00 on weekdays
/// let next = nightly.nextDate(after: .now, in: TimeZone(identifier: "Europe/Paris") ?? .gmt)
/// ```
///
/// Two expressions are equal when they are written the same up to whitespace between
/// fields (and the case of a shortcut); equal schedules written differently (`@daily` and
/// `0 0 * * *`) are not equal. It encodes as its text.
public struct CronExpression: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The five fields of a cron expression, in order.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        /// Minute of the hour, 0–59.
        case minute = "minute"
        /// Hour of the day, 0–23.
        case hour = "hour"
        /// Day of the month, 1–31.
        case dayOfMonth = "day of month"
        /// Month, 1–12 or `JAN`–`DEC`.
        case month = "month"
        /// Day of the week, 0–7 (0 and 7 are Sunday) or `SUN`–`SAT`.
        case dayOfWeek = "day of week"

        /// The values the field accepts as written (day of week accepts 7 for Sunday).
        var bounds: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        /// The names the field accepts, mapped to their values.
        var names: [String: Int] {
            switch self {
            case .month:
                ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
                 "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]
            case .dayOfWeek:
                ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]
            default:
                [:]
            }
        }
    }

    static let shortcuts: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    ]

    /// How far ahead ``nextDate(after:in:)`` searches before giving up. Any satisfiable
    /// expression matches far sooner (the sparsest, February 29th, recurs within 8 years).
    static let searchYears = 50

    /// The expression as written, with fields separated by single spaces.
    private let text: String
    /// Bit `n` set when minute `n` matches.
    let minutes: UInt64
    /// Bit `n` set when hour `n` matches.
    let hours: UInt64
    /// Bit `n` set when day of month `n` matches (bits 1–31).
    let daysOfMonth: UInt64
    /// Bit `n` set when month `n` matches (bits 1–12).
    let months: UInt64
    /// Bit `n` set when weekday `n` matches (0 = Sunday … 6 = Saturday).
    let daysOfWeek: UInt64
    /// The day-of-month field starts with `*`.
    let dayOfMonthIsStar: Bool
    /// The day-of-week field starts with `*`.
    let dayOfWeekIsStar: Bool

    /// Parses a five-field cron expression or a shortcut.
    ///
    /// - Parameter text: The expression, e.g. `"*/15 * * * *"`, `"0 3 * * MON-FRI"` or `"@daily"`.
    /// - Throws: ``CronError`` naming the field, the 1-based column and the problem.
    public init(_ text: String) throws(CronError) {
        let tokens = CronToken.split(text)
        guard let first = tokens.first else {
            throw CronError(expression: text, field: nil, column: 1, reason: .empty)
        }
        if first.text.hasPrefix("@") {
            let name = first.text.lowercased()
            guard let expansion = Self.shortcuts[name] else {
                throw CronError(expression: text, field: nil, column: first.column, reason: .unknownShortcut(first.text))
            }
            if tokens.count > 1 {
                let extra = tokens[1]
                throw CronError(expression: text, field: nil, column: extra.column, reason: .unexpectedText(extra.text))
            }
            do {
                try self.init(fields: CronToken.split(expansion), text: name, source: expansion)
            } catch {
                preconditionFailure("built-in shortcut \(name) does not parse: \(error)")
            }
            return
        }
        guard tokens.count == 5 else {
            let column = tokens.count > 5 ? tokens[5].column : (tokens.last.map { $0.column + $0.text.count } ?? 1)
            throw CronError(expression: text, field: nil, column: column, reason: .wrongFieldCount(found: tokens.count))
        }
        try self.init(fields: tokens, text: tokens.map(\.text).joined(separator: " "), source: text)
    }

    private init(fields tokens: [CronToken], text: String, source: String) throws(CronError) {
        let parser = FieldParser(expression: source)
        let minute = try parser.parse(tokens[0], as: .minute)
        let hour = try parser.parse(tokens[1], as: .hour)
        let dayOfMonth = try parser.parse(tokens[2], as: .dayOfMonth)
        let month = try parser.parse(tokens[3], as: .month)
        var dayOfWeek = try parser.parse(tokens[4], as: .dayOfWeek)
        if dayOfWeek.mask & (1 << 7) != 0 {
            dayOfWeek.mask = (dayOfWeek.mask & ~(1 << 7)) | 1
        }
        self.text = text
        minutes = minute.mask
        hours = hour.mask
        daysOfMonth = dayOfMonth.mask
        months = month.mask
        daysOfWeek = dayOfWeek.mask
        dayOfMonthIsStar = dayOfMonth.isStar
        dayOfWeekIsStar = dayOfWeek.isStar
    }

    /// The expression as written, fields separated by single spaces (a shortcut in lower case).
    public var description: String { text }

    /// Decodes an expression from its text.
    ///
    /// - Parameter decoder: A decoder holding a single string.
    /// - Throws: `DecodingError.dataCorrupted` when the string is not a valid expression.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            try self.init(string)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the expression as its text.
    ///
    /// - Parameter encoder: The encoder to write a single string to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    /// Two expressions are equal when their normalised text is.
    public static func == (lhs: CronExpression, rhs: CronExpression) -> Bool {
        lhs.text == rhs.text
    }

    /// Hashes the normalised text.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(text)
    }

    // MARK: Matching

    /// Whether the expression matches the given calendar day.
    func matchesDay(year: Int, month: Int, day: Int) -> Bool {
        let dom = daysOfMonth & (1 << UInt64(day)) != 0
        let weekday = CivilDate.weekday(daysSinceEpoch: CivilDate.days(year: year, month: month, day: day))
        let dow = daysOfWeek & (1 << UInt64(weekday)) != 0
        return dayOfMonthIsStar || dayOfWeekIsStar ? dom && dow : dom || dow
    }

    /// Whether some day can ever match. Only a restricted day of month combined with an
    /// unrestricted day of week can be impossible (`0 0 30 2 *`, `0 0 31 4,6,9,11 *`).
    var isSatisfiable: Bool {
        guard dayOfWeekIsStar, !dayOfMonthIsStar else { return true }
        guard let firstDay = Self.nextBit(daysOfMonth, from: 1) else { return false }
        return (1...12).contains { month in
            months & (1 << UInt64(month)) != 0 && firstDay <= CivilDate.daysIn(year: 2000, month: month)
        }
    }

    /// The first whole minute strictly after `date` that matches, in the given time zone.
    ///
    /// The search jumps month by month, day by day, hour by hour and minute by minute
    /// through the sets of matching values, so it takes a handful of steps for common
    /// expressions.
    ///
    /// Daylight-saving transitions: a local time that does not exist (the hour skipped in
    /// spring) is skipped — `30 2 * * *` does not fire that day. A local time that occurs
    /// twice (the hour repeated in autumn) fires once, at its first occurrence; the repeat
    /// is skipped even for expressions with `*` in the hour field, so `*/15 * * * *` has a
    /// 75-minute gap that night. Each local wall-clock minute therefore fires at most once.
    ///
    /// - Parameters:
    ///   - date: The instant to search after.
    ///   - timeZone: The zone whose local wall clock the fields describe.
    /// - Returns: The next matching instant, or `nil` when the expression can never match
    ///   (`0 0 30 2 *`) or does not match within the next 50 years.
    public func nextDate(after date: Date, in timeZone: TimeZone = .gmt) -> Date? {
        guard isSatisfiable else { return nil }
        let seconds = date.timeIntervalSince1970
        // ±10¹² s is about ±31 700 years: far beyond any schedule, and safely inside Int.
        guard seconds.isFinite, abs(seconds) < 1e12 else { return nil }
        let start = Int((seconds / 60).rounded(.down)) * 60 + 60
        let zone = ZoneOffsets(timeZone)
        var wall = WallTime(localSeconds: start + zone.offset(at: start))
        let lastYear = wall.year + Self.searchYears
        while let candidate = nextMatch(from: wall, lastYear: lastYear) {
            if let instant = zone.firstInstant(localSeconds: candidate.localSeconds), instant >= start {
                return Date(timeIntervalSince1970: TimeInterval(instant))
            }
            // A local time skipped by a DST gap, or one already passed in its first
            // occurrence: carry on from the next minute.
            wall = candidate
            wall.minute += 1
        }
        return nil
    }

    /// The first local wall time at or after `start` (not necessarily normalised) whose
    /// fields match, or `nil` past `lastYear`.
    private func nextMatch(from start: WallTime, lastYear: Int) -> WallTime? {
        var w = start
        while w.year <= lastYear {
            if w.minute > 59 { w.minute = 0; w.hour += 1 }
            if w.hour > 23 { w.hour = 0; w.day += 1 }
            if w.month > 12 { w = WallTime(year: w.year + 1, month: 1, day: 1); continue }
            if w.day > CivilDate.daysIn(year: w.year, month: w.month) {
                w = WallTime(year: w.year, month: w.month + 1, day: 1)
                continue
            }
            guard let month = Self.nextBit(months, from: w.month), month <= 12 else {
                w = WallTime(year: w.year + 1, month: 1, day: 1)
                continue
            }
            if month != w.month { w = WallTime(year: w.year, month: month, day: 1); continue }
            guard matchesDay(year: w.year, month: w.month, day: w.day) else {
                w = WallTime(year: w.year, month: w.month, day: w.day + 1)
                continue
            }
            guard let hour = Self.nextBit(hours, from: w.hour), hour <= 23 else {
                w = WallTime(year: w.year, month: w.month, day: w.day + 1)
                continue
            }
            if hour != w.hour { w.hour = hour; w.minute = 0 }
            guard let minute = Self.nextBit(minutes, from: w.minute), minute <= 59 else {
                w.hour += 1
                w.minute = 0
                continue
            }
            w.minute = minute
            return w
        }
        return nil
    }

    /// The lowest set bit of `mask` at position `from` or above.
    static func nextBit(_ mask: UInt64, from position: Int) -> Int? {
        guard position < 64 else { return nil }
        let shifted = mask >> UInt64(max(position, 0))
        return shifted == 0 ? nil : max(position, 0) + shifted.trailingZeroBitCount
    }
}
