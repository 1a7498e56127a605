/// Durations as a spec writes them: `"14d"`, `"12h"`, `"30m"`, `"45s"`, combinations in
/// that order (`"1h30m"`, `"1d 12h"`), decimals (`"1.5h"`), or a number of seconds.
///
/// Public so that tools read durations the way spec files do (`mlpipe tokens create
/// --expires-in 30d`):
///
/// ```swift
/// SpecDuration.seconds("1h30m")   // 5400
/// SpecDuration.seconds("2 weeks") // nil
/// ```
public enum SpecDuration {
    private static let units: [(unit: Character, seconds: Double)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    /// The seconds `text` stands for, or nil when it is not a duration.
    ///
    /// Each part is a non-negative decimal number followed by `d`, `h`, `m` or `s`; the
    /// units go from days to seconds, each at most once; blanks may separate the parts.
    public static func seconds(_ text: String) -> Double? {
        var rest = Substring(text)
        var total = 0.0
        var nextUnit = 0  // the index in `units` the next part may use, at the earliest
        var parts = 0
        while true {
            rest = rest.drop { $0 == " " }
            guard !rest.isEmpty else { break }
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(number.count)
            guard let value = Double(number), !number.hasPrefix("."), !number.hasSuffix("."),
                  let unit = rest.first, let index = units.firstIndex(where: { $0.unit == unit }), index >= nextUnit
            else { return nil }
            rest = rest.dropFirst()
            total += value * units[index].seconds
            nextUnit = index + 1
            parts += 1
        }
        return parts > 0 ? total : nil
    }
}

extension Field {
    /// A duration in seconds: a number of seconds, or a string like `"14d"` or `"1h30m"`.
    func duration() throws(SpecError) -> Double {
        switch node.content {
        case .scalar(.int), .scalar(.float):
            return try number()
        case .scalar(.string(let text)):
            guard let seconds = SpecDuration.seconds(text) else {
                throw error("bad duration '\(text)': expected numbers with units d, h, m or s, like \"14d\", \"12h\", \"30m\", \"45s\" or \"1h30m\", or a number of seconds")
            }
            return seconds
        default:
            throw typeError(expected: "a duration (like \"14d\" or \"1h30m\") or a number of seconds")
        }
    }
}
