import Foundation

/// An axis' ticks: a "nice" step (1, 2 or 5 × 10^k) and the domain widened to whole steps.
struct Ticks: Equatable {
    /// The domain's low end, a multiple of `step`.
    var lower: Double
    /// The domain's high end, a multiple of `step`.
    var upper: Double
    /// The distance between ticks.
    var step: Double

    /// The ticks from `lower` to `upper`.
    var values: [Double] {
        guard step > 0, upper >= lower else { return [lower] }
        let count = Int(((upper - lower) / step).rounded())
        return (0...max(0, count)).map { index in
            let value = lower + Double(index) * step
            return abs(value) < step * 1e-9 ? 0 : value
        }
    }

    /// Decimals that show every tick exactly (0 for a step of 1 or more).
    var decimals: Int {
        guard step > 0, step.isFinite else { return 0 }
        return max(0, -Int(floor(log10(step) + 1e-9)))
    }

    /// A tick's label, with the decimals every tick shares.
    func label(_ value: Double) -> String {
        Format.fixed(value, decimals: decimals)
    }

    /// Ticks covering `minimum ... maximum` in about `count` steps (at most `count`).
    ///
    /// A single value is widened (±10% of it, or ±1 at zero); values that are not finite
    /// are ignored by the callers and give `0 ... 1` here. `integers` keeps the step at 1
    /// or more (versions).
    static func nice(_ minimum: Double, _ maximum: Double, count: Int = 5, integers: Bool = false) -> Ticks {
        var low = minimum, high = maximum
        if !low.isFinite || !high.isFinite { (low, high) = (0, 1) }
        if low > high { swap(&low, &high) }
        if high - low < max(abs(high), abs(low), 1e-300) * 1e-12 {
            let pad = integers ? 1 : (low == 0 ? 1 : abs(low) * 0.1)
            (low, high) = (low - pad, high + pad)
        }
        var step = niceStep((high - low) / Double(max(1, count)))
        if integers { step = max(1, step) }
        return Ticks(lower: floor(low / step + 1e-9) * step, upper: ceil(high / step - 1e-9) * step, step: step)
    }

    /// The smallest of 1, 2, 5 × 10^k at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(raw)))
        let normalized = raw / magnitude
        let factor: Double = normalized <= 1 + 1e-9 ? 1 : normalized <= 2 + 1e-9 ? 2 : normalized <= 5 + 1e-9 ? 5 : 10
        return factor * magnitude
    }

    /// Ticks of the unit interval (rates, precision, recall): 0, 0.2, …, 1.
    static let unit = Ticks(lower: 0, upper: 1, step: 0.2)
}

/// A linear map from a domain to a range of coordinates.
struct LinearScale {
    var domain: (lower: Double, upper: Double)
    var range: (lower: Double, upper: Double)

    init(_ ticks: Ticks, to range: (lower: Double, upper: Double)) {
        self.domain = (ticks.lower, ticks.upper)
        self.range = range
    }

    init(domain: (lower: Double, upper: Double), range: (lower: Double, upper: Double)) {
        self.domain = domain
        self.range = range
    }

    func callAsFunction(_ value: Double) -> Double {
        let span = domain.upper - domain.lower
        guard span != 0, value.isFinite else { return range.lower }
        return range.lower + (value - domain.lower) / span * (range.upper - range.lower)
    }
}

/// Ticks of a time axis: steps of seconds, minutes, hours or days, aligned to UTC, labelled
/// in ISO 8601.
struct TimeTicks {
    var lower: Double
    var upper: Double
    var step: Double
    /// Whether labels show the day only (steps of a day or more).
    var dayOnly: Bool { step >= 86_400 }

    var values: [Double] {
        guard step > 0 else { return [] }
        var first = ceil(lower / step - 1e-9) * step
        var values: [Double] = []
        while first <= upper + 1e-9, values.count < 50 {
            values.append(first)
            first += step
        }
        return values
    }

    func label(_ seconds: Double) -> String {
        Format.dateLabel(Date(timeIntervalSince1970: seconds), dayOnly: dayOnly)
    }

    /// Steps in seconds, from a second to a year.
    private static let steps: [Double] = [
        1, 5, 15, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600,
        86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400, 91 * 86_400, 182 * 86_400, 365 * 86_400,
    ]

    /// Ticks for `lower ... upper` (seconds since 1970) with at most `count` labels.
    static func nice(_ lower: Double, _ upper: Double, count: Int) -> TimeTicks {
        var low = lower, high = upper
        if high - low < 1 { (low, high) = (low - 30, high + 30) }
        let span = high - low
        let step = steps.first { span / $0 <= Double(max(1, count)) } ?? (ceil(span / Double(max(1, count)) / (365 * 86_400)) * 365 * 86_400)
        return TimeTicks(lower: low, upper: high, step: step)
    }
}
