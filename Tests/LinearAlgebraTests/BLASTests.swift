import LinearAlgebra
import Testing

@Suite("BLAS")
struct BLASTests {
    let a = try! Matrix([[1, 2, 3], [4, 5, 6]])          // 2×3
    let b = try! Matrix([[7, 8], [9, 10], [11, 12]])     // 3×2

    @Test("gemm: known product")
    func gemmKnown() throws {
        #expect(try BLAS.gemm(a, b) == (try Matrix([[58, 64], [139, 154]])))
    }

    @Test("gemm: every transpose combination matches the definition")
    func gemmTransposes() throws {
        let x = randomMatrix(5, 3, seed: 11)
        let y = randomMatrix(3, 4, seed: 12)
        let expected = naiveProduct(x, y)
        let xt = x.transposed(), yt = y.transposed()
        #expect(maxDifference(try BLAS.gemm(x, y), expected) < 1e-12)
        #expect(maxDifference(try BLAS.gemm(xt, y, transposeA: true), expected) < 1e-12)
        #expect(maxDifference(try BLAS.gemm(x, yt, transposeB: true), expected) < 1e-12)
        #expect(maxDifference(try BLAS.gemm(xt, yt, transposeA: true, transposeB: true), expected) < 1e-12)
        #expect(maxDifference(try BLAS.gemm(x, y, alpha: 2), naiveProduct(x, y * 2)) < 1e-12)
    }

    @Test("gemm: accumulate into C with beta")
    func gemmAccumulate() throws {
        var c = try Matrix([[1, 1], [1, 1]])
        try BLAS.gemm(a, b, alpha: 1, beta: 2, into: &c)
        #expect(c == (try Matrix([[60, 66], [141, 156]])))
    }

