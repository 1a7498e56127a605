internal import CLinearAlgebra

/// The thin QR decomposition `A = Q·R` of an m×n matrix, with `k = min(m, n)`.
///
/// ```swift
/// let qr = try QRDecomposition(a)
/// let back = try BLAS.gemm(qr.q, qr.r)   // equals a to rounding
/// ```
public struct QRDecomposition: Sendable {
    /// The m×k factor with orthonormal columns.
    public let q: Matrix
    /// The k×n upper-triangular (trapezoidal when m < n) factor.
    public let r: Matrix

    /// Decomposes `a` by Householder reflections (LAPACK dgeqrf, then dorgqr for `Q`).
    ///
    /// - Throws: ``LinearAlgebraError/nonFiniteValue(operation:row:column:)``.
    /// - Complexity: O(2·m·n² − 2n³/3) flops for the factorization, as much again to form Q.
    public init(_ a: some MatrixView) throws(LinearAlgebraError) {
        try requireFinite(a, "QR")
        let (m, n) = (a.rows, a.columns)
        let k = min(m, n)
        if k == 0 {
            self.q = Matrix(rows: m, columns: 0)
            self.r = Matrix(rows: 0, columns: n)
            return
        }
        var work = a.withUnsafeElements { Array($0) }
        var tau = [Double](repeating: 0, count: k)
        let (bm, bn, bk) = (try blasInt(m, "QR"), try blasInt(n, "QR"), try blasInt(k, "QR"))
        let info = work.withUnsafeMutableBufferPointer { p in
            LAPACKE_dgeqrf(rowMajor, bm, bn, p.baseAddress, bn, &tau)
        }
        try checkLAPACK(info, routine: "dgeqrf", positive: .didNotConverge)

        var r = Matrix(rows: k, columns: n)
        for i in 0..<k {
            for j in i..<n { r.storage[i * n + j] = work[i * n + j] }
        }
        // dorgqr needs m ≥ (columns of Q) ≥ k: Q is m×n when m ≥ n, otherwise the
        // reflectors sit in the first m columns of an m×m block.
        var qElements: [Double]
        if m >= n {
            qElements = work
        } else {
            qElements = [Double](repeating: 0, count: m * m)
            for i in 0..<m {
                for j in 0..<m { qElements[i * m + j] = work[i * n + j] }
            }
        }
        let qInfo = qElements.withUnsafeMutableBufferPointer { p in
            LAPACKE_dorgqr(rowMajor, bm, bk, bk, p.baseAddress, bk, tau)
        }
        try checkLAPACK(qInfo, routine: "dorgqr", positive: .didNotConverge)
        self.q = Matrix(unchecked: m, columns: k, elements: qElements)
        self.r = r
    }
}
