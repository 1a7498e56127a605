import Foundation
import LinearAlgebra
import Testing
@testable import Estimators

@Suite("Logistic loss: the blocked binary pass")
struct LogisticLossTests {
    /// The binary objective and gradient written out row by row.
    static func reference(_ loss: LogisticLoss, _ theta: [Double]) -> (value: Double, gradient: [Double]) {
        let n = loss.x.rows, p = loss.x.columns
        let intercept = loss.fitIntercept ? theta[p] : 0
        var value = 0.0
        var gradient = [Double](repeating: 0, count: theta.count)
        for i in 0..<n {
            var t = intercept
            for j in 0..<p { t += loss.x[i, j] * theta[j] }
            let y = Double(loss.labels[i])
            value += log1p(exp(-abs(t))) + max(t, 0) - y * t
            let r = 1 / (1 + exp(-t)) - y
            for j in 0..<p { gradient[j] += r * loss.x[i, j] }
            if loss.fitIntercept { gradient[p] += r }
        }
        var penalty = 0.0
        for j in 0..<p {
            penalty += theta[j] * theta[j]
            gradient[j] = gradient[j] / Double(n) + loss.l2 * theta[j]
        }
        if loss.fitIntercept { gradient[p] /= Double(n) }
        return (value / Double(n) + 0.5 * loss.l2 * penalty, gradient)
    }

    @Test("matches the row-by-row formulas across partial blocks and odd widths",
          arguments: [(1, 1), (5, 3), (1_300, 7), (2 * LogisticLoss.blockRows, 8), (1_100, 13), (130, 600)])
    func matchesReference(_ shape: (rows: Int, columns: Int)) throws {
        let x = randomMatrix(shape.rows, shape.columns, seed: UInt64(shape.rows + 31 * shape.columns))
        let labels = (0..<shape.rows).map { i in x[i, 0] + 0.3 * x[i, shape.columns - 1] > 0 ? 1 : 0 }
        for fitIntercept in [true, false] {
            let loss = LogisticLoss(x: x, labels: labels, classes: 2, fitIntercept: fitIntercept, l2: 0.01, threads: 2)
            let theta = (0..<loss.parameterCount).map { 0.7 * sin(Double($0) + 1) }
            let (value, gradient) = try loss.valueAndGradient(theta)
            let expected = Self.reference(loss, theta)
            #expect(abs(value - expected.value) <= 1e-12 * max(1, abs(expected.value)))
            #expect(gradient.count == expected.gradient.count)
            for (a, b) in zip(gradient, expected.gradient) { #expect(abs(a - b) <= 1e-12) }
        }
    }

    @Test("the same value, gradient and model on 1, 2 and 3 threads")
    func threadIndependent() throws {
        let x = randomMatrix(3_000, 9, seed: 11)
        let labels = (0..<x.rows).map { i in x[i, 1] - x[i, 4] + 0.2 * x[i, 7] > 0.1 ? 1 : 0 }
        let theta = (0..<10).map { 0.1 * Double($0) - 0.4 }
        let results = try [1, 2, 3].map { threads in
            try LogisticLoss(x: x, labels: labels, classes: 2, fitIntercept: true, l2: 1e-3, threads: threads)
                .valueAndGradient(theta)
        }
        for result in results.dropFirst() {
            #expect(result.value == results[0].value && result.gradient == results[0].gradient)
        }
        let estimator = try LogisticRegression(LogisticRegression.hyperParameters.resolve([:], estimator: "LogisticRegression"))
        let models = try [1, 2].map { threads in
            try #require(try estimator.fit(x, .classes(labels, classCount: 2), context: FitContext(threads: threads)) as? LogisticModel)
        }
        #expect(models[0] == models[1])
    }
}
