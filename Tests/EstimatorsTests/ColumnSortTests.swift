import LinearAlgebra
import Testing
@testable import Estimators

@Suite("Column sort: the radix sort behind feature binning")
struct ColumnSortTests {
    /// Columns that exercise every path: signs and zeros, ties, one constant digit, and
    /// values that agree in their top 32 bits (short runs and a long one).
    static let columns: [String: [Double]] = {
        var random = RandomSource(seed: 11)
        var columns: [String: [Double]] = [:]
        columns["normal"] = (0..<20_000).map { _ in random.normal() * 3 }
        let special: [Double] = [-0.0, 0.0, -1, 1, -1e-300, 1e300, 2.5, -2.5]
        columns["signs and zeros"] = (0..<3_000).map { i -> Double in special[i % 8] * Double(i % 3) }
        columns["ties"] = (0..<5_000).map { _ -> Double in Double(random.nextInt(below: 7)) - 3 }
        columns["near duplicates"] = (0..<5_000).map { _ -> Double in 1.7e9 + Double(random.nextInt(below: 100_000)) * 1e-3 }
        columns["short runs"] = (0..<5_000).map { i -> Double in 1 + Double(i % 10) * 1e-9 + Double(i / 10) }
        columns["single"] = [4.2]
        return columns
    }()

    @Test("orders values, then rows, exactly as a comparison sort", arguments: columns.keys.sorted())
    func matchesComparisonSort(_ name: String) throws {
        let column = try #require(Self.columns[name])
        let sorted = column.withUnsafeBufferPointer { ColumnSort.sorted($0) }
        let expected = column.enumerated()
            .map { SortedValue(value: $0.element, row: Int32($0.offset)) }
            .sorted { a, b in
                let keyA = ColumnSort.orderKey(a.value), keyB = ColumnSort.orderKey(b.value)
                return keyA < keyB || (keyA == keyB && a.row < b.row)
            }
        #expect(sorted.count == column.count)
        #expect(sorted == expected)
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0.value <= $1.value })
    }
}
