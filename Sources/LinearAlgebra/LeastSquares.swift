internal import CLinearAlgebra

/// Linear least squares: the `X` minimizing `‖A·X − B‖₂` (column by column).
///
/// ```swift
/// let design = try Matrix([[1, 0], [1, 1], [1, 2]])
/// let fit = try LeastSquares.solve(design, [1, 3, 5])
/// fit.solution   // [1.0, 2.0]: intercept 1, slope 2
/// ```
public enum LeastSquares {
    /// How ``solve(_:_:method:rcond:)`` computes the solution.
    public enum Method: Sendable, Hashable {
        /// Normal equations (``normalEquations``) when `AᵀA` is well conditioned
        /// (reciprocal condition number ≥ ``automaticConditionLimit``), otherwise ``svd``.
        case automatic
        /// `AᵀA·X = AᵀB` by syrk + Cholesky (dsyrk, dpotrf, dpotrs): one pass over `A`,
        /// the fastest for tall data, accurate to about `κ(A)²·ε`. Throws
        /// ``LinearAlgebraError/notPositiveDefinite(minor:)`` when `A` has dependent columns.
        case normalEquations
        /// Singular-value decomposition (LAPACK dgelsd): safe for rank-deficient `A`,
        /// returning the minimum-norm solution; singular values below `rcond · σ₁` count as
        /// zero.
        case svd
    }

    /// The smallest reciprocal condition number of `AᵀA` for which ``Method/automatic``
    /// keeps the normal-equations solution: `1e-8`, so that the squared conditioning costs
    /// at most about 8 of the 16 significant digits.
    public static let automaticConditionLimit = 1e-8

    /// Solves `min ‖A·X − B‖₂` for every column of `B`.
    ///
    /// - Parameters:
    ///   - a: The m×n design matrix.
    ///   - b: The m×k right-hand sides.
    ///   - method: How to solve; see ``Method``.
    ///   - rcond: For the SVD: singular values below `rcond · σ₁` are treated as zero.
    ///     Defaults to `ε · max(m, n)` (as NumPy's `lstsq`).
    /// - Returns: The n×k solution with the rank and method used.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:details:)`` when `B` does
    ///   not have m rows; ``LinearAlgebraError/nonFiniteValue(operation:row:column:)``
    ///   naming a NaN or infinity in `A` (or in `B`, reported with operation
    ///   `"least squares (B)"`); ``LinearAlgebraError/notPositiveDefinite(minor:)`` for
    ///   ``Method/normalEquations`` on rank-deficient `A`;
    ///   ``LinearAlgebraError/didNotConverge(routine:unconverged:)`` if the SVD fails.
    /// - Complexity: normal equations O(m·n²/1 + n³) flops (one syrk dominates for
    ///   m ≫ n); SVD O(m·n² + n³) with a larger constant and a transposed copy of `A`.
    public static func solve(
        _ a: some MatrixView, _ b: some MatrixView, method: Method = .automatic, rcond: Double? = nil
    ) throws(LinearAlgebraError) -> LeastSquaresSolution {
        let (m, n, k) = (a.rows, a.columns, b.columns)
        guard b.rows == m else {
            throw .dimensionMismatch(operation: "least squares", details: "A has \(m) rows, B has \(b.rows)")
        }
        if let rcond, !(rcond.isFinite) {
            throw .invalidArgument(operation: "least squares", reason: "rcond must be finite, got \(rcond)")
        }
        if n == 0 || k == 0 || m == 0 {
            try requireFinite(b, "least squares (B)")
            return LeastSquaresSolution(solution: Matrix(rows: n, columns: k), rank: 0, method: method == .automatic ? .svd : method, singularValues: [])
        }
        switch method {
        case .normalEquations:
            let (x, _) = try normalEquations(a, b, conditionLimit: nil)
            return LeastSquaresSolution(solution: x, rank: n, method: .normalEquations, singularValues: nil)
        case .svd:
            return try singularValueSolve(a, b, rcond: rcond)
        case .automatic:
            if m >= n, let fit = try? normalEquations(a, b, conditionLimit: automaticConditionLimit) {
                return LeastSquaresSolution(solution: fit.0, rank: n, method: .normalEquations, singularValues: nil)
            }
            return try singularValueSolve(a, b, rcond: rcond)
        }
    }

    /// Solves `min ‖A·x − b‖₂` for one right-hand side.
    ///
    /// - Throws: as ``solve(_:_:method:rcond:)``.
    /// - Complexity: as ``solve(_:_:method:rcond:)``.
    public static func solve(
        _ a: some MatrixView, _ b: [Double], method: Method = .automatic, rcond: Double? = nil
    ) throws(LinearAlgebraError) -> LeastSquaresSolution {
        try solve(a, Matrix(column: b), method: method, rcond: rcond)
    }

