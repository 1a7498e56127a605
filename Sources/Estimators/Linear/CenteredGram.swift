import LinearAlgebra

/// The centered normal equations of a linear model, `XcᵀXc` and `Xcᵀyc` with
/// `Xc = X − x̄`, `yc = y − ȳ`, computed without a centered copy of `X`.
///
/// When every column's mean is within 10 standard deviations of zero, one syrk and one
/// gemv over `X` (threaded well by OpenBLAS) give `XᵀX` and `Xᵀy`, corrected by
/// `− m·x̄x̄ᵀ` and `− m·x̄ȳ`; the cancellation then costs at most about two decimal digits
/// of the sixteen. Otherwise rows are centered in blocks of 2,048 into a small reusable
/// buffer and accumulated with syrk and gemv: the numerics of centering first, with no
/// large allocation.
struct CenteredGram {
    /// `XcᵀXc` (features × features).
    var gram: Matrix
    /// `Xcᵀyc`.
    var rhs: [Double]
    /// Column means of `X` (zeros when not centering).
    var xMean: [Double]
    /// Mean of `y` (0 when not centering).
    var yMean: Double

    static let blockRows = 2_048
    /// The largest |mean| / standard deviation for which the corrected uncentered
    /// products are used.
    static let offsetLimit = 10.0

    /// - Complexity: O(rows × features²) flops in syrk, two or three reads of `X`.
    init(_ x: Matrix, _ y: [Double], center: Bool) throws(LinearAlgebraError) {
        let rows = x.rows, columns = x.columns
        let means = center
            ? try BLAS.gemv(x, [Double](repeating: 1 / Double(rows), count: rows), transpose: true)
            : [Double](repeating: 0, count: columns)
        let average = center ? y.reduce(0, +) / Double(rows) : 0
        xMean = means
        yMean = average
        var uncentered = try BLAS.syrk(x)
        let m = Double(rows)
        let smallOffsets = (0..<columns).allSatisfy { j in
            let variance = uncentered[j, j] / m - means[j] * means[j]
            return means[j] * means[j] <= Self.offsetLimit * Self.offsetLimit * max(variance, 0)
        }
        if !center || smallOffsets {
            let xty = try BLAS.gemv(x, y, transpose: true)
            for i in 0..<columns {
                for j in 0..<columns { uncentered[i, j] -= m * means[i] * means[j] }
            }
            gram = uncentered
            rhs = (0..<columns).map { xty[$0] - m * means[$0] * average }
            return
        }
        gram = Matrix(rows: columns, columns: columns)
        rhs = [Double](repeating: 0, count: columns)
        try accumulateBlocks(x, y)
    }

    /// Centers blocks of rows into a reusable buffer and accumulates their products.
    private mutating func accumulateBlocks(_ x: Matrix, _ y: [Double]) throws(LinearAlgebraError) {
        let rows = x.rows, columns = x.columns
        var block = Matrix(rows: min(Self.blockRows, rows), columns: columns)
        var start = 0
        while start < rows {
            let count = min(Self.blockRows, rows - start)
            if count != block.rows { block = Matrix(rows: count, columns: columns) }
            let means = xMean
            x.withUnsafeElements { source in
                block.withUnsafeMutableElements { target in
                    for i in 0..<count {
                        let from = (start + i) * columns, to = i * columns
                        for j in 0..<columns { target[to + j] = source[from + j] - means[j] }
                    }
                }
            }
            let blockGram = try BLAS.syrk(block)
            gram.withUnsafeMutableElements { total in
                blockGram.withUnsafeElements { part in
                    for k in 0..<total.count { total[k] += part[k] }
                }
            }
            let yBlock = (start..<(start + count)).map { y[$0] - yMean }
            try BLAS.gemv(block, yBlock, transpose: true, beta: 1, into: &rhs)
            start += count
        }
    }

    /// The centered normal equations of `x` (whose finiteness the caller has not checked)
    /// and finite `y`. A NaN or infinity in `x` makes the Gram matrix non-finite; only
    /// then is `x` searched, to name the row and column — so valid data is read once less.
    ///
    /// - Throws: ``EstimatorError/nonFiniteFeature(estimator:row:column:)`` or
    ///   ``EstimatorError/linearAlgebra(estimator:_:)``.
    static func checked(_ x: Matrix, _ y: [Double], center: Bool, estimator: String) throws(EstimatorError) -> CenteredGram {
        let normal: CenteredGram
        do {
            normal = try CenteredGram(x, y, center: center)
        } catch {
            throw .linearAlgebra(estimator: estimator, error)
        }
        if !(normal.gram.elements.allSatisfy(\.isFinite) && normal.rhs.allSatisfy(\.isFinite)) {
            try InputValidation.requireFinite(x, estimator: estimator)
            throw .fitFailed(estimator: estimator, reason: "the normal equations overflowed (feature values too large)")
        }
        return normal
    }

    /// The intercept that goes with `coefficients`.
    func intercept(for coefficients: [Double]) -> Double {
        yMean - zip(xMean, coefficients).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
