import LinearAlgebra

/// The centered normal equations of a linear model, `XcᵀXc` and `Xcᵀyc` with
/// `Xc = X − x̄`, `yc = y − ȳ`, computed without a centered copy of `X`: rows are centered
/// in blocks of 2,048 into a small reusable buffer (cache-resident) and accumulated with
/// syrk and gemv. Two passes over `X` (means, then products) and no large allocation,
/// with the same numerics as centering first (no `XᵀX − m·x̄x̄ᵀ` cancellation).
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

    /// - Complexity: O(rows × features²) flops in syrk, two reads of `X`.
    init(_ x: Matrix, _ y: [Double], center: Bool) throws(LinearAlgebraError) {
        let rows = x.rows, columns = x.columns
        if center {
            xMean = try BLAS.gemv(x, [Double](repeating: 1 / Double(rows), count: rows), transpose: true)
            yMean = y.reduce(0, +) / Double(rows)
        } else {
            xMean = [Double](repeating: 0, count: columns)
            yMean = 0
        }
        gram = Matrix(rows: columns, columns: columns)
        rhs = [Double](repeating: 0, count: columns)
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

    /// The intercept that goes with `coefficients`.
    func intercept(for coefficients: [Double]) -> Double {
        yMean - zip(xMean, coefficients).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
