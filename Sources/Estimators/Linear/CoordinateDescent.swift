import LinearAlgebra

/// Cyclic coordinate descent for the elastic net, as scikit-learn's
/// `enet_coordinate_descent` (cd_fast.pyx) runs it for dense `X` without sample weights.
///
/// Minimizes the primal
///
///     P(w) = ½‖y − Xw‖² + l1·‖w‖₁ + (l2/2)·‖w‖²
///
/// (scikit-learn passes `l1 = n·alpha·l1_ratio` and `l2 = n·alpha·(1 − l1_ratio)`, which
/// makes it `n` times the documented objective). Each sweep updates every active
/// coordinate by soft-thresholding, keeping the residual `R = y − Xw` up to date with one
/// axpy. When the largest update of a sweep is small relative to the largest coefficient
/// (`max|Δwⱼ| / max|wⱼ| ≤ tol`), or on the last sweep, the duality gap is computed; the
/// descent stops when `gap ≤ tol·‖y‖²`. Gap-safe screening (Fercoq et al. 2015, Ndiaye et
/// al. 2017) drops coordinates proven to be zero at the optimum, exactly as scikit-learn
/// does, so the sequence of iterates is the same up to rounding.
enum CoordinateDescent {
    /// The outcome of a descent.
    struct Result {
        var coefficients: [Double]
        /// The last duality gap computed.
        var gap: Double
        /// The stopping threshold `tol·‖y‖²`.
        var threshold: Double
        /// Sweeps run.
        var iterations: Int
        /// Whether the gap fell below the threshold.
        var converged: Bool
        /// Whether `isCancelled` stopped the descent.
        var cancelled = false
    }

    /// Runs the descent from `w = 0`.
    ///
    /// - Parameters:
    ///   - x: The (centered) feature matrix, one row per sample.
    ///   - y: The (centered) targets.
    ///   - l1: The L1 strength of the unscaled primal (`n·alpha·l1_ratio`).
    ///   - l2: The L2 strength of the unscaled primal (`n·alpha·(1 − l1_ratio)`).
    ///   - maxIterations: The maximum number of sweeps.
    ///   - tolerance: scikit-learn's `tol`.
    /// - Throws: ``LinearAlgebraError`` from BLAS (shapes are consistent by construction).
    /// - Complexity: O(rows × features) per sweep, plus one gemv per gap check.
    static func elasticNet(
        columns: [[Double]], _ y: [Double], l1: Double, l2: Double, maxIterations: Int, tolerance: Double,
        isCancelled: () -> Bool = { false }
    ) throws(LinearAlgebraError) -> Result {
        let featureCount = columns.count
        var norms = [Double](repeating: 0, count: featureCount)
        for j in 0..<featureCount { norms[j] = try BLAS.dot(columns[j], columns[j]) }

        var w = [Double](repeating: 0, count: featureCount)
        var residual = y  // y − X·0
        let threshold = tolerance * (try BLAS.dot(y, y))
        let screening = l1 != 0

        var (gap, dualNorm, xta) = try dualityGap(columns: columns, y, w, residual, l1: l1, l2: l2)
        if gap <= threshold {
            return Result(coefficients: w, gap: gap, threshold: threshold, iterations: 0, converged: true)
        }

        var excluded = [Bool](repeating: false, count: featureCount)
        var active = Array(0..<featureCount)
        if screening {
            active = []
            for j in 0..<featureCount {
                if norms[j] == 0 {
                    w[j] = 0
                    excluded[j] = true
                    continue
                }
                if isSafe(j, xta: xta, dualNorm: dualNorm, norms: norms, l1: l1, l2: l2, gap: gap) {
                    excluded[j] = true
                } else {
                    active.append(j)
                }
            }
        }

        var converged = false
        var iterations = 0
        for iteration in 0..<maxIterations {
            if isCancelled() {
                return Result(coefficients: w, gap: gap, threshold: threshold, iterations: iterations, converged: false, cancelled: true)
            }
            iterations = iteration + 1
            var wMax = 0.0, dwMax = 0.0
            for j in active {
                if norms[j] == 0 { continue }
                let wj = w[j]
                let rho = try BLAS.dot(columns[j], residual) + wj * norms[j]
                let updated = (rho < 0 ? -1.0 : (rho > 0 ? 1.0 : 0.0)) * Swift.max(abs(rho) - l1, 0) / (norms[j] + l2)
                w[j] = updated
                if updated != wj { try BLAS.axpy(wj - updated, columns[j], &residual) }
                dwMax = Swift.max(dwMax, abs(updated - wj))
                wMax = Swift.max(wMax, abs(updated))
            }
            if wMax == 0 || dwMax / wMax <= tolerance || iteration == maxIterations - 1 {
                (gap, dualNorm, xta) = try dualityGap(columns: columns, y, w, residual, l1: l1, l2: l2)
                if gap <= threshold {
                    converged = true
                    break
                }
                if screening {
                    var stillActive: [Int] = []
                    for j in 0..<featureCount where !excluded[j] {
                        if isSafe(j, xta: xta, dualNorm: dualNorm, norms: norms, l1: l1, l2: l2, gap: gap) {
                            if w[j] != 0 {
                                try BLAS.axpy(w[j], columns[j], &residual)
                                w[j] = 0
                            }
                            excluded[j] = true
                        } else {
                            stillActive.append(j)
                        }
                    }
                    active = stillActive
                }
            }
        }
        return Result(coefficients: w, gap: gap, threshold: threshold, iterations: iterations, converged: converged)
    }

