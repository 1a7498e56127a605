import LinearAlgebra
import Testing

@Suite("Cholesky, least squares and inverse")
struct SolverTests {
    @Test("Cholesky solve against a closed form")
    func choleskySolve() throws {
        // [[4, 2], [2, 3]] x = [2, 1]  →  x = [1/2, 0]
        let a = try Matrix([[4, 2], [2, 3]])
        let factor = try CholeskyFactorization(a)
        #expect(maxDifference(factor.lower, try Matrix([[2, 0], [1, 2.0.squareRoot()]])) < 1e-15)
        #expect(maxDifference(try factor.solve([2, 1]), [0.5, 0]) < 1e-15)
        #expect(abs(factor.logDeterminant - _log(8)) < 1e-14)
        // κ₁ = ‖A‖₁·‖A⁻¹‖₁ = 6 · 0.75 = 4.5; dpocon's estimate is exact for 2×2.
        #expect(abs(factor.reciprocalCondition() - 1 / 4.5) < 1e-12)
        let nearlySingular = try CholeskyFactorization(try Matrix([[1, 1], [1, 1 + 1e-12]]))
        #expect(nearlySingular.reciprocalCondition() < 1e-11)
        let many = try factor.solve(try Matrix([[2, 4], [1, 2]]))
        #expect(maxDifference(many, try Matrix([[0.5, 1], [0, 0]])) < 1e-15)
    }

    @Test("Cholesky solve of a random SPD system")
    func choleskyRandom() throws {
        let x = randomMatrix(50, 8, seed: 21)
        let spd = try BLAS.syrk(x)
        let truth = randomMatrix(8, 3, seed: 22)
        let rhs = try BLAS.gemm(spd, truth)
        let solved = try CholeskyFactorization(spd).solve(rhs)
        #expect(maxDifference(solved, truth) < 1e-10)
    }

