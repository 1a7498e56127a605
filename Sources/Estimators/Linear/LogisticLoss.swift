import Foundation
import LinearAlgebra

/// scikit-learn's `LinearModelLoss` with the half binomial (two classes) or half
/// multinomial (more) loss and an L2 penalty on the coefficients only.
///
/// Parameters are packed as the coefficient rows (row-major, `rows × features`) followed
/// by the intercepts (`rows` of them, when fitted), with `rows = 1` for two classes.
///
/// The binary loss reads `X` once per evaluation, in fixed blocks of rows (see
/// `LogisticLoss+Binary.swift`), so its value and gradient do not depend on `threads`.
struct LogisticLoss: Sendable {
    let x: Matrix
    /// Class positions in `0..<classes`.
    let labels: [Int]
    let classes: Int
    let fitIntercept: Bool
    /// `1 / (C·n)`.
    let l2: Double
    /// Threads the binary loss spreads its row blocks over (at least 1).
    var threads = 1

    var rows: Int { classes == 2 ? 1 : classes }
    var parameterCount: Int { rows * x.columns + (fitIntercept ? rows : 0) }

    /// The coefficients (row-major) and intercepts in `theta`.
    ///
    /// - Complexity: O(parameters).
    func split(_ theta: [Double]) -> (coefficients: [Double], intercepts: [Double]) {
        let count = rows * x.columns
        let intercepts = fitIntercept ? Array(theta[count...]) : [Double](repeating: 0, count: rows)
        return (Array(theta[..<count]), intercepts)
    }

    /// The objective and its gradient at `theta`.
    ///
    /// - Complexity: O(n × features × rows): one blocked pass over `X` (binary) or two
    ///   gemm (multinomial).
    func valueAndGradient(_ theta: [Double]) throws(LinearAlgebraError) -> (value: Double, gradient: [Double]) {
        let (coefficients, intercepts) = split(theta)
        var (value, gradient) = classes == 2
            ? binaryTerms(coefficients, intercept: intercepts[0])
            : try multinomialTerms(coefficients, intercepts)
        value += 0.5 * l2 * (try BLAS.dot(coefficients, coefficients))
        return (value, gradient)
    }

    /// The multinomial data term `1/n · Σ −log softmax(raw)[y]` and the full gradient
    /// (penalty included in the coefficients' part).
    ///
    /// - Complexity: O(n × features × classes): two gemm.
    private func multinomialTerms(
        _ coefficients: [Double], _ intercepts: [Double]
    ) throws(LinearAlgebraError) -> (value: Double, gradient: [Double]) {
        let n = x.rows, p = x.columns, k = rows, count = k * p
        let scale = 1 / Double(n)
        var gradient = [Double](repeating: 0, count: parameterCount)
        // raw = X·Wᵀ + b (n × K); loss = logΣexp(raw) − raw[y]; ∂/∂raw = softmax − onehot.
        var raw = Matrix(rows: n, columns: k)
        raw.withUnsafeMutableElements { r in
            for i in 0..<n {
                for j in 0..<k { r[i * k + j] = intercepts[j] }
            }
        }
        let w = try Matrix(rows: k, columns: p, elements: coefficients)
        try BLAS.gemm(x, w, transposeB: true, beta: 1, into: &raw)
        let labels = self.labels
        let value = raw.withUnsafeMutableElements { r in
            var total = 0.0
            for i in 0..<n {
                let row = i * k
                var top = -Double.infinity
                for j in 0..<k { top = Swift.max(top, r[row + j]) }
                let target = labels[i]
                let shiftedTarget = r[row + target] - top
                var sum = 0.0
                for j in 0..<k {
                    let e = exp(r[row + j] - top)
                    r[row + j] = e  // the raw score is no longer needed once exponentiated
                    sum += e
                }
                // −log softmax[y] = log Σ e^(raw − top) − (raw[y] − top)
                total += log(sum) - shiftedTarget
                for j in 0..<k { r[row + j] /= sum }
                r[row + target] -= 1
            }
            return total
        }
        var gradW = w
        try BLAS.gemm(raw, x, transposeA: true, alpha: scale, beta: l2, into: &gradW)
        gradient.replaceSubrange(0..<count, with: gradW.elements)
        if fitIntercept {
            let columnSums = try BLAS.gemv(raw, [Double](repeating: scale, count: n), transpose: true)
            gradient.replaceSubrange(count..<(count + k), with: columnSums)
        }
        return (value * scale, gradient)
    }
}
