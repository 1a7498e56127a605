internal import CLinearAlgebra

extension BLAS {
    /// The largest `rows × columns` that ``gemv(rows:columns:_:_:transpose:alpha:beta:into:)``
    /// accepts: OpenBLAS runs a gemv on the calling thread below `2304 ×
    /// GEMM_MULTITHREAD_THRESHOLD` elements (9,216 with the default threshold of 4, 2,304
    /// with the smallest, 1).
    package static let callingThreadGemvElements = 2_048

    /// `y ← alpha · op(A) · x + beta · y` on row-major memory the caller owns, for kernels
    /// that work through a large matrix a few rows at a time.
    ///
    /// The product is small enough for OpenBLAS to compute it on the calling thread, so
    /// several threads may call this at once, and the result does not depend on
    /// ``threadCount``.
    ///
    /// - Parameters:
    ///   - rows: Rows of `A`.
    ///   - columns: Columns of `A` (also its row stride).
    ///   - a: `rows × columns` elements.
    ///   - x: `columns(op(A))` elements.
    ///   - transpose: Use `Aᵀ` in place of `A`.
    ///   - alpha: A scale applied to the product.
    ///   - beta: A scale applied to `y` before the product is added; with `0` the old
    ///     contents of `y` are ignored.
    ///   - y: `rows(op(A))` elements.
    /// - Precondition: `rows ≥ 0`, `columns ≥ 0` and `rows × columns ≤`
    ///   ``callingThreadGemvElements``.
    /// - Complexity: O(rows × columns) (dgemv).
    package static func gemv(
        rows: Int, columns: Int, _ a: UnsafePointer<Double>, _ x: UnsafePointer<Double>, transpose: Bool = false,
        alpha: Double = 1, beta: Double, into y: UnsafeMutablePointer<Double>
    ) {
        precondition(rows >= 0 && columns >= 0 && rows * columns <= callingThreadGemvElements,
                     "BLAS.gemv on pointers: \(rows)×\(columns) is negative or too large for the calling thread")
        guard rows > 0, columns > 0 else {
            let count = transpose ? columns : rows
            for i in 0..<count { y[i] = beta == 0 ? 0 : beta * y[i] }
            return
        }
        let (m, n) = (Int32(truncatingIfNeeded: rows), Int32(truncatingIfNeeded: columns))
        cblas_dgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, m, n, alpha, a, n, x, 1, beta, y, 1)
    }
}

extension BLAS {
    /// The largest `m × n × k` of a product that OpenBLAS computes on the calling thread:
    /// it spreads a dgemm over its threads only above `65,536 × GEMM_MULTITHREAD_THRESHOLD`,
    /// 262,144 with the default threshold of 4 (measured with Ubuntu's OpenBLAS 0.3.21:
    /// 40 × 100 × 64 runs on one thread, 50 × 100 × 64 on two).
    ///
    /// A spread product may round differently from the same product on one thread (the
    /// threads' blocks meet the kernels' edge cases at other places), so the result of a
    /// larger product can depend on ``threadCount``.
    package static let callingThreadGemmProduct = 262_144

    /// The fewest columns a tile of ``gemm(m:n:k:_:lda:transposeA:_:ldb:transposeB:alpha:beta:into:ldc:)``
    /// gets before its rows are cut too (narrower tiles waste the kernels' width).
    static let gemmTileColumns = 8

