import Dispatch
import LinearAlgebra

/// The gradient of a perceptron's loss over a batch, with memory allocated once per fit.
///
/// A batch is cut into passes of ``passRows`` rows, grouped into at most ``chunkLimit``
/// chunks of consecutive passes. Each chunk adds its passes' gradients into its own partial
/// gradient; the partials are then added in chunk order. The cut depends only on the
/// layer sizes and the batch's rows, and every product goes to OpenBLAS in tiles small
/// enough for the calling thread (``BLAS/gemm(m:n:k:_:lda:transposeA:_:ldb:transposeB:alpha:beta:into:ldc:)``),
/// so the result is the same whatever the number of threads (the fit's or OpenBLAS's);
/// with several threads, chunks run in parallel.
///
/// A pass is the forward pass (one gemm per layer), the loss, and the backward pass (two
/// gemm per layer, one for the first). A batch whose products fit on the calling thread
/// (``BLAS/callingThreadGemmProduct``) is one pass; a larger one is cut into a multiple of
/// ``chunkLimit`` equal passes small enough for it, but of at least ``minimumPassRows``
/// rows (wider layers have their products cut into tiles instead).
///
/// Unchecked `Sendable`: during ``gradient(of:rows:scale:alphaScale:)`` each worker writes
/// only its own ``MLPPassBuffers``, and each chunk only its own partial gradient and loss;
/// everything else is read-only until every worker has finished.
final class MLPBackprop: @unchecked Sendable {
    let layout: MLPLayout
    let activation: MLPActivation
    let output: MLPOutputActivation
    /// The most chunks a batch is cut into (and the most threads that help).
    static let chunkLimit = 4
    /// The fewest rows per pass (below, the backward products' `k` is too short to be
    /// efficient).
    static let minimumPassRows = 8
    /// Rows per pass.
    let passRows: Int
    /// Whether a batch is cut into several passes (run on the fit's threads).
    let parallelPasses: Bool
    /// Weights and intercepts.
    let parameters: UnsafeMutablePointer<Double>
    /// The gradient of the last batch's loss with respect to ``parameters``.
    let gradient: UnsafeMutablePointer<Double>
    /// One scratch set per worker.
    let workers: [MLPPassBuffers]
    /// One partial gradient per chunk, `chunkLimit × parameterCount`.
    private let partials: UnsafeMutablePointer<Double>
    /// One summed loss per chunk.
    private let chunkLosses: UnsafeMutablePointer<Double>

    /// Buffers for batches of up to `batchRows` rows, on up to `threads` threads.
    init(layout: MLPLayout, activation: MLPActivation, output: MLPOutputActivation, batchRows: Int, threads: Int) {
        self.layout = layout
        self.activation = activation
        self.output = output
        // Each of a layer's three products is rows × units[l] × units[l+1] multiply-adds.
        let widest = (0..<layout.layerCount).map { layout.units[$0] * layout.units[$0 + 1] }.max() ?? 1
        let callingThreadRows = Swift.max(Self.minimumPassRows, BLAS.callingThreadGemmProduct / Swift.max(1, widest))
        let batchRows = Swift.max(1, batchRows)
        let passes = (batchRows + callingThreadRows - 1) / callingThreadRows
        if passes == 1 {
            // Too little work per batch to share.
            parallelPasses = false
            passRows = batchRows
        } else {
            // A multiple of chunkLimit passes of equal size, so that workers get equal shares.
            let balanced = (passes + Self.chunkLimit - 1) / Self.chunkLimit * Self.chunkLimit
            parallelPasses = true
            passRows = (batchRows + balanced - 1) / balanced
        }
        let rows = passRows
        let workerCount = parallelPasses ? Swift.max(1, Swift.min(threads, Self.chunkLimit)) : 1
        parameters = MLPPassBuffers.allocate(layout.parameterCount)
        gradient = MLPPassBuffers.allocate(layout.parameterCount)
        workers = (0..<workerCount).map { _ in MLPPassBuffers(layout: layout, capacity: rows) }
        partials = MLPPassBuffers.allocate(Self.chunkLimit * layout.parameterCount)
        chunkLosses = MLPPassBuffers.allocate(Self.chunkLimit)
    }

    deinit {
        for buffer in [parameters, gradient, partials, chunkLosses] { buffer.deallocate() }
    }

    /// `Σ ‖W‖²` over every coefficient (not the intercepts).
    ///
    /// - Complexity: O(coefficients).
    func squaredCoefficientNorm() -> Double {
        let count = layout.coefficientCount, whole = count / 4 * 4
        var lanes = SIMD4<Double>()
        for i in stride(from: 0, to: whole, by: 4) {
            let w = MLPKernels.load(parameters, i)
            lanes += w * w
        }
        var sum = lanes.sum()
        for i in whole..<count { sum += parameters[i] * parameters[i] }
        return sum
    }

