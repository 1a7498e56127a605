import ImageDatasets
import ImageDecoding
import Testing

/// Resizing on known inputs, checked against values worked out by hand: area averaging
/// when shrinking (whole and fractional coverage), bilinear when enlarging, each axis on
/// its own.
@Suite("Resampling")
struct ResamplingTests {
    /// Floating-point slack for sums of a few products of exact fractions.
    static let tolerance = 1e-12

    static func grey(_ rows: [[Int]]) throws -> DecodedImage {
        try #require(DecodedImage(
            width: rows[0].count, height: rows.count, colorModel: .grey, samples: .uint8(rows.flatMap { $0 }.map { UInt8($0) })))
    }

    static func features(_ rows: [[Int]], width: Int, height: Int) throws -> [Double] {
        try ImagePreprocessing(width: width, height: height, color: .grey).features(of: grey(rows))
    }

    /// `expected` given in 8-bit sample units.
    static func expectClose(_ got: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.count == expected.count, sourceLocation: sourceLocation)
        for (index, (value, want)) in zip(got, expected.map { $0 / 255 }).enumerated() {
            #expect(abs(value - want) <= tolerance, "feature \(index): \(value), expected \(want)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test("the same size copies the samples exactly")
    func identity() throws {
        let rows = [[0, 1, 128], [200, 254, 255]]
        let got = try Self.features(rows, width: 3, height: 2)
        #expect(got == rows.flatMap { $0 }.map { Double($0) / 255 })
    }

    @Test("4 × 4 → 2 × 2 averages each 2 × 2 block")
    func wholeBlocks() throws {
        let rows = [[0, 10, 20, 30], [40, 50, 60, 70], [80, 90, 100, 110], [120, 130, 140, 150]]
        Self.expectClose(try Self.features(rows, width: 2, height: 2), [25, 45, 105, 125])
    }

    @Test("3 × 3 → 2 × 2 weighs the middle row and column by the half each output pixel covers")
    func fractionalCoverage() throws {
        // Output (0, 0) covers [0, 1.5) × [0, 1.5): pixel (0, 0) fully, (0, 1) and (1, 0) by
        // half, (1, 1) by a quarter, out of 2.25: (0 + 30·½ + 90·½ + 120·¼) / 2.25 = 40.
        let rows = [[0, 30, 60], [90, 120, 150], [180, 210, 240]]
        Self.expectClose(try Self.features(rows, width: 2, height: 2), [40, 80, 160, 200])
    }

    @Test("5 → 2 along a row: weights 0.4, 0.4, 0.2 and 0.2, 0.4, 0.4")
    func fiveToTwo() throws {
        let rows = [[10, 20, 30, 40, 50]]
        // (10·1 + 20·1 + 30·½) / 2.5 = 18; (30·½ + 40 + 50) / 2.5 = 42.
        Self.expectClose(try Self.features(rows, width: 2, height: 1), [18, 42])
    }

    @Test("everything to 1 × 1 is the mean")
    func toOnePixel() throws {
        let rows = [[0, 255, 51], [102, 153, 204]]
        Self.expectClose(try Self.features(rows, width: 1, height: 1), [127.5])
    }

    @Test("2 → 4 is bilinear with pixel centres aligned: a, ¾a + ¼b, ¼a + ¾b, b")
    func bilinear() throws {
        Self.expectClose(try Self.features([[40, 200]], width: 4, height: 1), [40, 80, 160, 200])
        // 1 → 3 repeats the one pixel.
        Self.expectClose(try Self.features([[77]], width: 3, height: 1), [77, 77, 77])
    }

    @Test("one axis shrinks while the other grows: 4 × 2 → 2 × 4")
    func perAxis() throws {
        // Rows: [0, 20, 40, 60] → [10, 50]; [100, 120, 140, 160] → [110, 150].
        // Columns 2 → 4: a, ¾a + ¼b, ¼a + ¾b, b.
        let rows = [[0, 20, 40, 60], [100, 120, 140, 160]]
        Self.expectClose(try Self.features(rows, width: 2, height: 4), [10, 50, 35, 75, 85, 125, 110, 150])
    }

    @Test("a tall, thin image resized wider gives the same values either pass order would")
    func tallThin() throws {
        // 1 × 6 → 3 × 2: each output row is the mean of 3 source rows, repeated across.
        let rows = [[0], [30], [60], [90], [120], [150]]
        Self.expectClose(try Self.features(rows, width: 3, height: 2), [30, 30, 30, 120, 120, 120])
    }

    @Test("features stay in [0, 1] for extreme values in every direction")
    func staysInRange() throws {
        let rows = (0..<7).map { row in (0..<5).map { column in (row + column) % 2 == 0 ? 255 : 0 } }
        for (width, height) in [(3, 2), (11, 13), (5, 7), (2, 9), (1, 1)] {
            let values = try Self.features(rows, width: width, height: height)
            #expect(values.count == width * height)
            #expect(values.allSatisfy { (0...1).contains($0) })
        }
        let white = try Self.features(Array(repeating: Array(repeating: 255, count: 5), count: 7), width: 3, height: 4)
        #expect(white.allSatisfy { abs($0 - 1) <= Self.tolerance })
    }
}
