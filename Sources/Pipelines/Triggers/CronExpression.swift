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

// MARK: - Errors

/// Why a cron expression or a trigger schedule could not be parsed, and where.
///
/// ```swift
/// do {
///     _ = try CronExpression("0 24 * * *")
/// } catch {
///     print(error)  // invalid cron expression '0 24 * * *': hour field, column 3: value 24 is out of range 0–23
/// }
/// ```
public struct CronError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// The text has no fields at all.
        case empty
        /// The expression does not have five fields.
        case wrongFieldCount(found: Int)
        /// An `@` word that is not one of the supported shortcuts.
        case unknownShortcut(String)
        /// Text after a shortcut.
        case unexpectedText(String)
        /// A value that is neither a number nor a name the field accepts.
        case invalidValue(String)
        /// A number outside the field's range.
        case outOfRange(value: Int, range: ClosedRange<Int>)
        /// A range whose start is after its end.
        case reversedRange(lower: Int, upper: Int)
        /// An empty element in a list, as in `1,,2` or `1,`.
        case emptyListItem
        /// A step that is not a number.
        case invalidStep(String)
        /// A step of zero.
        case stepMustBePositive
        /// An "every … days" schedule whose count is not a whole number.
        case invalidInterval(String)
        /// An "every N days" schedule with N below 1.
        case intervalMustBePositive

        /// The problem in words.
        public var description: String {
            switch self {
            case .empty: "the expression is empty"
            case .wrongFieldCount(let found): "expected 5 fields, found \(found)"
            case .unknownShortcut(let name): "unknown shortcut '\(name)'"
            case .unexpectedText(let text): "unexpected '\(text)' after the shortcut"
            case .invalidValue(let text): "'\(text)' is not a valid value"
            case .outOfRange(let value, let range):
                "value \(value) is out of range \(range.lowerBound)–\(range.upperBound)"
            case .reversedRange(let lower, let upper): "range \(lower)-\(upper) is reversed"
            case .emptyListItem: "empty list element"
            case .invalidStep(let text): "step '\(text)' is not a number"
            case .stepMustBePositive: "step must be ≥ 1"
            case .invalidInterval(let text):
                "'\(text)' is not a number of days (expected 'every day' or 'every N days')"
            case .intervalMustBePositive: "the interval must be ≥ 1 day"
            }
        }
    }

    /// The whole text that failed to parse.
    public let expression: String
    /// The field at fault, or `nil` for problems with the expression as a whole.
    public let field: CronExpression.Field?
    /// The 1-based column (in characters) where the problem starts in ``expression``.
    public let column: Int
    /// What is wrong.
    public let reason: Reason

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - expression: The whole text that failed to parse.
    ///   - field: The field at fault, or `nil`.
    ///   - column: The 1-based column where the problem starts.
    ///   - reason: What is wrong.
    public init(expression: String, field: CronExpression.Field?, column: Int, reason: Reason) {
        self.expression = expression
        self.field = field
        self.column = column
        self.reason = reason
    }

    /// E.g. `invalid cron expression '0 24 * * *': hour field, column 3: value 24 is out of range 0–23`.
    public var description: String {
        let kind: String
        switch reason {
        case .invalidInterval, .intervalMustBePositive: kind = "schedule"
        default: kind = "cron expression"
        }
        let place = field.map { "\($0.rawValue) field, column \(column)" } ?? "column \(column)"
        return "invalid \(kind) '\(expression)': \(place): \(reason)"
    }
}

// MARK: - Parsing

/// A whitespace-separated word and its 1-based column.
struct CronToken {
    var text: String
    var column: Int

    /// Splits on whitespace, remembering where each word starts.
    static func split(_ text: String) -> [CronToken] {
        var tokens: [CronToken] = []
        var current = ""
        var start = 0
        for (offset, character) in text.enumerated() {
            if character.isWhitespace {
                if !current.isEmpty { tokens.append(CronToken(text: current, column: start + 1)) }
                current = ""
            } else {
                if current.isEmpty { start = offset }
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append(CronToken(text: current, column: start + 1)) }
        return tokens
    }
}

/// Parses one field into a bit mask.
private struct FieldParser {
    let expression: String

    struct Result {
        var mask: UInt64
        var isStar: Bool
    }

    func parse(_ token: CronToken, as field: CronExpression.Field) throws(CronError) -> Result {
        var mask: UInt64 = 0
        let characters = Array(token.text)
        var itemStart = 0
        for index in 0...characters.count where index == characters.count || characters[index] == "," {
            let item = String(characters[itemStart..<index])
            let column = token.column + itemStart
            guard !item.isEmpty else { throw error(field, column, .emptyListItem) }
            mask |= try parseItem(item, column: column, field: field)
            itemStart = index + 1
        }
        return Result(mask: mask, isStar: token.text.hasPrefix("*"))
    }

