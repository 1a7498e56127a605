import LinearAlgebra
import Testing

/// Largest absolute element-wise difference between two matrices of the same shape.
func maxDifference(_ a: Matrix, _ b: Matrix) -> Double {
    #expect(a.rows == b.rows && a.columns == b.columns, "shapes differ: \(a.rows)×\(a.columns) vs \(b.rows)×\(b.columns)")
    return zip(a.elements, b.elements).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Largest absolute element-wise difference between two vectors of the same length.
func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
    #expect(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// A seeded matrix with standard-normal entries.
func randomMatrix(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
    var random = RandomSource(seed: seed)
    return Matrix(rows: rows, columns: columns) { _, _ in random.normal() }
}

/// A reference product by the definition, to check BLAS against.
func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
    Matrix(rows: a.rows, columns: b.columns) { i, j in
        (0..<a.columns).reduce(0) { $0 + a[i, $1] * b[$1, j] }
    }
}

/// Whether `body` throws exactly `expected`.
func throwsError(_ expected: LinearAlgebraError, _ body: () throws -> Void) -> Bool {
    do {
        try body()
        return false
    } catch {
        let matches = (error as? LinearAlgebraError) == expected
        if !matches { Issue.record("expected \(expected), got \(error)") }
        return matches
    }
}