    /// Sets ``gradient`` to `scale ×` the gradient of the batch's summed loss plus the
    /// penalty's `alphaScale · W`.
    ///
    /// - Parameters:
    ///   - source: The batch's rows and targets.
    ///   - rows: The batch's rows.
    ///   - scale: `1 / batch rows` for scikit-learn's mean loss.
    ///   - alphaScale: `alpha × scale`.
    /// - Returns: The summed loss of the rows, without the penalty.
    /// - Complexity: O(rows × Σ units[l]·units[l+1]) spread over the workers, plus
    ///   O(chunks × parameters) to add the partial gradients.
    func gradient(of source: MLPBatchSource, rows: Int, scale: Double, alphaScale: Double) -> Double {
        let passes = (rows + passRows - 1) / passRows
        let chunks = Swift.min(Self.chunkLimit, passes)
        let workerCount = Swift.min(workers.count, chunks)
        let count = layout.parameterCount
        let work: @Sendable (Int) -> Void = { worker in
            var chunk = worker
            while chunk < chunks {
                let partial = self.partials + chunk * count
                var loss = 0.0
                for pass in (chunk * passes / chunks)..<((chunk + 1) * passes / chunks) {
                    let first = pass * self.passRows, taken = Swift.min(self.passRows, rows - first)
                    let (input, targets) = source.fill(self.workers[worker], from: first, count: taken)
                    loss += self.pass(rows: taken, input: input, targets: targets, scale: scale, into: partial,
                                      first: pass == chunk * passes / chunks, buffers: self.workers[worker])
                }
                self.chunkLosses[chunk] = loss
                chunk += workerCount
            }
        }
        if workerCount > 1 {
            DispatchQueue.concurrentPerform(iterations: workerCount, execute: work)
        } else {
            work(0)
        }
        // gradient = alphaScale·W + Σ partials, in chunk order.
        let coefficients = layout.coefficientCount
        for i in 0..<coefficients { gradient[i] = alphaScale * parameters[i] + partials[i] }
        for i in coefficients..<count { gradient[i] = partials[i] }
        for chunk in 1..<Swift.max(1, chunks) {
            let partial = partials + chunk * count
            for i in 0..<count { gradient[i] += partial[i] }
        }
        var loss = 0.0
        for chunk in 0..<chunks { loss += chunkLosses[chunk] }
        return loss
    }

    /// One forward and backward pass over `rows` rows, writing (`first`) or adding `scale ×`
    /// the gradient of their summed loss into `partial`.
    ///
    /// - Returns: The summed loss of the rows.
    /// - Complexity: O(rows × Σ units[l]·units[l+1]).
    func pass(
        rows: Int, input: UnsafePointer<Double>, targets: MLPBatchTargets, scale: Double, into partial: UnsafeMutablePointer<Double>,
        first: Bool, buffers: MLPPassBuffers
    ) -> Double {
        let units = layout.units, last = layout.layerCount - 1
        MLPKernels.forward(rows: rows, input: input, layout: layout, parameters: parameters, activation: activation,
                           activations: buffers.activations)
        let loss = MLPOutputLayer.lossAndDelta(
            buffers.activations[last], rows: rows, columns: units[last + 1], bias: parameters + layout.interceptOffsets[last],
            output, targets: targets, delta: buffers.deltas[last])
        let columnSums = buffers.columnSums
        for layer in stride(from: last, through: 0, by: -1) {
            let fanIn = units[layer], fanOut = units[layer + 1]
            let source = layer == 0 ? input : UnsafePointer(buffers.activations[layer - 1])
            let delta = buffers.deltas[layer]
            // coefs_grad[l] (+)= scale · Aᵀ·δ
            BLAS.gemm(m: fanIn, n: fanOut, k: rows, source, lda: fanIn, transposeA: true, delta, ldb: fanOut,
                      alpha: scale, beta: first ? 0 : 1, into: partial + layout.coefficientOffsets[layer], ldc: fanOut)
            // intercepts_grad[l] (+)= scale · Σ_rows δ
            for j in 0..<fanOut { columnSums[j] = 0 }
            for r in 0..<rows {
                let row = delta + r * fanOut
                for j in 0..<fanOut { columnSums[j] += row[j] }
            }
            let intercepts = partial + layout.interceptOffsets[layer]
            if first {
                for j in 0..<fanOut { intercepts[j] = scale * columnSums[j] }
            } else {
                for j in 0..<fanOut { intercepts[j] += scale * columnSums[j] }
            }
            if layer > 0 {
                // δ[l−1] = δ[l]·W[l]ᵀ ⊙ f′(A[l−1])
                BLAS.gemm(m: rows, n: fanIn, k: fanOut, delta, lda: fanOut, parameters + layout.coefficientOffsets[layer],
                          ldb: fanOut, transposeB: true, beta: 0, into: buffers.deltas[layer - 1], ldc: fanIn)
                MLPKernels.derive(buffers.deltas[layer - 1], activations: buffers.activations[layer - 1], count: rows * fanIn,
                                  activation)
            }
        }
        return loss
    }

    /// The forward pass of `rows` rows (at most ``passRows``), leaving the outputs in
    /// `buffers.outputs`.
    ///
    /// - Complexity: O(rows × Σ units[l]·units[l+1]).
    func predict(rows: Int, input: UnsafePointer<Double>, buffers: MLPPassBuffers) {
        let last = layout.layerCount - 1
        MLPKernels.forward(rows: rows, input: input, layout: layout, parameters: parameters, activation: activation,
                           activations: buffers.activations)
        MLPOutputLayer.apply(buffers.activations[last], rows: rows, columns: layout.units[last + 1],
                             bias: parameters + layout.interceptOffsets[last], output)
    }
}