    @Test("Cholesky error paths: not positive definite at minor k, not square, not symmetric, NaN, wrong rhs")
    func choleskyErrors() throws {
        #expect(throwsError(.notPositiveDefinite(minor: 2)) {
            _ = try CholeskyFactorization(try Matrix([[1, 2], [2, 1]]))
        })
        #expect(throwsError(.notPositiveDefinite(minor: 3)) {
            _ = try CholeskyFactorization(try Matrix([[2, 0, 0], [0, 2, 0], [0, 0, -1]]))
        })
        #expect(throwsError(.notSquare(operation: "Cholesky", rows: 2, columns: 3)) {
            _ = try CholeskyFactorization(Matrix(rows: 2, columns: 3))
        })
        #expect(throwsError(.notSymmetric(operation: "Cholesky", row: 0, column: 1)) {
            _ = try CholeskyFactorization(try Matrix([[4, 1], [2, 4]]))
        })
        #expect(throwsError(.nonFiniteValue(operation: "Cholesky", row: 1, column: 0)) {
            _ = try CholeskyFactorization(try Matrix([[4, 1], [.nan, 4]]))
        })
        let factor = try CholeskyFactorization(Matrix.identity(2))
        #expect(throwsError(.dimensionMismatch(operation: "Cholesky solve", details: "A is 2×2, B has 3 rows")) {
            _ = try factor.solve([1, 2, 3])
        })
    }

    @Test("least squares: straight-line fit equals the closed form", arguments: [LeastSquares.Method.automatic, .normalEquations, .svd])
    func lineFit(method: LeastSquares.Method) throws {
        // Anscombe's quartet, set I: slope and intercept by the textbook formulas.
        let xs: [Double] = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
        let ys: [Double] = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68]
        let n = Double(xs.count)
        let meanX = xs.reduce(0, +) / n, meanY = ys.reduce(0, +) / n
        let sxy = zip(xs, ys).reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
        let sxx = xs.reduce(0) { $0 + ($1 - meanX) * ($1 - meanX) }
        let slope = sxy / sxx
        let intercept = meanY - slope * meanX
        let design = try Matrix(xs.map { [1, $0] })
        let fit = try LeastSquares.solve(design, ys, method: method)
        #expect(maxDifference(fit.coefficients, [intercept, slope]) < 1e-12)
        #expect(fit.rank == 2)
        #expect(fit.method == (method == .svd ? .svd : .normalEquations))
    }

    @Test("least squares: several right-hand sides at once")
    func multipleRightHandSides() throws {
        let a = randomMatrix(200, 5, seed: 31)
        let truth = randomMatrix(5, 3, seed: 32)
        let b = try BLAS.gemm(a, truth)
        for method in [LeastSquares.Method.automatic, .normalEquations, .svd] {
            let fit = try LeastSquares.solve(a, b, method: method)
            #expect(maxDifference(fit.solution, truth) < 1e-10)
        }
    }

    @Test("least squares: rank-deficient A gives the minimum-norm solution")
    func rankDeficient() throws {
        // Two identical columns: every x with x₀ + x₁ = 2 fits exactly; the minimum-norm one is [1, 1].
        let a = try Matrix([[1, 1], [2, 2], [3, 3]])
        let b: [Double] = [2, 4, 6]
        for method in [LeastSquares.Method.automatic, .svd] {
            let fit = try LeastSquares.solve(a, b, method: method)
            #expect(fit.method == .svd)
            #expect(fit.rank == 1)
            #expect(maxDifference(fit.coefficients, [1, 1]) < 1e-12)
        }
        #expect(throws: LinearAlgebraError.self) {
            _ = try LeastSquares.solve(a, b, method: .normalEquations)
        }
        // Underdetermined: one equation x₀ + x₁ = 2.
        let wide = try LeastSquares.solve(try Matrix([[1, 1]]), [2])
        #expect(maxDifference(wide.coefficients, [1, 1]) < 1e-12)
        // Pseudo-inverse identity: the solution is orthogonal to the null space [1, -1].
        let dependent = try Matrix([[1, 2, 3], [2, 4, 6.5], [1, 2, 3], [0, 0, 1]])
        let fit = try LeastSquares.solve(dependent, [1, 2, 3, 4])
        #expect(fit.rank == 2)
        let nullDirection = [2.0, -1, 0]
        #expect(abs(try BLAS.dot(fit.coefficients, nullDirection)) < 1e-12)
    }

    @Test("least squares: automatic falls back to the SVD for ill-conditioned A")
    func illConditioned() throws {
        let a = try Matrix([[1, 1], [1, 1 + 1e-9], [1, 1 - 1e-9]])
        let fit = try LeastSquares.solve(a, [2, 2 + 1e-9, 2 - 1e-9])
        #expect(fit.method == .svd)
        #expect(maxDifference(fit.coefficients, [1, 1]) < 1e-6)
    }

    @Test("least squares error paths")
    func leastSquaresErrors() throws {
        let a = try Matrix([[1, 0], [0, 1], [1, 1]])
        #expect(throwsError(.dimensionMismatch(operation: "least squares", details: "A has 3 rows, B has 2")) {
            _ = try LeastSquares.solve(a, [1, 2])
        })
        var bad = a
        bad[2, 1] = .infinity
        for method in [LeastSquares.Method.automatic, .normalEquations, .svd] {
            #expect(throwsError(.nonFiniteValue(operation: "least squares", row: 2, column: 1)) {
                _ = try LeastSquares.solve(bad, [1, 2, 3], method: method)
            })
            #expect(throwsError(.nonFiniteValue(operation: "least squares (B)", row: 1, column: 0)) {
                _ = try LeastSquares.solve(a, [1, .nan, 3], method: method)
            })
        }
        #expect(throwsError(.invalidArgument(operation: "least squares", reason: "rcond must be finite, got nan")) {
            _ = try LeastSquares.solve(a, [1, 2, 3], rcond: .nan)
        })
    }

    @Test("inverse: known value, reconstruction, and the singular and non-square errors")
    func inverse() throws {
        let a = try Matrix([[4, 7], [2, 6]])
        #expect(maxDifference(try a.inverted(), try Matrix([[0.6, -0.7], [-0.2, 0.4]])) < 1e-15)
        let r = randomMatrix(12, 12, seed: 41)
        #expect(maxDifference(try BLAS.gemm(r, try r.inverted()), .identity(12)) < 1e-10)
        #expect(throwsError(.singular(pivot: 1)) { _ = try Matrix([[1, 2], [2, 4]]).inverted() })
        #expect(throwsError(.notSquare(operation: "inverse", rows: 1, columns: 2)) { _ = try Matrix([[1, 2]]).inverted() })
        #expect(throwsError(.nonFiniteValue(operation: "inverse", row: 0, column: 0)) { _ = try Matrix([[.nan]]).inverted() })
    }
}

import Foundation
func _log(_ x: Double) -> Double { Foundation.log(x) }
