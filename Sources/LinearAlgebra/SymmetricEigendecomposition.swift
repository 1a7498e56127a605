internal import CLinearAlgebra

/// The eigen-decomposition `A = V·diag(λ)·Vᵀ` of a real symmetric matrix.
///
/// ```swift
/// let eigen = try SymmetricEigendecomposition(covariance)
/// let largest = eigen.eigenvalues.last   // eigenvalues ascend
/// ```
public struct SymmetricEigendecomposition: Sendable {
    /// The eigenvalues in ascending order.
    public let eigenvalues: [Double]
    /// The orthonormal eigenvectors: column `i` belongs to `eigenvalues[i]`.
    public let eigenvectors: Matrix

    /// Decomposes `a` by divide and conquer (LAPACK dsyevd).
    ///
    /// - Parameter a: A symmetric matrix (checked to within 1e-10 of its largest entry).
    /// - Throws: ``LinearAlgebraError/notSquare(operation:rows:columns:)``,
    ///   ``LinearAlgebraError/notSymmetric(operation:row:column:)``,
    ///   ``LinearAlgebraError/nonFiniteValue(operation:row:column:)``, or
    ///   ``LinearAlgebraError/didNotConverge(routine:unconverged:)``.
    /// - Complexity: O(n³).
    public init(_ a: Matrix) throws(LinearAlgebraError) {
        try requireFinite(a, "symmetric eigendecomposition")
        try requireSymmetric(a, "symmetric eigendecomposition")
        let n = a.rows
        var vectors = a
        var values = [Double](repeating: 0, count: n)
        if n > 0 {
            let bn = try blasInt(n, "symmetric eigendecomposition")
            let info = vectors.storage.withUnsafeMutableBufferPointer { p in
                LAPACKE_dsyevd(rowMajor, lapackChar("V"), lapackChar("U"), bn, p.baseAddress, bn, &values)
            }
            try checkLAPACK(info, routine: "dsyevd", positive: .didNotConverge)
        }
        self.eigenvalues = values
        self.eigenvectors = vectors
    }
}
