import LinearAlgebra

extension MLPTrainer {
    /// The most rows per pass of the full-batch loss (when the layers are too wide for the
    /// fit's own threads; otherwise passes are smaller).
    static let lbfgsPassRows = 1_024

    /// `_fit_lbfgs`: the full-batch loss and gradient minimized by this library's L-BFGS,
    /// configured as scikit-learn calls SciPy's L-BFGS-B for the perceptrons: at most
    /// `max_iter` iterations and `max_fun` loss evaluations, `gtol = tol`, SciPy's default
    /// `ftol` (2.2e-9) and 20 line-search evaluations.
    ///
    /// The loss is scikit-learn's mean loss over all rows plus `alpha/(2·rows)·Σ‖W‖²`,
    /// over all rows in passes of at most ``lbfgsPassRows`` rows (see ``MLPBackprop``). Each
    /// iteration is reported to the context's progress with its loss, and cancellation is
    /// checked before each.
    ///
    /// - Throws: ``EstimatorError/cancelled(estimator:)``.
    /// - Complexity: O(evaluations × rows × Σ units[l]·units[l+1]).
    func fitLBFGS(_ x: Matrix, _ targets: MLPTargets, initial: [Double]) throws(EstimatorError) -> MLPFitResult {
        let rows = x.rows, features = layout.units[0]
        let work = MLPBackprop(layout: layout, activation: settings.activation, output: output,
                               batchRows: Swift.min(rows, Self.lbfgsPassRows), threads: context.threads)
        let counter = EvaluationCounter()
        let alpha = settings.alpha, scale = 1 / Double(rows)
        var solver = LBFGS(maxIterations: settings.maxIterations, gradientTolerance: settings.tolerance)
        solver.functionTolerance = 2.2204460492503131e-09
        solver.maxLineSearchEvaluations = 20
        let maxFun = settings.maxFunctionEvaluations
        solver.isCancelled = { context.isCancelled || counter.evaluations > maxFun }
        let (estimator, maxIterations) = (self.estimator, settings.maxIterations)
        solver.iterationEnded = { iteration, loss in
            context.report(FitProgress(estimator: estimator, iteration: iteration, maxIterations: maxIterations, loss: loss))
        }
        let (labels, values): ([Int], [Double])
        switch targets {
        case .classes(let positions, _): (labels, values) = (positions, [])
        case .values(let real): (labels, values) = ([], real)
        }
        let result: LBFGS.Result
        do throws(LinearAlgebraError) {
            result = try x.withUnsafeElements { (xs) throws(LinearAlgebraError) -> LBFGS.Result in
                guard let base = xs.baseAddress else { throw .invalidArgument(operation: "MLP", reason: "X is empty") }
                return try solver.minimize(from: initial) { (theta) throws(LinearAlgebraError) in
                    counter.evaluations += 1
                    theta.withUnsafeBufferPointer { if let base = $0.baseAddress { work.parameters.update(from: base, count: $0.count) } }
                    var loss = labels.withUnsafeBufferPointer { labelBuffer in
                        values.withUnsafeBufferPointer { valueBuffer in
                            let source = MLPBatchSource(
                                x: base, features: features, order: nil, start: 0,
                                labels: labels.isEmpty ? nil : labelBuffer.baseAddress, values: valueBuffer.baseAddress)
                            return work.gradient(of: source, rows: rows, scale: scale, alphaScale: alpha * scale)
                        }
                    }
                    loss = loss * scale + 0.5 * alpha * work.squaredCoefficientNorm() * scale
                    return (loss, Array(UnsafeBufferPointer(start: work.gradient, count: layout.parameterCount)))
                }
            }
        } catch {
            throw .linearAlgebra(estimator: estimator, error)
        }
        if result.status == .cancelled && context.isCancelled { throw .cancelled(estimator: estimator) }
        let converged = result.status == .gradientConverged || result.status == .functionConverged
        let history = MLPFitHistory(
            iterations: result.iterations, samplesSeen: 0, loss: result.value, lossCurve: [], bestLoss: nil, validationScores: nil,
            bestValidationScore: nil, converged: converged)
        return MLPFitResult(parameters: result.x, history: history)
    }
}

/// Loss evaluations of one L-BFGS fit (read by the solver's stop check).
private final class EvaluationCounter {
    var evaluations = 0
}
