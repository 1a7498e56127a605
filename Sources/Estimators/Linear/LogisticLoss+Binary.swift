import Foundation
import LinearAlgebra

/// The binary loss in one pass over `X`.
///
/// Two gemv (`X·w`, then `Xᵀ·r`) read all of `X` twice per evaluation, and `X` is too
/// large for the caches. Here rows are taken in blocks of ``blockRows``: the block's
/// decision values, then its residuals, then its share of `Xᵀ·r` while its rows are still
/// in cache. Each block writes its own partial sums, which are added in block order
/// afterwards, so the result is the same whatever the number of threads.
///
/// Inside a block, rows go in strips of up to ``stripRows`` (and at most
/// ``BLAS/callingThreadGemvElements`` elements): OpenBLAS's gemv on a strip runs on the
/// calling thread and reads it with the CPU's widest vectors; a strip that would have fewer
/// than four rows (more than 512 features) is done by the plain Swift loops below.
extension LogisticLoss {
    /// Rows per block: 512 rows of 40 features are 160 KB, well inside a core's L2.
    static let blockRows = 512
    /// The most rows per strip inside a block: the strip's rows are read for their decision
    /// values and read again from L1 for the gradient; `2^stripRows` must be a finite
    /// `Double` (one logarithm per strip).
    static let stripRows = 64

    /// Rows per strip for `columns` features, and whether gemv computes them.
    ///
    /// - Complexity: O(1).
    static func strip(columns: Int) -> (rows: Int, gemv: Bool) {
        let rows = Swift.max(4, Swift.min(stripRows, BLAS.callingThreadGemvElements / Swift.max(1, columns)))
        return (rows, rows * columns <= BLAS.callingThreadGemvElements)
    }

    /// The binary data term `1/n · Σ [log(1 + e^raw) − y·raw]` and the full gradient
    /// (penalty included in the coefficients' part), `raw = X·w + b`.
    ///
    /// - Complexity: O(n × features), reading `X` once, spread over `threads`.
    func binaryTerms(_ coefficients: [Double], intercept: Double) -> (value: Double, gradient: [Double]) {
        let n = x.rows, p = x.columns
        let blockCount = (n + Self.blockRows - 1) / Self.blockRows
        // Per block: Σ rᵢ·xᵢ (p values), Σ loss, Σ rᵢ.
        let width = p + 2
        var partials = [Double](repeating: 0, count: blockCount * width)
        x.withUnsafeElements { xs in
            coefficients.withUnsafeBufferPointer { w in
                labels.withUnsafeBufferPointer { y in
                    partials.withUnsafeMutableBufferPointer { out in
                        guard let xBase = xs.baseAddress, let wBase = w.baseAddress, let yBase = y.baseAddress,
                              let outBase = out.baseAddress else { return }
                        let pass = BinaryPass(
                            x: xBase, labels: yBase, weights: wBase, intercept: intercept, rows: n, columns: p,
                            partials: outBase)
                        _ = ParallelWork.map(blockCount, threads: threads) { block, _ in pass.run(block: block) }
                    }
                }
            }
        }
        var sums = [Double](repeating: 0, count: width)
        for block in 0..<blockCount {
            for j in 0..<width { sums[j] += partials[block * width + j] }
        }
        let scale = 1 / Double(n)
        var gradient = [Double](repeating: 0, count: parameterCount)
        for j in 0..<p { gradient[j] = scale * sums[j] + l2 * coefficients[j] }
        if fitIntercept { gradient[p] = scale * sums[p + 1] }
        return (scale * sums[p], gradient)
    }
}

/// The pointers one evaluation's blocks share.
///
/// Unchecked `Sendable`: `x`, `labels` and `weights` are only read, and each block writes
/// only its own `p + 2` partial sums; the buffers outlive the parallel pass.
private struct BinaryPass: @unchecked Sendable {
    let x: UnsafePointer<Double>
    let labels: UnsafePointer<Int>
    let weights: UnsafePointer<Double>
    let intercept: Double
    let rows: Int
    let columns: Int
    let partials: UnsafeMutablePointer<Double>

