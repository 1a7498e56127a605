import Foundation

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
