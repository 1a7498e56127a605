internal import CLinearAlgebra

/// Matrix and vector products through OpenBLAS (CBLAS, row-major, no hidden copies).
///
/// Every routine checks the operands' shapes first and throws
/// ``LinearAlgebraError/dimensionMismatch(operation:details:)`` instead of letting BLAS
/// read out of bounds.
public enum BLAS {
    /// Product `alpha · op(A) · op(B)` as a new matrix, where `op` transposes when asked.
    ///
    /// ```swift
    /// let a = try Matrix([[1, 2], [3, 4], [5, 6]])     // 3×2
    /// let gram = try BLAS.gemm(a, a, transposeA: true)  // Aᵀ·A, 2×2
    /// ```
    /// - Parameters:
    ///   - a: The left operand.
    ///   - b: The right operand.
    ///   - transposeA: Use `Aᵀ` in place of `A`.
    ///   - transposeB: Use `Bᵀ` in place of `B`.
    ///   - alpha: A scale applied to the product.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:details:)`` when the inner
    ///   dimensions of `op(A)` and `op(B)` differ.
    /// - Complexity: O(m·n·k) for an m×k by k×n product (dgemm).
    public static func gemm(
        _ a: some MatrixView, _ b: some MatrixView,
        transposeA: Bool = false, transposeB: Bool = false, alpha: Double = 1
    ) throws(LinearAlgebraError) -> Matrix {
        let m = transposeA ? a.columns : a.rows
        let n = transposeB ? b.rows : b.columns
        var c = Matrix(rows: m, columns: n)
        try gemm(a, b, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: 0, into: &c)
        return c
    }

