public import Foundation

/// When a trigger fires: a cron expression in a time zone, or every N days from an anchor.
///
/// ```swift
/// let paris = TimeZone(identifier: "Europe/Paris") ?? .gmt
/// let nightly = try TriggerSchedule(parsing: "0 3 * * *", timeZone: paris, now: .now)
/// let fortnightly = try TriggerSchedule(parsing: "every 14 days", now: .now)
/// let next = fortnightly.nextDate(after: .now)
/// ```
///
/// It encodes as readable JSON, the time zone by identifier and the anchor as ISO 8601:
/// `{"cron": "0 3 * * *", "timeZone": "Europe/Paris"}` or
/// `{"everyDays": 14, "startingAt": "2026-01-01T00:00:00Z"}`.
public enum TriggerSchedule: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Fires whenever the cron expression matches the local time in `timeZone`.
    case cron(CronExpression, timeZone: TimeZone)
    /// Fires at `startingAt + k × N × 86 400 s` for k ≥ 0.
    ///
    /// Days are exact 24-hour periods, not calendar days: there is no time zone, so across
    /// a daylight-saving change the local time of day moves by an hour. N must be ≥ 1;
    /// otherwise the schedule never fires.
    case everyDays(Int, startingAt: Date)

    /// Parses a cron expression, a cron shortcut, `every day` or `every N days`.
    ///
    /// The words are case-insensitive and `every 1 day`/`every N day` are accepted too. An
    /// interval is anchored at `now` rounded down to the whole minute, so `every 14 days`
    /// parsed at 09:30:42 fires at 09:30:00 every fourteenth day from then on.
    ///
    /// - Parameters:
    ///   - text: The schedule, e.g. `"0 3 * * MON-FRI"`, `"@daily"` or `"every 14 days"`.
    ///   - timeZone: The zone a cron expression is read in; unused for intervals.
    ///   - now: The current instant, used as the anchor of an interval.
    /// - Throws: ``CronError`` with the column of the problem.
    public init(parsing text: String, timeZone: TimeZone = .gmt, now: Date) throws(CronError) {
        let tokens = CronToken.split(text)
        guard let first = tokens.first, first.text.lowercased() == "every" else {
            self = .cron(try CronExpression(text), timeZone: timeZone)
            return
        }
        let anchor = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 60).rounded(.down) * 60)
        let words = tokens.dropFirst().map { $0.text.lowercased() }
        if words == ["day"] {
            self = .everyDays(1, startingAt: anchor)
            return
        }
        guard tokens.count == 3, words[1] == "days" || words[1] == "day" else {
            let column = tokens.count > 1 ? tokens[1].column : first.column + first.text.count
            let found = tokens.dropFirst().map(\.text).joined(separator: " ")
            throw CronError(expression: text, field: nil, column: column, reason: .invalidInterval(found))
        }
        let count = tokens[1]
        guard let days = Int(count.text) else {
            throw CronError(expression: text, field: nil, column: count.column, reason: .invalidInterval(count.text))
        }
        guard days >= 1 else {
            throw CronError(expression: text, field: nil, column: count.column, reason: .intervalMustBePositive)
        }
        self = .everyDays(days, startingAt: anchor)
    }

    /// The first firing strictly after `date`, or `nil` if there is none (an impossible cron
    /// expression, or an interval below one day).
    ///
    /// - Parameter date: The instant to search after.
    public func nextDate(after date: Date) -> Date? {
        switch self {
        case .cron(let expression, let timeZone):
            return expression.nextDate(after: date, in: timeZone)
        case .everyDays(let days, let anchor):
            guard days >= 1 else { return nil }
            guard date >= anchor else { return anchor }
            let period = TimeInterval(days) * 86_400
            let elapsed = date.timeIntervalSince(anchor)
            guard elapsed.isFinite, elapsed / period < 1e12 else { return nil }
            var periods = (elapsed / period).rounded(.down) + 1
            var next = anchor.addingTimeInterval(periods * period)
            // Guard against rounding placing the result on or before `date`.
            while next <= date {
                periods += 1
                next = anchor.addingTimeInterval(periods * period)
            }
            return next
        }
    }

    /// A stable, human-readable summary, e.g. `cron '0 3 * * *' in Europe/Paris` or
    /// `every 14 days from 2026-01-01T00:00:00Z`.
    public var description: String {
        switch self {
        case .cron(let expression, let timeZone):
            "cron '\(expression)' in \(timeZone.identifier)"
        case .everyDays(let days, let anchor):
            "\(days == 1 ? "every day" : "every \(days) days") from \(Self.format(anchor))"
        }
    }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey {
        case cron, timeZone, everyDays, startingAt
    }

    /// Decodes `{"cron": …, "timeZone": …}` or `{"everyDays": …, "startingAt": …}`.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` for a missing key, an invalid expression, an unknown time
    ///   zone identifier, an interval below 1 or a date that is not ISO 8601.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.cron) {
            let expression = try container.decode(CronExpression.self, forKey: .cron)
            let identifier = try container.decode(String.self, forKey: .timeZone)
            guard let timeZone = TimeZone(identifier: identifier) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .timeZone, in: container, debugDescription: "unknown time zone '\(identifier)'")
            }
            self = .cron(expression, timeZone: timeZone)
        } else if container.contains(.everyDays) {
            let days = try container.decode(Int.self, forKey: .everyDays)
            guard days >= 1 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .everyDays, in: container, debugDescription: "the interval must be ≥ 1 day, found \(days)")
            }
            let text = try container.decode(String.self, forKey: .startingAt)
            guard let anchor = Self.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .startingAt, in: container, debugDescription: "'\(text)' is not an ISO 8601 date")
            }
            self = .everyDays(days, startingAt: anchor)
        } else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "expected a 'cron' or an 'everyDays' key"))
        }
    }

    /// Encodes `{"cron": …, "timeZone": …}` or `{"everyDays": …, "startingAt": …}`.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .cron(let expression, let timeZone):
            try container.encode(expression, forKey: .cron)
            try container.encode(timeZone.identifier, forKey: .timeZone)
        case .everyDays(let days, let anchor):
            try container.encode(days, forKey: .everyDays)
            try container.encode(Self.format(anchor), forKey: .startingAt)
        }
    }

    /// ISO 8601 in UTC, with milliseconds only when the date has a fractional second.
    private static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down) == seconds
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: !whole))
    }

    private static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
}
