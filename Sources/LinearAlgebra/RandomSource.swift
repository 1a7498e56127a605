/// The SDK's one seeded pseudo-random generator: xoshiro256** seeded through SplitMix64.
///
/// Every random decision in the SDK (splits, folds, bootstraps, feature sampling) draws
/// from a `RandomSource`, so the same seed gives the same sequence and the same result on
/// every machine and every Swift version: the generator, the bounded-integer reduction,
/// the uniform and normal transforms and the shuffle are all implemented here with IEEE
/// basic arithmetic only (no platform `log`, no standard-library `random(in:)`).
///
/// - The state is four 64-bit words filled by SplitMix64 from the seed (Vigna's
///   recommended seeding), so nearby seeds give unrelated streams.
/// - ``nextDouble()`` is `(next() >> 11) · 2⁻⁵³`, uniform on `[0, 1)`.
/// - ``nextInt(below:)`` is Lemire's multiply-and-reject method: unbiased.
/// - ``normal(mean:standardDeviation:)`` is Marsaglia's polar method.
/// - ``derived(stream:)`` gives an independent generator for parallel work (one per tree,
///   one per fold) so results do not depend on thread scheduling.
///
/// ```swift
/// var random = RandomSource(seed: 27062020)
/// let order = random.permutation(10)          // a seeded shuffle of 0..<10
/// let bootstrap = random.sample(100, from: 100, replacement: true)
/// ```
public struct RandomSource: RandomNumberGenerator, Sendable, Hashable {
    /// The seed this generator was created with.
    public let seed: UInt64
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64
    /// The second value of the last polar-method pair, served by the next `normal` call.
    private var spareNormal: Double?

    /// Creates a generator from a 64-bit seed.
    ///
    /// - Parameter seed: Any value; equal seeds give equal sequences.
    public init(seed: UInt64) {
        self.seed = seed
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// Creates a generator from a scikit-learn style `random_state` integer.
    ///
    /// Negative values are reinterpreted bit for bit, so every `Int` is a valid seed.
    public init(seed: Int) {
        self.init(seed: UInt64(bitPattern: Int64(seed)))
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A generator for an independent stream, derived from this generator's seed and
    /// `stream` (not from its current position), e.g. one per tree of a forest.
    ///
    /// - Parameter stream: The stream number; different numbers give unrelated streams.
    public func derived(stream: UInt64) -> RandomSource {
        var mixer = SplitMix64(state: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        return RandomSource(seed: mixer.next() ^ stream)
    }

    /// A uniform value in `[0, 1)` with 53 random bits.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform value in `range`.
    ///
    /// - Precondition: the range's bounds are finite.
    public mutating func uniform(in range: Range<Double>) -> Double {
        precondition(range.lowerBound.isFinite && range.upperBound.isFinite, "uniform(in:) needs finite bounds")
        if range.isEmpty { return range.lowerBound }
        let value = range.lowerBound + (range.upperBound - range.lowerBound) * nextDouble()
        // Rounding can land on the excluded upper bound; step back below it.
        return value < range.upperBound ? value : range.upperBound.nextDown
    }

    /// A uniform integer in `0..<bound`, without modulo bias (Lemire's method).
    ///
    /// - Precondition: `bound > 0`.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound")
        let limit = UInt64(bound)
        var product = next().multipliedFullWidth(by: limit)
        if product.low < limit {
            let threshold = (0 &- limit) % limit
            while product.low < threshold {
                product = next().multipliedFullWidth(by: limit)
            }
        }
        return Int(product.high)
    }

    /// A uniform integer in `range`.
    ///
    /// - Precondition: the range is not empty.
    public mutating func int(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "int(in:) needs a non-empty range")
        return range.lowerBound + nextInt(below: range.count)
    }

    /// A normally distributed value (Marsaglia's polar method).
    ///
    /// - Parameters:
    ///   - mean: The distribution's mean.
    ///   - standardDeviation: The distribution's standard deviation.
    public mutating func normal(mean: Double = 0, standardDeviation: Double = 1) -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return mean + standardDeviation * spare
        }
        while true {
            let u = 2 * nextDouble() - 1
            let v = 2 * nextDouble() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = (-2 * DeterministicMath.log(s) / s).squareRoot()
                spareNormal = v * factor
                return mean + standardDeviation * (u * factor)
            }
        }
    }

    /// Shuffles `elements` in place (Fisher–Yates, from the last position down).
    ///
    /// - Complexity: O(n).
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { elements.swapAt(i, j) }
        }
    }

    /// A shuffled copy of `elements`.
    ///
    /// - Complexity: O(n).
    public mutating func shuffled<Element>(_ elements: [Element]) -> [Element] {
        var copy = elements
        shuffle(&copy)
        return copy
    }

    /// A random permutation of `0..<count`.
    ///
    /// - Complexity: O(count).
    public mutating func permutation(_ count: Int) -> [Int] {
        shuffled(Array(0..<max(0, count)))
    }

    /// `count` indices drawn from `0..<population`.
    ///
    /// Without replacement the indices are distinct and in random order (a partial
    /// Fisher–Yates shuffle); with replacement each is an independent uniform draw
    /// (a bootstrap sample when `count == population`).
    ///
    /// - Parameters:
    ///   - count: How many indices to draw.
    ///   - population: The size of the population.
    ///   - replacement: Whether an index may be drawn more than once.
    /// - Throws: ``LinearAlgebraError/invalidArgument(operation:reason:)`` for a negative
    ///   count or population, for `count > population` without replacement, or for a
    ///   positive count from an empty population.
    /// - Complexity: O(population) without replacement, O(count) with replacement.
    public mutating func sample(
        _ count: Int, from population: Int, replacement: Bool
    ) throws(LinearAlgebraError) -> [Int] {
        guard count >= 0, population >= 0 else {
            throw .invalidArgument(operation: "sample", reason: "count \(count) and population \(population) must not be negative")
        }
        if count == 0 { return [] }
        guard population > 0 else {
            throw .invalidArgument(operation: "sample", reason: "cannot draw \(count) from an empty population")
        }
        if replacement {
            return (0..<count).map { _ in nextInt(below: population) }
        }
        guard count <= population else {
            throw .invalidArgument(operation: "sample", reason: "cannot draw \(count) distinct indices from \(population)")
        }
        var pool = Array(0..<population)
        for i in 0..<count {
            let j = i + nextInt(below: population - i)
            if i != j { pool.swapAt(i, j) }
        }
        return Array(pool[0..<count])
    }
}

private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
}

/// SplitMix64 (Steele, Lea and Flood), used only to expand seeds.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
