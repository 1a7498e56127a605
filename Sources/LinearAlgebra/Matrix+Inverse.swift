internal import CLinearAlgebra

extension Matrix {
    /// The inverse of a square matrix, by LU factorization with partial pivoting
    /// (LAPACK dgetrf, dgetri).
    ///
    /// Prefer ``CholeskyFactorization/solve(_:)-(Matrix)`` or ``LeastSquares`` to solve a
    /// system; the inverse is for when its entries themselves are needed.
    ///
    /// - Throws: ``LinearAlgebraError/notSquare(operation:rows:columns:)``,
    ///   ``LinearAlgebraError/nonFiniteValue(operation:row:column:)``, or
    ///   ``LinearAlgebraError/singular(pivot:)`` naming the zero pivot.
    /// - Complexity: O(n³).
    public func inverted() throws(LinearAlgebraError) -> Matrix {
        try requireSquare(self, "inverse")
        try requireFinite(self, "inverse")
        let n = rows
        if n == 0 { return self }
        var result = self
        var pivots = [Int32](repeating: 0, count: n)
        let bn = try blasInt(n, "inverse")
        let info = result.storage.withUnsafeMutableBufferPointer { p in
            LAPACKE_dgetrf(rowMajor, bn, bn, p.baseAddress, bn, &pivots)
        }
        try checkLAPACK(info, routine: "dgetrf", positive: .singular)
        let inverseInfo = result.storage.withUnsafeMutableBufferPointer { p in
            LAPACKE_dgetri(rowMajor, bn, p.baseAddress, bn, pivots)
        }
        try checkLAPACK(inverseInfo, routine: "dgetri", positive: .singular)
        return result
    }
}