    @Test("gemm: mismatched shapes are typed errors")
    func gemmErrors() {
        #expect(throwsError(.dimensionMismatch(operation: "gemm", details: "op(A) is 2×3 but op(B) is 2×3: inner dimensions differ")) {
            _ = try BLAS.gemm(a, a)
        })
        var wrong = Matrix(rows: 3, columns: 3)
        #expect(throwsError(.dimensionMismatch(operation: "gemm", details: "C is 3×3, the product is 2×2")) {
            try BLAS.gemm(a, b, beta: 0, into: &wrong)
        })
    }

    @Test("gemm: empty inner dimension gives zeros")
    func gemmEmpty() throws {
        let left = Matrix(rows: 2, columns: 0)
        let right = Matrix(rows: 0, columns: 3)
        #expect(try BLAS.gemm(left, right) == Matrix(rows: 2, columns: 3))
    }

    @Test("gemv: both orientations and errors")
    func gemv() throws {
        #expect(try BLAS.gemv(a, [1, 0, -1]) == [-2, -2])
        #expect(try BLAS.gemv(a, [1, 1], transpose: true) == [5, 7, 9])
        var y = [1.0, 1.0]
        try BLAS.gemv(a, [1, 1, 1], alpha: 2, beta: -1, into: &y)
        #expect(y == [11, 29])
        #expect(throwsError(.dimensionMismatch(operation: "gemv", details: "op(A) is 2×3, x has 2 and y has 2 elements")) {
            _ = try BLAS.gemv(a, [1, 2])
        })
    }

    @Test("gemv on pointers: both orientations, beta, empty shapes")
    func gemvPointers() throws {
        let elements = a.elements, x3 = [1.0, 0, -1], x2 = [1.0, 1]
        var y2 = [1.0, 1.0], y3 = [0.0, 0, 0]
        BLAS.gemv(rows: 2, columns: 3, elements, x3, alpha: 2, beta: -1, into: &y2)
        #expect(y2 == [-5, -5])
        BLAS.gemv(rows: 2, columns: 3, elements, x2, transpose: true, beta: 0, into: &y3)
        #expect(y3 == [5, 7, 9])
        var empty = [3.0, 4.0]
        BLAS.gemv(rows: 2, columns: 0, elements, x3, beta: 0.5, into: &empty)
        #expect(empty == [1.5, 2])
    }

    @Test("gemm on pointers: products cut into tiles match the definition in every orientation, the same on 1 or 2 threads",
          arguments: [(3, 4, 5), (100, 100, 64), (200, 3, 2_000)])
    func gemmPointersTiled(_ shape: (m: Int, n: Int, k: Int)) throws {
        let (m, n, k) = shape
        let x = randomMatrix(m, k, seed: 21), y = randomMatrix(k, n, seed: 22), start = randomMatrix(m, n, seed: 23)
        let expected = naiveProduct(x, y)
        let before = BLAS.threadCount
        defer { BLAS.threadCount = before }
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = transposeA ? x.transposed() : x, b = transposeB ? y.transposed() : y
            var results: [[Double]] = []
            for threads in [1, 2] {
                BLAS.threadCount = threads
                var c = start.elements
                a.elements.withUnsafeBufferPointer { pa in
                    b.elements.withUnsafeBufferPointer { pb in
                        c.withUnsafeMutableBufferPointer { pc in
                            guard let pa = pa.baseAddress, let pb = pb.baseAddress, let pc = pc.baseAddress else { return }
                            BLAS.gemm(m: m, n: n, k: k, pa, lda: a.columns, transposeA: transposeA, pb, ldb: b.columns,
                                      transposeB: transposeB, alpha: 2, beta: 0.5, into: pc, ldc: n)
                        }
                    }
                }
                results.append(c)
            }
            #expect(results[0] == results[1], "transposes \(transposeA), \(transposeB)")
            let definition = (0..<(m * n)).map { 2 * expected[$0 / n, $0 % n] + 0.5 * start.elements[$0] }
            #expect(maxDifference(results[0], definition) < 1e-9, "transposes \(transposeA), \(transposeB)")
        }
    }

    @Test("syrk: Gram matrices in both orientations, both triangles filled")
    func syrk() throws {
        #expect(try BLAS.syrk(a) == (try Matrix([[17, 22, 27], [22, 29, 36], [27, 36, 45]])))
        #expect(try BLAS.syrk(a, transpose: false) == (try Matrix([[14, 32], [32, 77]])))
        let x = randomMatrix(40, 6, seed: 5)
        #expect(maxDifference(try BLAS.syrk(x, alpha: 0.5), naiveProduct(x.transposed(), x) * 0.5) < 1e-12)
    }

    @Test("level-1 routines: dot, axpy, scal, nrm2")
    func levelOne() throws {
        #expect(try BLAS.dot([1, 2, 3], [4, 5, 6]) == 32)
        var y = [1.0, 1.0, 1.0]
        try BLAS.axpy(2, [1, 2, 3], &y)
        #expect(y == [3, 5, 7])
        try BLAS.scal(0.5, &y)
        #expect(y == [1.5, 2.5, 3.5])
        #expect(try BLAS.nrm2([3, 4]) == 5)
        // nrm2 scales to avoid overflow in the squares.
        #expect(abs(try BLAS.nrm2([3e200, 4e200]) / 5e200 - 1) < 1e-15)
        #expect(throwsError(.dimensionMismatch(operation: "dot", details: "x has 2 elements, y has 3")) {
            _ = try BLAS.dot([1, 2], [1, 2, 3])
        })
        var short = [1.0]
        #expect(throwsError(.dimensionMismatch(operation: "axpy", details: "x has 2 elements, y has 1")) {
            try BLAS.axpy(1, [1, 2], &short)
        })
    }

    @Test("thread count can be set and read back")
    func threads() {
        let before = BLAS.threadCount
        BLAS.threadCount = 1
        #expect(BLAS.threadCount == 1)
        BLAS.threadCount = before
        #expect(BLAS.threadCount == before)
        #expect(BLAS.configuration.contains("OpenBLAS"))
    }
}

/// Scales every element (test helper).
func * (m: Matrix, s: Double) -> Matrix {
    Matrix(rows: m.rows, columns: m.columns) { i, j in m[i, j] * s }
}
