// Fits a straight line to Anscombe's quartet, set I (F. J. Anscombe, "Graphs in Statistical
// Analysis", The American Statistician 27, 1973), by least squares through LAPACK, and
// prints the fitted line, the residual standard error and R².
import Foundation
import LinearAlgebra

let x: [Double] = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
let y: [Double] = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68]

do {
    // Design matrix [1, x]: intercept and slope.
    let design = try Matrix(x.map { [1, $0] })
    let fit = try LeastSquares.solve(design, y)
    let (intercept, slope) = (fit.coefficients[0], fit.coefficients[1])

    let predicted = try BLAS.gemv(design, fit.coefficients)
    let residuals = zip(y, predicted).map { $0 - $1 }
    let residualSumOfSquares = try BLAS.dot(residuals, residuals)
    let meanY = y.reduce(0, +) / Double(y.count)
    let totalSumOfSquares = y.reduce(0) { $0 + ($1 - meanY) * ($1 - meanY) }
    let standardError = (residualSumOfSquares / Double(y.count - 2)).squareRoot()

    print("Anscombe's quartet I, \(y.count) points, solved by \(fit.method) (rank \(fit.rank))")
    print("y = \(rounded(intercept)) + \(rounded(slope))·x")
    print("residual standard error: \(rounded(standardError))")
    print("R²: \(rounded(1 - residualSumOfSquares / totalSumOfSquares))")
} catch {
    print("error: \(error)")
    exit(1)
}

/// A value rounded to four decimals, for display.
func rounded(_ value: Double) -> String {
    let scaled = (value * 10_000).rounded() / 10_000
    return "\(scaled)"
}