    /// In-place product `C ← alpha · op(A) · op(B) + beta · C`.
    ///
    /// - Parameters:
    ///   - a: The left operand.
    ///   - b: The right operand.
    ///   - transposeA: Use `Aᵀ` in place of `A`.
    ///   - transposeB: Use `Bᵀ` in place of `B`.
    ///   - alpha: A scale applied to the product.
    ///   - beta: A scale applied to `c` before the product is added; with `0` the old
    ///     contents of `c` are ignored (even NaN).
    ///   - c: The result, which must already be `rows(op(A))`×`columns(op(B))`.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:details:)`` when the
    ///   shapes do not fit.
    /// - Complexity: O(m·n·k) (dgemm).
    public static func gemm(
        _ a: some MatrixView, _ b: some MatrixView,
        transposeA: Bool = false, transposeB: Bool = false,
        alpha: Double = 1, beta: Double, into c: inout Matrix
    ) throws(LinearAlgebraError) {
        let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
        guard k == kb else {
            throw .dimensionMismatch(
                operation: "gemm",
                details: "op(A) is \(m)×\(k) but op(B) is \(kb)×\(n): inner dimensions differ"
            )
        }
        guard c.rows == m, c.columns == n else {
            throw .dimensionMismatch(
                operation: "gemm", details: "C is \(c.rows)×\(c.columns), the product is \(m)×\(n)"
            )
        }
        if m == 0 || n == 0 { return }
        let (bm, bn, bk) = (try blasInt(m, "gemm"), try blasInt(n, "gemm"), try blasInt(k, "gemm"))
        let lda = try blasInt(max(1, a.columns), "gemm")
        let ldb = try blasInt(max(1, b.columns), "gemm")
        a.withUnsafeElements { pa in
            b.withUnsafeElements { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    cblas_dgemm(
                        CblasRowMajor,
                        transposeA ? CblasTrans : CblasNoTrans,
                        transposeB ? CblasTrans : CblasNoTrans,
                        bm, bn, bk, alpha, pa.baseAddress, lda, pb.baseAddress, ldb,
                        beta, pc.baseAddress, bn
                    )
                }
            }
        }
    }

    /// Matrix–vector product `alpha · op(A) · x` as a new vector.
    ///
    /// - Parameters:
    ///   - a: The matrix.
    ///   - x: A vector with `columns(op(A))` elements.
    ///   - transpose: Use `Aᵀ` in place of `A`.
    ///   - alpha: A scale applied to the product.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:details:)`` when `x` has
    ///   the wrong length.
    /// - Complexity: O(rows × columns) (dgemv).
    public static func gemv(
        _ a: some MatrixView, _ x: [Double], transpose: Bool = false, alpha: Double = 1
    ) throws(LinearAlgebraError) -> [Double] {
        var y = [Double](repeating: 0, count: transpose ? a.columns : a.rows)
        try gemv(a, x, transpose: transpose, alpha: alpha, beta: 0, into: &y)
        return y
    }

    /// In-place matrix–vector product `y ← alpha · op(A) · x + beta · y`.
    ///
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:details:)`` when `x` or
    ///   `y` has the wrong length.
    /// - Complexity: O(rows × columns) (dgemv).
    public static func gemv(
        _ a: some MatrixView, _ x: [Double], transpose: Bool = false,
        alpha: Double = 1, beta: Double, into y: inout [Double]
    ) throws(LinearAlgebraError) {
        let (outCount, inCount) = transpose ? (a.columns, a.rows) : (a.rows, a.columns)
        guard x.count == inCount, y.count == outCount else {
            throw .dimensionMismatch(
                operation: "gemv",
                details: "op(A) is \(outCount)×\(inCount), x has \(x.count) and y has \(y.count) elements"
            )
        }
        if outCount == 0 { return }
        if inCount == 0 {
            for i in y.indices { y[i] = beta == 0 ? 0 : beta * y[i] }
            return
        }
        let (m, n) = (try blasInt(a.rows, "gemv"), try blasInt(a.columns, "gemv"))
        a.withUnsafeElements { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    cblas_dgemv(
                        CblasRowMajor, transpose ? CblasTrans : CblasNoTrans,
                        m, n, alpha, pa.baseAddress, n, px.baseAddress, 1, beta, py.baseAddress, 1
                    )
                }
            }
        }
    }

    /// Symmetric rank-k product: `alpha · Aᵀ·A` (the Gram matrix of the columns, the
    /// default) or `alpha · A·Aᵀ`, with both triangles filled in.
    ///
    /// ```swift
    /// let gram = try BLAS.syrk(x)   // Xᵀ·X, as used by the normal equations
    /// ```
    /// - Parameters:
    ///   - a: The matrix.
    ///   - transpose: `true` for `Aᵀ·A` (columns×columns), `false` for `A·Aᵀ` (rows×rows).
    ///   - alpha: A scale applied to the product.
    /// - Complexity: O(n²·k) flops, about half of the equivalent gemm (dsyrk), plus O(n²)
    ///   to mirror the upper triangle.
    public static func syrk(
        _ a: some MatrixView, transpose: Bool = true, alpha: Double = 1
    ) throws(LinearAlgebraError) -> Matrix {
        let (n, k) = transpose ? (a.columns, a.rows) : (a.rows, a.columns)
        var c = Matrix(rows: n, columns: n)
        if n == 0 || k == 0 { return c }
        let (bn, bk) = (try blasInt(n, "syrk"), try blasInt(k, "syrk"))
        let lda = try blasInt(max(1, a.columns), "syrk")
        a.withUnsafeElements { pa in
            c.storage.withUnsafeMutableBufferPointer { pc in
                cblas_dsyrk(
                    CblasRowMajor, CblasUpper, transpose ? CblasTrans : CblasNoTrans,
                    bn, bk, alpha, pa.baseAddress, lda, 0, pc.baseAddress, bn
                )
                for i in 0..<n {
                    for j in 0..<i { pc[i * n + j] = pc[j * n + i] }
                }
            }
        }
        return c
    }

    /// Dot product `xᵀ·y`.
    ///
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:details:)`` when the
    ///   lengths differ.
    /// - Complexity: O(n) (ddot).
    public static func dot(_ x: [Double], _ y: [Double]) throws(LinearAlgebraError) -> Double {
        guard x.count == y.count else {
            throw .dimensionMismatch(operation: "dot", details: "x has \(x.count) elements, y has \(y.count)")
        }
        let n = try blasInt(x.count, "dot")
        return cblas_ddot(n, x, 1, y, 1)
    }

    /// `y ← alpha · x + y`.
    ///
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:details:)`` when the
    ///   lengths differ.
    /// - Complexity: O(n) (daxpy).
    public static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) throws(LinearAlgebraError) {
        guard x.count == y.count else {
            throw .dimensionMismatch(operation: "axpy", details: "x has \(x.count) elements, y has \(y.count)")
        }
        let n = try blasInt(x.count, "axpy")
        y.withUnsafeMutableBufferPointer { py in cblas_daxpy(n, alpha, x, 1, py.baseAddress, 1) }
    }

    /// `x ← alpha · x`.
    ///
    /// - Complexity: O(n) (dscal).
    public static func scal(_ alpha: Double, _ x: inout [Double]) throws(LinearAlgebraError) {
        let n = try blasInt(x.count, "scal")
        x.withUnsafeMutableBufferPointer { px in cblas_dscal(n, alpha, px.baseAddress, 1) }
    }

    /// The Euclidean norm `‖x‖₂`, computed without overflow or underflow in the squares.
    ///
    /// - Complexity: O(n) (dnrm2).
    public static func nrm2(_ x: [Double]) throws(LinearAlgebraError) -> Double {
        let n = try blasInt(x.count, "nrm2")
        return cblas_dnrm2(n, x, 1)
    }
}

/// Converts a dimension to BLAS's 32-bit integer, or throws when it does not fit.
func blasInt(_ value: Int, _ operation: String) throws(LinearAlgebraError) -> Int32 {
    guard let result = Int32(exactly: value) else {
        throw .invalidArgument(operation: operation, reason: "dimension \(value) exceeds BLAS's 32-bit index range")
    }
    return result
}