    /// One list element: `*`, `a`, `a-b`, optionally followed by `/step`.
    private func parseItem(_ item: String, column: Int, field: CronExpression.Field) throws(CronError) -> UInt64 {
        let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let base = String(parts[0])
        var step = 1
        if parts.count == 2 {
            let stepText = String(parts[1])
            let stepColumn = column + base.count + 1
            guard !stepText.isEmpty, stepText.allSatisfy(\.isASCIIDigit) else {
                throw error(field, stepColumn, .invalidStep(stepText))
            }
            // A step wider than the field behaves like one step past its end; capping it
            // also keeps `stride` far from overflow for absurdly long numbers.
            let value = Int(stepText) ?? Int.max
            guard value >= 1 else { throw error(field, stepColumn, .stepMustBePositive) }
            step = min(value, 64)
        }
        let lower: Int
        let upper: Int
        if base == "*" {
            (lower, upper) = (field.bounds.lowerBound, field.bounds.upperBound)
        } else if let dash = base.firstIndex(of: "-") {
            let first = String(base[..<dash])
            let second = String(base[base.index(after: dash)...])
            let secondColumn = column + first.count + 1
            guard !first.isEmpty, !second.isEmpty, !second.contains("-") else {
                throw error(field, column, .invalidValue(base))
            }
            lower = try value(first, column: column, field: field)
            upper = try value(second, column: secondColumn, field: field)
            guard lower <= upper else { throw error(field, column, .reversedRange(lower: lower, upper: upper)) }
        } else {
            lower = try value(base, column: column, field: field)
            upper = parts.count == 2 ? field.bounds.upperBound : lower
        }
        var mask: UInt64 = 0
        for value in stride(from: lower, through: upper, by: step) {
            mask |= 1 << UInt64(value)
        }
        return mask
    }

    /// A number or a name, checked against the field's range.
    private func value(_ text: String, column: Int, field: CronExpression.Field) throws(CronError) -> Int {
        if let named = field.names[text.lowercased()] { return named }
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit) else {
            throw error(field, column, .invalidValue(text))
        }
        guard let number = Int(text) else { throw error(field, column, .invalidValue(text)) }
        guard field.bounds.contains(number) else {
            throw error(field, column, .outOfRange(value: number, range: field.bounds))
        }
        return number
    }

    private func error(_ field: CronExpression.Field, _ column: Int, _ reason: CronError.Reason) -> CronError {
        CronError(expression: expression, field: field, column: column, reason: reason)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

// MARK: - Calendar arithmetic

/// Proleptic Gregorian calendar arithmetic on day counts since 1970-01-01.
enum CivilDate {
    /// Days since 1970-01-01 of the given date (Howard Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func date(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// 0 = Sunday … 6 = Saturday.
    static func weekday(daysSinceEpoch days: Int) -> Int {
        let weekday = (days + 4) % 7  // 1970-01-01 was a Thursday.
        return weekday < 0 ? weekday + 7 : weekday
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `floor(a / b)` for positive `b`.
    static func floorDivide(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}

/// A local wall-clock minute. Fields may overflow while searching; the search normalises them.
struct WallTime {
    var year: Int
    var month: Int
    var day: Int
    var hour = 0
    var minute = 0

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0) {
        (self.year, self.month, self.day, self.hour, self.minute) = (year, month, day, hour, minute)
    }

    /// The wall time of local seconds since 1970-01-01T00:00 local, rounded up to the minute.
    init(localSeconds: Int) {
        let days = CivilDate.floorDivide(localSeconds, 86_400)
        let secondOfDay = localSeconds - days * 86_400
        let date = CivilDate.date(daysSinceEpoch: days)
        self.init(year: date.year, month: date.month, day: date.day,
                  hour: secondOfDay / 3600, minute: (secondOfDay % 3600 + 59) / 60)
    }

    /// Local seconds since 1970-01-01T00:00 local (requires normalised fields).
    var localSeconds: Int {
        CivilDate.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60
    }
}

/// Converts between instants and local wall time in one zone.
struct ZoneOffsets {
    let timeZone: TimeZone

    init(_ timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// Seconds east of UTC at the instant `seconds` since 1970.
    func offset(at seconds: Int) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The earliest instant whose local wall time is `local`, or `nil` when that local time
    /// does not exist (a DST gap).
    ///
    /// Any offset is within ±1 day, so the instant lies within a day of `local` read as UTC;
    /// the offsets in force a day before, at, and a day after that point cover every offset
    /// that can apply there.
    func firstInstant(localSeconds local: Int) -> Int? {
        var best: Int?
        for probe in [local - 86_400, local, local + 86_400] {
            let candidateOffset = offset(at: probe)
            let instant = local - candidateOffset
            if offset(at: instant) == candidateOffset, best.map({ instant < $0 }) ?? true {
                best = instant
            }
        }
        return best
    }
}
