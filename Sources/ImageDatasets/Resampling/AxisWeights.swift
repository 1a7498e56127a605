/// The resampling weights of one axis (a row's pixels or a column's): for each target
/// index, a run of consecutive source indices and the weight of each, summing to 1.
///
/// Shrinking averages areas; enlarging is bilinear; an unchanged length is the identity.
/// Both are computed in integers first, so the weights are exact fractions rounded once
/// (a 3 → 2 shrink gives exactly 2/3 and 1/3, rounded to `Double`).
struct AxisWeights: Sendable {
    /// The source length.
    let sourceLength: Int
    /// The target length.
    let targetLength: Int
    /// `firstSource[i]`: the first source index that target index `i` reads.
    private(set) var firstSource: [Int]
    /// The weights of target index `i` are `weights[offsets[i]..<offsets[i + 1]]`.
    private(set) var offsets: [Int]
    /// Every target index's weights, one after the other.
    private(set) var weights: [Double]

    /// The weights from `sourceLength` to `targetLength` (both at least 1).
    ///
    /// - Complexity: O(`sourceLength + targetLength`).
    init(from sourceLength: Int, to targetLength: Int) {
        precondition(sourceLength >= 1 && targetLength >= 1, "axis lengths must be at least 1")
        self.sourceLength = sourceLength
        self.targetLength = targetLength
        firstSource = []
        offsets = [0]
        weights = []
        firstSource.reserveCapacity(targetLength)
        offsets.reserveCapacity(targetLength + 1)
        if targetLength < sourceLength {
            weights.reserveCapacity(sourceLength + targetLength)
            for target in 0..<targetLength { appendArea(target) }
        } else {
            weights.reserveCapacity(2 * targetLength)
            for target in 0..<targetLength { appendBilinear(target) }
        }
    }

    /// Area averaging for target index `target` (shrinking, `targetLength < sourceLength`).
    ///
    /// Measured in units of `1 / targetLength` source pixels, target pixel `t` covers
    /// `[t·S, (t+1)·S)` and source pixel `k` covers `[k·T, (k+1)·T)`: the weight of `k` is
    /// the overlap over `S`, exact in integers (`S·T` stays far below `Int.max`: `T` ≤ 4096).
    private mutating func appendArea(_ target: Int) {
        let source = sourceLength, total = targetLength
        let start = target * source, end = (target + 1) * source
        let first = start / total, last = (end - 1) / total
        firstSource.append(first)
        for index in first...last {
            let overlap = min((index + 1) * total, end) - max(index * total, start)
            weights.append(Double(overlap) / Double(source))
        }
        offsets.append(weights.count)
    }

    /// Bilinear interpolation for target index `target` (enlarging or the identity).
    ///
    /// The source position is `x = (t + 0.5)·S/T − 0.5 = ((2t + 1)·S − T) / 2T`, clamped to
    /// `[0, S − 1]`; the weights are `1 − frac(x)` and `frac(x)` for `⌊x⌋` and `⌊x⌋ + 1`.
    /// The identity (`S = T`) gives `x = t` and one weight of 1.
    private mutating func appendBilinear(_ target: Int) {
        let source = sourceLength, denominator = 2 * targetLength
        let numerator = (2 * target + 1) * source - targetLength
        let left = numerator <= 0 ? 0 : numerator / denominator
        let remainder = numerator <= 0 ? 0 : numerator % denominator
        if left >= source - 1 {
            firstSource.append(source - 1)
            weights.append(1)
        } else if remainder == 0 {
            firstSource.append(left)
            weights.append(1)
        } else {
            firstSource.append(left)
            weights.append(Double(denominator - remainder) / Double(denominator))
            weights.append(Double(remainder) / Double(denominator))
        }
        offsets.append(weights.count)
    }
}