    /// syrk + Cholesky. With `conditionLimit`, throws when the reciprocal condition number
    /// of `AᵀA` is below it (the caller then falls back to the SVD).
    private static func normalEquations(
        _ a: some MatrixView, _ b: some MatrixView, conditionLimit: Double?
    ) throws(LinearAlgebraError) -> (Matrix, Double) {
        let n = a.columns
        let gram = try BLAS.syrk(a)
        var rhs: Matrix
        if b.columns == 1 {
            let y = b.withUnsafeElements { Array($0) }
            rhs = Matrix(column: try BLAS.gemv(a, y, transpose: true))
        } else {
            rhs = try BLAS.gemm(a, b, transposeA: true)
        }
        // A NaN or infinity anywhere in A or B reaches AᵀA or AᵀB: find it only then, so
        // the happy path reads A once.
        if gram.storage.contains(where: { !$0.isFinite }) || rhs.storage.contains(where: { !$0.isFinite }) {
            try requireFinite(a, "least squares")
            try requireFinite(b, "least squares (B)")
        }
        let bn = try blasInt(n, "least squares")
        var factor = gram
        let anorm = gram.storage.withUnsafeBufferPointer { p in
            LAPACKE_dlansy(rowMajor, lapackChar("1"), lapackChar("L"), bn, p.baseAddress, bn)
        }
        let info = factor.storage.withUnsafeMutableBufferPointer { p in
            LAPACKE_dpotrf(rowMajor, lapackChar("L"), bn, p.baseAddress, bn)
        }
        try checkLAPACK(info, routine: "dpotrf", positive: .notPositiveDefinite)
        var reciprocalCondition = 0.0
        let conditionInfo = factor.storage.withUnsafeBufferPointer { p in
            LAPACKE_dpocon(rowMajor, lapackChar("L"), bn, p.baseAddress, bn, anorm, &reciprocalCondition)
        }
        try checkLAPACK(conditionInfo, routine: "dpocon", positive: .singular)
        if let conditionLimit, !(reciprocalCondition >= conditionLimit) {
            throw .notPositiveDefinite(minor: n)
        }
        let nrhs = try blasInt(rhs.columns, "least squares")
        let solveInfo = factor.storage.withUnsafeBufferPointer { l in
            rhs.storage.withUnsafeMutableBufferPointer { p in
                LAPACKE_dpotrs(rowMajor, lapackChar("L"), bn, nrhs, l.baseAddress, bn, p.baseAddress, nrhs)
            }
        }
        try checkLAPACK(solveInfo, routine: "dpotrs", positive: .singular)
        return (rhs, reciprocalCondition)
    }

    /// dgelsd on copies of A and B (B padded to max(m, n) rows).
    private static func singularValueSolve(
        _ a: some MatrixView, _ b: some MatrixView, rcond: Double?
    ) throws(LinearAlgebraError) -> LeastSquaresSolution {
        try requireFinite(a, "least squares")
        try requireFinite(b, "least squares (B)")
        let (m, n, k) = (a.rows, a.columns, b.columns)
        let rows = max(m, n)
        var work = a.withUnsafeElements { Array($0) }
        var rhs = [Double](repeating: 0, count: rows * k)
        b.withUnsafeElements { source in
            for i in 0..<(m * k) { rhs[i] = source[i] }
        }
        var singularValues = [Double](repeating: 0, count: min(m, n))
        var rank: Int32 = 0
        let threshold = rcond ?? Double.ulpOfOne * Double(rows)
        let (bm, bn, bk) = (try blasInt(m, "least squares"), try blasInt(n, "least squares"), try blasInt(k, "least squares"))
        let info = work.withUnsafeMutableBufferPointer { pa in
            rhs.withUnsafeMutableBufferPointer { pb in
                singularValues.withUnsafeMutableBufferPointer { ps in
                    LAPACKE_dgelsd(rowMajor, bm, bn, bk, pa.baseAddress, bn, pb.baseAddress, bk, ps.baseAddress, threshold, &rank)
                }
            }
        }
        try checkLAPACK(info, routine: "dgelsd", positive: .didNotConverge)
        let solution = Matrix(unchecked: n, columns: k, elements: Array(rhs[0..<(n * k)]))
        return LeastSquaresSolution(solution: solution, rank: Int(rank), method: .svd, singularValues: singularValues)
    }
}

/// The result of ``LeastSquares/solve(_:_:method:rcond:)``.
public struct LeastSquaresSolution: Sendable, Hashable {
    /// The n×k solution `X`.
    public let solution: Matrix
    /// The effective rank of `A`: `n` for the normal equations, the number of singular
    /// values above the threshold for the SVD.
    public let rank: Int
    /// The method that produced the solution (``LeastSquares/Method/automatic`` resolves
    /// to one of the other two).
    public let method: LeastSquares.Method
    /// `A`'s singular values in decreasing order when the SVD was used, else `nil`.
    public let singularValues: [Double]?

    /// The solution's first column: the coefficients for a single right-hand side.
    public var coefficients: [Double] { solution.columns > 0 ? solution.column(0) : [] }
}