    /// `C ← alpha · op(A) · op(B) + beta · C` on row-major memory the caller owns, for
    /// kernels that reuse preallocated buffers whose used rows change from call to call
    /// (the mini-batches of a neural network, the last one shorter).
    ///
    /// A product larger than ``callingThreadGemmProduct`` is cut into equal tiles of `C`
    /// (columns first, then rows) of at most that many multiply-adds, each one call, so
    /// OpenBLAS computes every call on the calling thread: several threads may call this
    /// at once, and the result depends only on the shapes, never on ``threadCount``. (A
    /// product whose `k` alone exceeds the limit is one call, which OpenBLAS may spread.)
    ///
    /// - Parameters:
    ///   - m: Rows of `op(A)` and `C`.
    ///   - n: Columns of `op(B)` and `C`.
    ///   - k: Columns of `op(A)`, rows of `op(B)`.
    ///   - a: `A`, `m × k` (or `k × m` when transposed), rows `lda` elements apart.
    ///   - lda: The row stride of `A`, at least its column count.
    ///   - transposeA: Use `Aᵀ` in place of `A`.
    ///   - b: `B`, `k × n` (or `n × k` when transposed), rows `ldb` elements apart.
    ///   - ldb: The row stride of `B`, at least its column count.
    ///   - transposeB: Use `Bᵀ` in place of `B`.
    ///   - alpha: A scale applied to the product.
    ///   - beta: A scale applied to `C` before the product is added; with `0` the old
    ///     contents of `C` are ignored.
    ///   - c: `C`, `m × n`, rows `ldc` elements apart.
    ///   - ldc: The row stride of `C`, at least `n`.
    /// - Precondition: non-negative dimensions that fit BLAS's 32-bit integers and strides
    ///   at least the row lengths.
    /// - Complexity: O(m·n·k) (dgemm), in `⌈m·n·k / 262,144⌉` calls or a few more.
    package static func gemm(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Double>, lda: Int, transposeA: Bool = false,
        _ b: UnsafePointer<Double>, ldb: Int, transposeB: Bool = false,
        alpha: Double = 1, beta: Double, into c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        let (aColumns, bColumns) = (transposeA ? m : k, transposeB ? k : n)
        precondition(m >= 0 && n >= 0 && k >= 0 && lda >= max(1, aColumns) && ldb >= max(1, bColumns) && ldc >= max(1, n),
                     "BLAS.gemm on pointers: negative dimensions or short row strides")
        let limit = Int(Int32.max)
        precondition(max(m, n, k, lda, ldb, ldc) <= limit, "BLAS.gemm on pointers: a dimension exceeds BLAS's 32-bit index range")
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            for i in 0..<m {
                for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
            }
            return
        }
        let (tileRows, tileColumns) = gemmTile(m: m, n: n, k: k)
        var first = 0
        while first < n {
            let columns = min(tileColumns, n - first)
            var row = 0
            while row < m {
                let rows = min(tileRows, m - row)
                gemmCall(m: rows, n: columns, k: k, transposeA ? a + row : a + row * lda, lda: lda, transposeA: transposeA,
                         transposeB ? b + first * ldb : b + first, ldb: ldb, transposeB: transposeB, alpha: alpha, beta: beta,
                         into: c + row * ldc + first, ldc: ldc)
                row += rows
            }
            first += columns
        }
    }

    /// The rows and columns of `C` per tile of an `m × n × k` product: all of it when it is
    /// at most ``callingThreadGemmProduct``; else the widest equal column tiles that keep
    /// every row (at least ``gemmTileColumns`` wide), else tiles of that many columns and
    /// equal row counts.
    ///
    /// - Complexity: O(1).
    static func gemmTile(m: Int, n: Int, k: Int) -> (rows: Int, columns: Int) {
        let limit = callingThreadGemmProduct
        // m, n, k < 2³¹ (checked by the caller), so neither product below overflows.
        let rowVolume = m * k
        if rowVolume <= limit / n { return (m, n) }
        let narrowest = min(n, gemmTileColumns)
        if rowVolume <= limit / narrowest {
            let tiles = (n + limit / rowVolume - 1) / (limit / rowVolume)
            return (m, (n + tiles - 1) / tiles)
        }
        let tallest = max(1, limit / (narrowest * k))
        let tiles = (m + tallest - 1) / tallest
        return ((m + tiles - 1) / tiles, narrowest)
    }

    /// One dgemm call.
    private static func gemmCall(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Double>, lda: Int, transposeA: Bool,
        _ b: UnsafePointer<Double>, ldb: Int, transposeB: Bool,
        alpha: Double, beta: Double, into c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        let (bm, bn, bk) = (Int32(truncatingIfNeeded: m), Int32(truncatingIfNeeded: n), Int32(truncatingIfNeeded: k))
        let (blda, bldb, bldc) = (Int32(truncatingIfNeeded: lda), Int32(truncatingIfNeeded: ldb), Int32(truncatingIfNeeded: ldc))
        cblas_dgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            bm, bn, bk, alpha, a, blda, b, bldb, beta, c, bldc)
    }
}
