import Foundation

/// How numbers, durations and dates read on a report: compact, locale-independent, and the
/// same in the charts, their tables and the page's tables.
enum Format {
    /// A score to 4 significant digits, trailing zeros dropped: `0.9123`, `12.5`, `1.235e-5`.
    static func score(_ value: Double) -> String {
        significant(value, digits: 4)
    }

    /// `value` to `digits` significant digits; exponent notation outside 1e-4 ..< 1e9.
    static func significant(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "−∞" : "∞") }
        if value == 0 { return "0" }
        let exponent = Int(floor(log10(abs(value))))
        guard exponent >= -4, exponent < 9 else {
            return exponentNotation(value, digits: digits)
        }
        let decimals = digits - 1 - exponent
        if decimals <= 0 {
            let unit = pow(10, Double(-decimals))
            let rounded = (value / unit).rounded() * unit
            return String(format: "%.0f", rounded)
        }
        return trimmingZeros(String(format: "%.\(decimals)f", value))
    }

    /// A whole number with thousands separators: `1,234`.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// A share as a percentage with no decimals: `42%`.
    static func percent(_ share: Double) -> String {
        guard share.isFinite else { return "–" }
        return String(format: "%.0f%%", share * 100)
    }

    /// A duration: `350 ms`, `1.2 s`, `12 s`, `3 min`, `3.5 min`, `1.5 h`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 59.95 { return oneDecimalBelowTen(seconds) + " s" }
        if seconds < 3597 { return oneDecimalBelowTen(seconds / 60) + " min" }
        return oneDecimalBelowTen(seconds / 3600) + " h"
    }

    /// A date in ISO 8601, UTC, to the second: `2027-01-15T08:00:00Z`.
    static func date(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    /// A date in ISO 8601, UTC, to the minute (`2027-01-15T08:00Z`), or to the day
    /// (`2027-01-15`) when `dayOnly`.
    static func dateLabel(_ date: Date, dayOnly: Bool) -> String {
        let full = Self.date(date)  // YYYY-MM-DDTHH:MM:SSZ
        return dayOnly ? String(full.prefix(10)) : String(full.prefix(16)) + "Z"
    }

    /// An SVG coordinate or length, to one decimal, trailing `.0` dropped; 0 for a value
    /// that is not finite (never `nan` in markup).
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e12 else { return "0" }
        let tenths = Int((value * 10).rounded())
        let whole = tenths / 10
        let fraction = abs(tenths % 10)
        let sign = tenths < 0 && whole == 0 ? "-" : ""
        return fraction == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }

    /// `value` with a fixed number of decimals (an axis' tick labels share theirs).
    static func fixed(_ value: Double, decimals: Int) -> String {
        let text = String(format: "%.\(max(0, decimals))f", value)
        // "-0", "-0.00": a tick at zero reads 0.
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            return String(text.dropFirst())
        }
        return text
    }

    private static func oneDecimalBelowTen(_ value: Double) -> String {
        value < 9.95 ? trimmingZeros(String(format: "%.1f", value)) : String(format: "%.0f", value)
    }

    private static func exponentNotation(_ value: Double, digits: Int) -> String {
        let text = String(format: "%.\(max(0, digits - 1))e", value)
        guard let marker = text.firstIndex(of: "e") else { return text }
        let mantissa = trimmingZeros(String(text[..<marker]))
        var exponent = String(text[text.index(after: marker)...])
        if exponent.hasPrefix("+") { exponent.removeFirst() }
        let negative = exponent.hasPrefix("-")
        if negative { exponent.removeFirst() }
        while exponent.count > 1, exponent.hasPrefix("0") { exponent.removeFirst() }
        return mantissa + "e" + (negative ? "-" : "") + exponent
    }

    private static func trimmingZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var trimmed = Substring(text)
        while trimmed.hasSuffix("0") { trimmed.removeLast() }
        if trimmed.hasSuffix(".") { trimmed.removeLast() }
        return trimmed == "-0" ? "0" : String(trimmed)
    }
}
