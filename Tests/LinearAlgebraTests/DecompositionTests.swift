import LinearAlgebra
import Testing

@Suite("QR, eigen and SVD decompositions")
struct DecompositionTests {
    @Test("QR reconstructs A within 1e-10, Q has orthonormal columns, R is upper triangular", arguments: [(30, 7), (7, 7), (4, 9)])
    func qr(shape: (Int, Int)) throws {
        let a = randomMatrix(shape.0, shape.1, seed: 51)
        let qr = try QRDecomposition(a)
        let k = min(shape.0, shape.1)
        #expect(qr.q.rows == shape.0 && qr.q.columns == k)
        #expect(qr.r.rows == k && qr.r.columns == shape.1)
        #expect(maxDifference(try BLAS.gemm(qr.q, qr.r), a) < 1e-10)
        #expect(maxDifference(try BLAS.syrk(qr.q), .identity(k)) < 1e-10)
        for i in 0..<k {
            for j in 0..<min(i, shape.1) { #expect(qr.r[i, j] == 0) }
        }
    }

    @Test("symmetric eigendecomposition: known values and reconstruction within 1e-10")
    func eigen() throws {
        let small = try SymmetricEigendecomposition(try Matrix([[2, 1], [1, 2]]))
        #expect(maxDifference(small.eigenvalues, [1, 3]) < 1e-14)
        let s = 1 / 2.0.squareRoot()
        #expect(abs(abs(small.eigenvectors[0, 1]) - s) < 1e-14)

        let x = randomMatrix(40, 10, seed: 61)
        let a = try BLAS.syrk(x)
        let eigen = try SymmetricEigendecomposition(a)
        #expect(eigen.eigenvalues == eigen.eigenvalues.sorted())
        let v = eigen.eigenvectors
        let scaled = Matrix(rows: 10, columns: 10) { i, j in v[i, j] * eigen.eigenvalues[j] }
        #expect(maxDifference(try BLAS.gemm(scaled, v, transposeB: true), a) < 1e-10)
        #expect(maxDifference(try BLAS.syrk(v), .identity(10)) < 1e-10)
    }

    @Test("symmetric eigendecomposition error paths")
    func eigenErrors() throws {
        #expect(throwsError(.notSymmetric(operation: "symmetric eigendecomposition", row: 0, column: 1)) {
            _ = try SymmetricEigendecomposition(try Matrix([[1, 2], [3, 4]]))
        })
        #expect(throwsError(.notSquare(operation: "symmetric eigendecomposition", rows: 1, columns: 2)) {
            _ = try SymmetricEigendecomposition(try Matrix([[1, 2]]))
        })
        #expect(throwsError(.nonFiniteValue(operation: "symmetric eigendecomposition", row: 1, column: 1)) {
            _ = try SymmetricEigendecomposition(try Matrix([[1, 0], [0, .infinity]]))
        })
    }

    @Test("SVD: known singular values and reconstruction within 1e-10", arguments: [(25, 6), (6, 6), (5, 12)])
    func svd(shape: (Int, Int)) throws {
        let a = randomMatrix(shape.0, shape.1, seed: 71)
        let svd = try SingularValueDecomposition(a)
        let k = min(shape.0, shape.1)
        #expect(svd.singularValues.count == k)
        #expect(svd.singularValues == svd.singularValues.sorted(by: >))
        let us = Matrix(rows: shape.0, columns: k) { i, j in svd.u[i, j] * svd.singularValues[j] }
        #expect(maxDifference(try BLAS.gemm(us, svd.vt), a) < 1e-10)
        #expect(maxDifference(try BLAS.syrk(svd.u), .identity(k)) < 1e-10)
        #expect(maxDifference(try BLAS.syrk(svd.vt, transpose: false), .identity(k)) < 1e-10)
    }

    @Test("SVD of a diagonal matrix gives its absolute diagonal, sorted")
    func svdKnown() throws {
        let svd = try SingularValueDecomposition(try Matrix([[3, 0], [0, -5]]))
        #expect(maxDifference(svd.singularValues, [5, 3]) < 1e-14)
        #expect(throwsError(.nonFiniteValue(operation: "SVD", row: 0, column: 1)) {
            _ = try SingularValueDecomposition(try Matrix([[1, .nan]]))
        })
    }
}
