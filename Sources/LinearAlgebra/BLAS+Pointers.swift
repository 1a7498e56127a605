internal import CLinearAlgebra

extension BLAS {
    /// The largest `rows × columns` that ``gemv(rows:columns:_:_:transpose:alpha:beta:into:)``
    /// accepts: OpenBLAS runs a gemv on the calling thread below `2304 ×
    /// GEMM_MULTITHREAD_THRESHOLD` elements (9,216 with the default threshold of 4, 2,304
    /// with the smallest, 1).
    package static let callingThreadGemvElements = 2_048

    /// `y ← alpha · op(A) · x + beta · y` on row-major memory the caller owns, for kernels
    /// that work through a large matrix a few rows at a time.
    ///
    /// The product is small enough for OpenBLAS to compute it on the calling thread, so
    /// several threads may call this at once, and the result does not depend on
    /// ``threadCount``.
    ///
    /// - Parameters:
    ///   - rows: Rows of `A`.
    ///   - columns: Columns of `A` (also its row stride).
    ///   - a: `rows × columns` elements.
    ///   - x: `columns(op(A))` elements.
    ///   - transpose: Use `Aᵀ` in place of `A`.
    ///   - alpha: A scale applied to the product.
    ///   - beta: A scale applied to `y` before the product is added; with `0` the old
    ///     contents of `y` are ignored.
    ///   - y: `rows(op(A))` elements.
    /// - Precondition: `rows ≥ 0`, `columns ≥ 0` and `rows × columns ≤`
    ///   ``callingThreadGemvElements``.
    /// - Complexity: O(rows × columns) (dgemv).
    package static func gemv(
        rows: Int, columns: Int, _ a: UnsafePointer<Double>, _ x: UnsafePointer<Double>, transpose: Bool = false,
        alpha: Double = 1, beta: Double, into y: UnsafeMutablePointer<Double>
    ) {
        precondition(rows >= 0 && columns >= 0 && rows * columns <= callingThreadGemvElements,
                     "BLAS.gemv on pointers: \(rows)×\(columns) is negative or too large for the calling thread")
        guard rows > 0, columns > 0 else {
            let count = transpose ? columns : rows
            for i in 0..<count { y[i] = beta == 0 ? 0 : beta * y[i] }
            return
        }
        let (m, n) = (Int32(truncatingIfNeeded: rows), Int32(truncatingIfNeeded: columns))
        cblas_dgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, m, n, alpha, a, n, x, 1, beta, y, 1)
    }
}