    /// Writes block `block`'s `Σ rᵢ·xᵢ`, `Σ loss` and `Σ rᵢ` to its partial sums.
    ///
    /// - Complexity: O(block rows × features).
    func run(block: Int) {
        let first = block * LogisticLoss.blockRows
        let count = Swift.min(LogisticLoss.blockRows, rows - first)
        let p = columns
        let (stripRows, useGemv) = LogisticLoss.strip(columns: p)
        let out = partials + block * (p + 2)
        var value = 0.0, residualSum = 0.0
        withUnsafeTemporaryAllocation(of: Double.self, capacity: stripRows) { buffer in
            guard let residual = buffer.baseAddress else { return }
            var stripStart = 0
            while stripStart < count {
                let strip = Swift.min(stripRows, count - stripStart)
                let stripBase = x + (first + stripStart) * p
                // raw = X·w + b for the strip's rows.
                if useGemv {
                    residual.update(repeating: intercept, count: strip)
                    BLAS.gemv(rows: strip, columns: p, stripBase, weights, beta: 1, into: residual)
                } else {
                    for k in 0..<strip { residual[k] = intercept + dot(stripBase + k * p, weights, p) }
                }
                // loss = log(1 + e^raw) − y·raw = max(raw, 0) + log(1 + e^(−|raw|)) − y·raw;
                // ∂/∂raw = σ(raw) − y. One exponential serves both: e^(−|t|) is e^(−t) for
                // t > 0 and e^t otherwise. The strip's log(1 + e) terms are one logarithm of
                // their product (each factor is in [1, 2], so the product stays below 2^strip).
                var product = 1.0
                for k in 0..<strip {
                    let t = residual[k], target = Double(labels[first + stripStart + k]), e = exp(-abs(t))
                    let u = 1 + e
                    value += Swift.max(t, 0) - target * t
                    product *= u
                    let r = (t >= 0 ? 1 / u : e / u) - target
                    residual[k] = r
                    residualSum += r
                }
                value += log(product)
                // Σ rᵢ·xᵢ over the strip's rows while they are in cache.
                if useGemv {
                    BLAS.gemv(rows: strip, columns: p, stripBase, residual, transpose: true, beta: 1, into: out)
                } else {
                    addRows(stripBase, strip, residual, into: out, p)
                }
                stripStart += strip
            }
        }
        out[p] = value
        out[p + 1] = residualSum
    }

    /// `out += Σₖ r[k]·rowₖ` over `count` rows of `n` elements from `rows`, four rows at a time.
    ///
    /// - Complexity: O(count × n).
    private func addRows(
        _ rows: UnsafePointer<Double>, _ count: Int, _ r: UnsafePointer<Double>,
        into out: UnsafeMutablePointer<Double>, _ n: Int
    ) {
        var k = 0
        while k + 4 <= count {
            let row = rows + k * n
            addRows(row, row + n, row + 2 * n, row + 3 * n, r[k], r[k + 1], r[k + 2], r[k + 3], into: out, n)
            k += 4
        }
        while k < count {
            let row = rows + k * n, rk = r[k]
            for j in 0..<n { out[j] += rk * row[j] }
            k += 1
        }
    }

    /// `a·b` over `n` elements, with two four-lane accumulators.
    ///
    /// - Complexity: O(n).
    @inline(__always)
    private func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
        var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
        var j = 0
        while j + 8 <= n {
            s0 += load(a + j) * load(b + j)
            s1 += load(a + j + 4) * load(b + j + 4)
            j += 8
        }
        if j + 4 <= n {
            s0 += load(a + j) * load(b + j)
            j += 4
        }
        var sum = (s0 + s1).sum()
        while j < n {
            sum += a[j] * b[j]
            j += 1
        }
        return sum
    }

    /// `out += r0·x0 + r1·x1 + r2·x2 + r3·x3` over `n` elements.
    ///
    /// - Complexity: O(n).
    @inline(__always)
    private func addRows(
        _ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>, _ x2: UnsafePointer<Double>,
        _ x3: UnsafePointer<Double>, _ r0: Double, _ r1: Double, _ r2: Double, _ r3: Double,
        into out: UnsafeMutablePointer<Double>, _ n: Int
    ) {
        let v0 = SIMD4<Double>(repeating: r0), v1 = SIMD4<Double>(repeating: r1)
        let v2 = SIMD4<Double>(repeating: r2), v3 = SIMD4<Double>(repeating: r3)
        var j = 0
        while j + 4 <= n {
            let first: SIMD4<Double> = v0 * load(x0 + j) + v1 * load(x1 + j)
            let second: SIMD4<Double> = v2 * load(x2 + j) + v3 * load(x3 + j)
            let sum: SIMD4<Double> = load(UnsafePointer(out + j)) + (first + second)
            UnsafeMutableRawPointer(out + j).storeBytes(of: sum, as: SIMD4<Double>.self)
            j += 4
        }
        while j < n {
            out[j] += (r0 * x0[j] + r1 * x1[j]) + (r2 * x2[j] + r3 * x3[j])
            j += 1
        }
    }

    /// Four doubles from `pointer`, which need not be aligned.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    private func load(_ pointer: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Double>.self)
    }
}
