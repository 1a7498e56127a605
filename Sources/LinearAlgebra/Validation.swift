internal import CLinearAlgebra

/// The LAPACKE matrix-layout constant for row-major storage.
let rowMajor = Int32(LAPACK_ROW_MAJOR)

/// A LAPACK character argument such as `"L"` or `"V"`.
func lapackChar(_ character: Unicode.Scalar) -> CChar {
    CChar(truncatingIfNeeded: character.value)
}

/// Throws unless `a` is square.
func requireSquare(_ a: some MatrixView, _ operation: String) throws(LinearAlgebraError) {
    guard a.rows == a.columns else {
        throw .notSquare(operation: operation, rows: a.rows, columns: a.columns)
    }
}

/// Throws naming the first NaN or infinity in `a`, in row-major order.
///
/// - Complexity: O(rows × columns).
func requireFinite(_ a: some MatrixView, _ operation: String) throws(LinearAlgebraError) {
    let columns = a.columns
    let offset: Int? = a.withUnsafeElements { buffer in
        buffer.firstIndex { !$0.isFinite }
    }
    if let offset {
        throw .nonFiniteValue(operation: operation, row: offset / columns, column: offset % columns)
    }
}

/// Throws when `a` is not symmetric to within `1e-10` of its largest magnitude
/// (loose enough for a Gram matrix computed by gemm, tight enough to catch a wrong matrix).
func requireSymmetric(_ a: Matrix, _ operation: String) throws(LinearAlgebraError) {
    try requireSquare(a, operation)
    let n = a.rows
    let largest = a.storage.reduce(0) { max($0, abs($1)) }
    let tolerance = 1e-10 * largest
    for i in 0..<n {
        for j in (i + 1)..<max(i + 1, n) where abs(a.storage[i * n + j] - a.storage[j * n + i]) > tolerance {
            throw .notSymmetric(operation: operation, row: i, column: j)
        }
    }
}
