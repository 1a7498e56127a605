import Foundation
@testable import LinearAlgebra
import Testing

/// The reference sequences in `Fixtures/random_source.json` come from an independent
/// Python implementation (`Scripts/reference/random_source_reference.py`).
private struct ReferenceFile: Decodable {
    struct Case: Decodable {
        let seed: String
        let raw: [String]
        let doubles: [Double]
        let intsBelow7: [Int]
        let permutation20: [Int]
    }
    let cases: [Case]
}

private func loadReference() throws -> ReferenceFile {
    let url = try #require(Bundle.module.url(forResource: "random_source", withExtension: "json", subdirectory: "Fixtures"))
    return try JSONDecoder().decode(ReferenceFile.self, from: Data(contentsOf: url))
}

@Suite("RandomSource")
struct RandomSourceTests {
    @Test("matches the reference sequences bit for bit")
    func referenceSequences() throws {
        let reference = try loadReference()
        #expect(reference.cases.count == 5)
        for item in reference.cases {
            let seed = try #require(UInt64(item.seed))
            var raw = RandomSource(seed: seed)
            #expect((0..<8).map { _ in String(raw.next()) } == item.raw, "seed \(seed)")
            var doubles = RandomSource(seed: seed)
            #expect((0..<8).map { _ in doubles.nextDouble() } == item.doubles, "seed \(seed)")
            var ints = RandomSource(seed: seed)
            #expect((0..<16).map { _ in ints.nextInt(below: 7) } == item.intsBelow7, "seed \(seed)")
            var permutation = RandomSource(seed: seed)
            #expect(permutation.permutation(20) == item.permutation20, "seed \(seed)")
        }
    }

    @Test("same seed, same sequence; different seeds and streams differ")
    func determinism() {
        var a = RandomSource(seed: 27062020), b = RandomSource(seed: 27062020), c = RandomSource(seed: 27062021)
        let first = (0..<100).map { _ in a.normal() }
        #expect(first == (0..<100).map { _ in b.normal() })
        #expect(first != (0..<100).map { _ in c.normal() })
        var s0 = a.derived(stream: 0), s1 = a.derived(stream: 1), again = b.derived(stream: 1)
        let x0 = (0..<10).map { _ in s0.next() }, x1 = (0..<10).map { _ in s1.next() }
        #expect(x0 != x1)
        #expect(x1 == (0..<10).map { _ in again.next() })
        // random_state style Int seeds: negative values are valid.
        var negative = RandomSource(seed: -1)
        var maxSeed = RandomSource(seed: UInt64.max)
        #expect(negative.next() == maxSeed.next())
    }

    @Test("uniform and bounded draws stay in range and are roughly uniform")
    func ranges() {
        var random = RandomSource(seed: 7)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 {
            let d = random.nextDouble()
            #expect(d >= 0 && d < 1)
            counts[random.nextInt(below: 10)] += 1
        }
        // Chi-square with 9 degrees of freedom; 27.9 is the 0.999 quantile.
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
        #expect(chiSquare < 27.9)
        for _ in 0..<1_000 {
            let u = random.uniform(in: -2.0..<3.0)
            #expect(u >= -2 && u < 3)
            let i = random.int(in: -5..<5)
            #expect(i >= -5 && i < 5)
        }
        #expect(random.nextInt(below: 1) == 0)
    }

    @Test("normal draws have the requested mean and standard deviation")
    func normal() {
        var random = RandomSource(seed: 99)
        let n = 200_000
        let values = (0..<n).map { _ in random.normal(mean: 3, standardDeviation: 2) }
        let mean = values.reduce(0, +) / Double(n)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        // Standard error of the mean is 2/√n ≈ 0.0045; allow 5 of them.
        #expect(abs(mean - 3) < 0.025)
        #expect(abs(variance.squareRoot() - 2) < 0.02)
    }

    @Test("shuffles are permutations")
    func shuffles() {
        var random = RandomSource(seed: 5)
        let shuffled = random.shuffled(Array(0..<1000))
        #expect(shuffled.sorted() == Array(0..<1000))
        #expect(shuffled != Array(0..<1000))
        #expect(random.permutation(0).isEmpty)
        var one = [42]
        random.shuffle(&one)
        #expect(one == [42])
    }

    @Test("sampling with and without replacement, and its errors")
    func sampling() throws {
        var random = RandomSource(seed: 11)
        let distinct = try random.sample(50, from: 60, replacement: false)
        #expect(distinct.count == 50 && Set(distinct).count == 50 && distinct.allSatisfy { (0..<60).contains($0) })
        let all = try random.sample(60, from: 60, replacement: false)
        #expect(all.sorted() == Array(0..<60))
        let bootstrap = try random.sample(1000, from: 10, replacement: true)
        #expect(bootstrap.count == 1000 && Set(bootstrap) == Set(0..<10))
        #expect(try random.sample(0, from: 0, replacement: false).isEmpty)
        #expect(throwsError(.invalidArgument(operation: "sample", reason: "cannot draw 11 distinct indices from 10")) {
            _ = try random.sample(11, from: 10, replacement: false)
        })
        #expect(throwsError(.invalidArgument(operation: "sample", reason: "cannot draw 3 from an empty population")) {
            _ = try random.sample(3, from: 0, replacement: true)
        })
        #expect(throwsError(.invalidArgument(operation: "sample", reason: "count -1 and population 5 must not be negative")) {
            _ = try random.sample(-1, from: 5, replacement: true)
        })
    }

    @Test("the deterministic logarithm agrees with the C library to 2 ulp")
    func deterministicLog() {
        var random = RandomSource(seed: 13)
        var inputs: [Double] = [1, 2, 0.5, .leastNormalMagnitude, .greatestFiniteMagnitude, 1.4142135623730951, 1e-300, 0.999999]
        for _ in 0..<10_000 { inputs.append(random.nextDouble().nextUp) }
        for _ in 0..<1_000 { inputs.append(exp(random.uniform(in: -700..<700))) }
        for x in inputs {
            let ours = DeterministicMath.log(x)
            let libm = Foundation.log(x)
            #expect(abs(ours - libm) <= 2 * max(libm.ulp, Double.leastNonzeroMagnitude), "log(\(x)): \(ours) vs \(libm)")
        }
        #expect(DeterministicMath.log(1) == 0)
    }
}
