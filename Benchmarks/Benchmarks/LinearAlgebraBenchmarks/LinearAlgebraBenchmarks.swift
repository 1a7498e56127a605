// Linear-algebra suite: our wrappers against direct CBLAS calls on the same data.
//
// Targets (issue 2): our gemm reaches ≥ 90% of a direct cblas_dgemm's GFLOP/s on
// 1024×1024 matrices; the 200,000×50 least-squares fit takes ≤ 3× one syrk over the same
// data. Run from Benchmarks/:
//   swift package --disable-sandbox benchmark --target LinearAlgebraBenchmarks
import Benchmark
import CBenchmarkBLAS
import LinearAlgebra

/// Seeded standard-normal data, so every run measures the same matrices.
func randomElements(_ count: Int, seed: UInt64) -> [Double] {
    var random = RandomSource(seed: seed)
    return (0..<count).map { _ in random.normal() }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 2,
        maxDuration: .seconds(10),
        maxIterations: 30
    )

    // MARK: gemm 1024×1024 (2·1024³ ≈ 2.15 GFLOP per product)
    let n = 1024
    let a: Matrix
    let b: Matrix
    do {
        a = try Matrix(rows: n, columns: n, elements: randomElements(n * n, seed: 1))
        b = try Matrix(rows: n, columns: n, elements: randomElements(n * n, seed: 2))
    } catch {
        fatalError("benchmark setup: \(error)")
    }

    Benchmark("gemm 1024x1024 direct cblas_dgemm") { benchmark in
        let left = a.elements, right = b.elements
        var out = [Double](repeating: 0, count: n * n)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            out.withUnsafeMutableBufferPointer { c in
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n),
                            1, left, Int32(n), right, Int32(n), 0, c.baseAddress, Int32(n))
            }
        }
        benchmark.stopMeasurement()
        blackHole(out)
    }

    Benchmark("gemm 1024x1024 BLAS.gemm into") { benchmark in
        var out = Matrix(rows: n, columns: n)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try BLAS.gemm(a, b, beta: 0, into: &out)
        }
        benchmark.stopMeasurement()
        blackHole(out)
    }

    Benchmark("gemm 1024x1024 BLAS.gemm allocating") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try BLAS.gemm(a, b))
        }
    }

    // MARK: least squares 200,000×50 against one syrk over the same data
    let rows = 200_000, columns = 50
    let design: Matrix
    let target: [Double]
    do {
        design = try Matrix(rows: rows, columns: columns, elements: randomElements(rows * columns, seed: 3))
        var random = RandomSource(seed: 4)
        let truth = (0..<columns).map { _ in random.normal() }
        target = try BLAS.gemv(design, truth).map { $0 + 0.1 * random.normal() }
    } catch {
        fatalError("benchmark setup: \(error)")
    }

    Benchmark("syrk 200000x50 direct cblas_dsyrk") { benchmark in
        let x = design.elements
        var gram = [Double](repeating: 0, count: columns * columns)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            gram.withUnsafeMutableBufferPointer { c in
                cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(columns), Int32(rows),
                            1, x, Int32(columns), 0, c.baseAddress, Int32(columns))
            }
        }
        benchmark.stopMeasurement()
        blackHole(gram)
    }

    Benchmark("least squares 200000x50 automatic") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try LeastSquares.solve(design, target))
        }
    }

    Benchmark("least squares 200000x50 svd (gelsd)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try LeastSquares.solve(design, target, method: .svd))
        }
    }
}
