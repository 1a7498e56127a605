internal import CLinearAlgebra
import Foundation

/// The Cholesky factorization `A = L·Lᵀ` of a symmetric positive-definite matrix.
///
/// ```swift
/// let a = try Matrix([[4, 2], [2, 3]])
/// let x = try CholeskyFactorization(a).solve([2, 1])   // a · x = [2, 1]
/// ```
public struct CholeskyFactorization: Sendable {
    /// The lower-triangular factor `L` (its strict upper triangle is zero).
    public let lower: Matrix
    /// The 1-norm of the factored matrix, kept for ``reciprocalCondition()``.
    private let norm: Double

    /// Factors `a` (LAPACK dpotrf).
    ///
    /// - Parameter a: A symmetric positive-definite matrix.
    /// - Throws: ``LinearAlgebraError/notSquare(operation:rows:columns:)``,
    ///   ``LinearAlgebraError/notSymmetric(operation:row:column:)``,
    ///   ``LinearAlgebraError/nonFiniteValue(operation:row:column:)``, or
    ///   ``LinearAlgebraError/notPositiveDefinite(minor:)`` naming the first leading minor
    ///   that is not positive.
    /// - Complexity: O(n³/3) flops.
    public init(_ a: Matrix) throws(LinearAlgebraError) {
        try requireFinite(a, "Cholesky")
        try requireSymmetric(a, "Cholesky")
        let n = a.rows
        var factor = a
        var norm = 0.0
        for j in 0..<n {
            var column = 0.0
            for i in 0..<n { column += abs(a.storage[i * n + j]) }
            norm = max(norm, column)
        }
        if n > 0 {
            let bn = try blasInt(n, "Cholesky")
            let info = factor.storage.withUnsafeMutableBufferPointer { p in
                LAPACKE_dpotrf(rowMajor, lapackChar("L"), bn, p.baseAddress, bn)
            }
            try checkLAPACK(info, routine: "dpotrf", positive: .notPositiveDefinite)
            for i in 0..<n {
                for j in (i + 1)..<max(i + 1, n) { factor.storage[i * n + j] = 0 }
            }
        }
        self.lower = factor
        self.norm = norm
    }

    /// An estimate of the reciprocal condition number of `A` in the 1-norm
    /// (LAPACK dpocon): near 1 for a well-conditioned matrix, near 0 (below about 1e-16)
    /// for a numerically singular one.
    ///
    /// - Complexity: O(n²).
    public func reciprocalCondition() -> Double {
        let n = lower.rows
        guard n > 0, let bn = Int32(exactly: n) else { return 1 }
        var rcond = 0.0
        let info = lower.storage.withUnsafeBufferPointer { p in
            LAPACKE_dpocon(rowMajor, lapackChar("L"), bn, p.baseAddress, bn, norm, &rcond)
        }
        return info == 0 ? rcond : 0
    }

    /// Solves `A·X = B` for `X` (LAPACK dpotrs).
    ///
    /// - Parameter b: The right-hand sides, one per column; `rows` must equal `A`'s size.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:details:)``.
    /// - Complexity: O(n²·k) for k right-hand sides.
    public func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix {
        let n = lower.rows
        guard b.rows == n else {
            throw .dimensionMismatch(operation: "Cholesky solve", details: "A is \(n)×\(n), B has \(b.rows) rows")
        }
        var x = b
        if n == 0 || b.columns == 0 { return x }
        let (bn, nrhs) = (try blasInt(n, "Cholesky solve"), try blasInt(b.columns, "Cholesky solve"))
        let info = lower.storage.withUnsafeBufferPointer { l in
            x.storage.withUnsafeMutableBufferPointer { p in
                LAPACKE_dpotrs(rowMajor, lapackChar("L"), bn, nrhs, l.baseAddress, bn, p.baseAddress, nrhs)
            }
        }
        try checkLAPACK(info, routine: "dpotrs", positive: .singular)
        return x
    }

    /// Solves `A·x = b` for one right-hand side.
    ///
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:details:)``.
    /// - Complexity: O(n²).
    public func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        try solve(Matrix(column: b)).elements
    }

    /// `log(det A)`, from the factor's diagonal: `2 · Σ log Lᵢᵢ`.
    public var logDeterminant: Double {
        (0..<lower.rows).reduce(0) { $0 + 2 * log(lower[$1, $1]) }
    }
}