    /// Whether the gap-safe sphere test proves `wⱼ = 0` at the optimum (Eq. 11 of
    /// Ndiaye et al., "Gap Safe screening rules for sparsity enforcing penalties", 2017).
    private static func isSafe(
        _ j: Int, xta: [Double], dualNorm: Double, norms: [Double], l1: Double, l2: Double, gap: Double
    ) -> Bool {
        let xjTheta = xta[j] / Swift.max(l1, dualNorm)
        let distance = (1 - abs(xjTheta)) / (norms[j] + l2).squareRoot()
        return !(distance <= (2 * gap).squareRoot() / l1)
    }

    /// The duality gap of scikit-learn's `gap_enet`, the dual norm `‖XᵀR − l2·w‖∞` (or
    /// `‖XᵀR‖²` when `l1 = 0`) and `XᵀR − l2·w`.
    ///
    /// With `l1 > 0` the dual point is the residual scaled into the dual-feasible set
    /// (formulation A); with `l1 = 0 < l2` the unconstrained ridge dual (formulation B);
    /// with `l1 = l2 = 0` the squared norm of the gradient `XᵀR`.
    ///
    /// - Complexity: O(rows × features), one contiguous dot per column.
    static func dualityGap(
        columns: [[Double]], _ y: [Double], _ w: [Double], _ residual: [Double], l1: Double, l2: Double
    ) throws(LinearAlgebraError) -> (gap: Double, dualNorm: Double, xta: [Double]) {
        let wNorm2 = l2 > 0 ? try BLAS.dot(w, w) : 0
        let rNorm2 = try BLAS.dot(residual, residual)
        let ry = (l1 == 0 && l2 == 0) ? 0 : try BLAS.dot(residual, y)
        var xtr = [Double](repeating: 0, count: columns.count)
        for j in columns.indices { xtr[j] = try BLAS.dot(columns[j], residual) }
        if l1 == 0 {
            let dualNorm = try BLAS.dot(xtr, xtr)
            if l2 == 0 { return (dualNorm, dualNorm, xtr) }
            let gap = rNorm2 + 0.5 * l2 * wNorm2 - ry + 1 / (2 * l2) * dualNorm
            return (gap, dualNorm, xtr)
        }
        let xta = zip(xtr, w).map { $0 - l2 * $1 }
        let dualNorm = xta.reduce(0) { Swift.max($0, abs($1)) }
        let wL1 = w.reduce(0) { $0 + abs($1) }
        let primal = 0.5 * (rNorm2 + l2 * wNorm2) + l1 * wL1
        let scale = dualNorm > l1 ? l1 / dualNorm : 1
        let dual = -0.5 * (scale * scale) * (rNorm2 + l2 * wNorm2) + scale * ry
        return (primal - dual, dualNorm, xta)
    }

    /// The columns of `x`, each contiguous, with `means` subtracted: one blocked pass
    /// (transposing and centering together), so that coordinate updates are contiguous
    /// dots and axpys and no centered row-major copy is needed.
    ///
    /// - Complexity: O(rows × features).
    static func columns(of x: Matrix, subtracting means: [Double]) -> [[Double]] {
        let rows = x.rows, width = x.columns
        var columns = [[Double]](repeating: [Double](repeating: 0, count: rows), count: width)
        let blockRows = 256  // a block of rows stays in cache while its columns are written
        x.withUnsafeElements { source in
            for start in stride(from: 0, to: rows, by: blockRows) {
                let end = min(start + blockRows, rows)
                for j in 0..<width {
                    let mean = means[j]
                    columns[j].withUnsafeMutableBufferPointer { target in
                        for i in start..<end { target[i] = source[i * width + j] - mean }
                    }
                }
            }
        }
        return columns
    }
}
