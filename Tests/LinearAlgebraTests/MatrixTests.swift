import LinearAlgebra
import Testing

@Suite("Matrix")
struct MatrixTests {
    @Test("row-major layout and element access")
    func layout() throws {
        var m = try Matrix([[1, 2, 3], [4, 5, 6]])
        #expect(m.rows == 2 && m.columns == 3)
        #expect(m.elements == [1, 2, 3, 4, 5, 6])
        #expect(m[1, 2] == 6)
        m[0, 1] = 9
        #expect(Array(m.row(0)) == [1, 9, 3])
        #expect(m.column(1) == [9, 5])
        #expect(m.transposed() == (try Matrix([[1, 4], [9, 5], [3, 6]])))
    }

    @Test("copies are independent (copy-on-write)")
    func copyOnWrite() throws {
        let original = try Matrix([[1, 2], [3, 4]])
        var copy = original
        copy[0, 0] = 100
        #expect(original[0, 0] == 1)
        #expect(copy[0, 0] == 100)
    }

    @Test("bad element counts and ragged rows are typed errors")
    func constructionErrors() {
        #expect(throwsError(.dimensionMismatch(operation: "Matrix", details: "5 elements given for a 2×3 matrix")) {
            _ = try Matrix(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5])
        })
        #expect(throwsError(.dimensionMismatch(operation: "Matrix", details: "row 1 has 1 elements, row 0 has 2")) {
            _ = try Matrix([[1, 2], [3]])
        })
        #expect(throwsError(.invalidArgument(operation: "Matrix", reason: "dimensions -1×3 are negative")) {
            _ = try Matrix(rows: -1, columns: 3, elements: [])
        })
    }

    @Test("transpose of a large non-square matrix (blocked path)")
    func largeTranspose() {
        let m = randomMatrix(70, 45, seed: 3)
        let t = m.transposed()
        #expect(t.rows == 45 && t.columns == 70)
        for i in 0..<70 {
            for j in 0..<45 { #expect(m[i, j] == t[j, i]) }
        }
        #expect(t.transposed() == m)
    }

    @Test("row slices share storage and work with BLAS")
    func rowSlices() throws {
        let m = randomMatrix(10, 4, seed: 1)
        let slice = m[rows: 3..<7]
        #expect(slice.rows == 4 && slice.columns == 4)
        #expect(slice[0, 2] == m[3, 2])
        let copied = slice.copied()
        #expect(copied == (try m.selectingRows([3, 4, 5, 6])))
        let viaSlice = try BLAS.syrk(slice)
        let viaCopy = try BLAS.syrk(copied)
        #expect(viaSlice == viaCopy)
        let product = try BLAS.gemm(slice, m, transposeB: true)
        #expect(maxDifference(product, naiveProduct(copied, m.transposed())) < 1e-12)
    }

    @Test("selecting rows gathers in order, repeats allowed, out-of-range is an error")
    func selectingRows() throws {
        let m = try Matrix([[1, 1], [2, 2], [3, 3]])
        #expect(try m.selectingRows([2, 0, 2]) == (try Matrix([[3, 3], [1, 1], [3, 3]])))
        #expect(try m.selectingRows([]).rows == 0)
        #expect(throwsError(.invalidArgument(operation: "selectingRows", reason: "index 3 at position 1 is outside 0..<3")) {
            _ = try m.selectingRows([0, 3])
        })
    }

    @Test("identity and column vectors")
    func specialMatrices() {
        let i = Matrix.identity(3)
        #expect(i.elements == [1, 0, 0, 0, 1, 0, 0, 0, 1])
        let v = Matrix(column: [1, 2])
        #expect(v.rows == 2 && v.columns == 1)
    }
}
