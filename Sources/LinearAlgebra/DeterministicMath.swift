/// Elementary functions computed with IEEE basic operations only, so that their results
/// are bit-identical on every platform (unlike the C library's `log`, whose last bit may
/// differ between implementations). Used where reproducibility across machines matters
/// more than the last half-ulp of accuracy, such as ``RandomSource/normal(mean:standardDeviation:)``.
enum DeterministicMath {
    /// ln 2 split into a high part with trailing zero bits and a low correction.
    private static let ln2High = 6.93147180369123816490e-01
    private static let ln2Low = 1.90821492927058770002e-10

    /// The natural logarithm of a positive, finite `x`, accurate to about 1 ulp.
    ///
    /// `x = 2ᵉ · m` with `m` in `[√½, √2)`, then `log m = 2·atanh(s)` with
    /// `s = (m − 1)/(m + 1)`, `|s| ≤ 0.1716`, summed as a fixed odd series to s²⁵.
    static func log(_ x: Double) -> Double {
        precondition(x > 0 && x.isFinite, "DeterministicMath.log needs a positive finite value")
        var exponent = Double(x.exponent)
        var m = x.significand  // in [1, 2), exact
        if m > 1.4142135623730951 {
            m *= 0.5  // exact
            exponent += 1
        }
        let s = (m - 1) / (m + 1)
        let z = s * s
        // 1 + z/3 + z²/5 + … + z¹²/25 by Horner's rule.
        var series = 1.0 / 25
        for k in stride(from: 23, through: 1, by: -2) {
            series = series * z + 1.0 / Double(k)
        }
        let logM = 2 * s * series
        return exponent * ln2High + (exponent * ln2Low + logM)
    }
}
