internal import CLinearAlgebra

/// The thin singular-value decomposition `A = U·diag(σ)·Vᵀ` of an m×n matrix, with
/// `k = min(m, n)`.
///
/// ```swift
/// let svd = try SingularValueDecomposition(a)
/// let conditionNumber = svd.singularValues.first! / svd.singularValues.last!
/// ```
public struct SingularValueDecomposition: Sendable {
    /// The m×k left singular vectors (orthonormal columns).
    public let u: Matrix
    /// The k singular values, in decreasing order, all ≥ 0.
    public let singularValues: [Double]
    /// The k×n transposed right singular vectors (orthonormal rows).
    public let vt: Matrix

    /// Decomposes `a` by divide and conquer (LAPACK dgesdd).
    ///
    /// - Throws: ``LinearAlgebraError/nonFiniteValue(operation:row:column:)`` or
    ///   ``LinearAlgebraError/didNotConverge(routine:unconverged:)``.
    /// - Complexity: O(m·n·k).
    public init(_ a: some MatrixView) throws(LinearAlgebraError) {
        try requireFinite(a, "SVD")
        let (m, n) = (a.rows, a.columns)
        let k = min(m, n)
        if k == 0 {
            self.u = Matrix(rows: m, columns: 0)
            self.singularValues = []
            self.vt = Matrix(rows: 0, columns: n)
            return
        }
        var work = a.withUnsafeElements { Array($0) }
        var values = [Double](repeating: 0, count: k)
        var u = Matrix(rows: m, columns: k)
        var vt = Matrix(rows: k, columns: n)
        let (bm, bn, bk) = (try blasInt(m, "SVD"), try blasInt(n, "SVD"), try blasInt(k, "SVD"))
        let info = work.withUnsafeMutableBufferPointer { pa in
            u.storage.withUnsafeMutableBufferPointer { pu in
                vt.storage.withUnsafeMutableBufferPointer { pv in
                    LAPACKE_dgesdd(
                        rowMajor, lapackChar("S"), bm, bn, pa.baseAddress, bn, &values,
                        pu.baseAddress, bk, pv.baseAddress, bn
                    )
                }
            }
        }
        try checkLAPACK(info, routine: "dgesdd", positive: .didNotConverge)
        self.u = u
        self.singularValues = values
        self.vt = vt
    }
}
