import Foundation
import LinearAlgebra

/// What a perceptron is fitted to.
enum MLPTargets {
    /// Class positions in `0..<count` (the classes present in the training data).
    case classes([Int], count: Int)
    /// Real values.
    case values([Double])
}

/// A fitted perceptron's parameters and how the fit went.
struct MLPFitResult {
    var parameters: [Double]
    var history: MLPFitHistory
}

/// Fits a perceptron as scikit-learn's `BaseMultilayerPerceptron._fit` does: Glorot-uniform
/// initial weights, then `_fit_stochastic` (mini-batches of shuffled rows, Adam or SGD,
/// the "no improvement" counter on the training loss or on the early-stopping validation
/// score) or `_fit_lbfgs`.
///
/// All random draws — initial weights, then the validation split, then one shuffle per
/// epoch, in scikit-learn's order — come from one ``RandomSource`` seeded by
/// `random_state`. The numbers do not depend on the number of threads (see
/// ``MLPBackprop``; tested).
struct MLPTrainer {
    let estimator: String
    let settings: MLPSettings
    let layout: MLPLayout
    let output: MLPOutputActivation
    let context: FitContext

    /// Batches between two cancellation checks inside an epoch.
    static let batchesPerCancellationCheck = 32

    /// The Glorot-uniform initial weights: every coefficient and intercept of layer `l`
    /// uniform in `±√(factor / (fan_in + fan_out))`, factor 2 for the logistic activation
    /// and 6 otherwise, drawn layer by layer (coefficients, then intercepts).
    ///
    /// - Complexity: O(parameters).
    static func initialParameters(_ layout: MLPLayout, activation: MLPActivation, random: inout RandomSource) -> [Double] {
        var parameters = [Double](repeating: 0, count: layout.parameterCount)
        let factor = activation == .logistic ? 2.0 : 6.0
        for layer in 0..<layout.layerCount {
            let fanIn = layout.units[layer], fanOut = layout.units[layer + 1]
            let bound = (factor / Double(fanIn + fanOut)).squareRoot()
            let coefficients = layout.coefficientOffsets[layer]
            for i in 0..<(fanIn * fanOut) { parameters[coefficients + i] = random.uniform(in: -bound..<bound) }
            let intercepts = layout.interceptOffsets[layer]
            for j in 0..<fanOut { parameters[intercepts + j] = random.uniform(in: -bound..<bound) }
        }
        return parameters
    }

    /// Fits the parameters to `x` and `targets`.
    ///
    /// - Throws: ``EstimatorError/cancelled(estimator:)``, the split's
    ///   ``EstimatorError/tooFewSamples(estimator:needed:got:reason:)``, or
    ///   ``EstimatorError/fitFailed(estimator:reason:)`` when the weights become
    ///   non-finite.
    /// - Complexity: O(epochs × rows × Σ units[l]·units[l+1]).
    func fit(_ x: Matrix, _ targets: MLPTargets) throws(EstimatorError) -> MLPFitResult {
        var random = RandomSource(seed: settings.seed)
        let initial = Self.initialParameters(layout, activation: settings.activation, random: &random)
        let result: MLPFitResult
        if settings.solver == .lbfgs {
            result = try fitLBFGS(x, targets, initial: initial)
        } else {
            result = try x.withUnsafeElements { (xs) throws(EstimatorError) -> MLPFitResult in
                guard let base = xs.baseAddress else { throw .shapeMismatch(estimator: estimator, details: "X is empty") }
                return try fitStochastic(base, rows: x.rows, targets, initial: initial, random: &random)
            }
        }
        guard result.parameters.allSatisfy(\.isFinite) else {
            throw .fitFailed(
                estimator: estimator,
                reason: "the solver produced non-finite weights: the input may contain large values and need scaling")
        }
        return result
    }

    /// ``RandomSource/shuffle(_:)`` written for `[Int]` (the same draws and swaps): the
    /// generic one is not specialized across modules and cost 5% of a digits fit.
    ///
    /// - Complexity: O(count).
    static func shuffle(_ order: inout [Int], _ random: inout RandomSource) {
        guard order.count > 1 else { return }
        order.withUnsafeMutableBufferPointer { buffer in
            for i in stride(from: buffer.count - 1, to: 0, by: -1) {
                let j = random.nextInt(below: i + 1)
                if i != j { buffer.swapAt(i, j) }
            }
        }
    }

    /// `_fit_stochastic`.
    private func fitStochastic(
        _ x: UnsafePointer<Double>, rows: Int, _ targets: MLPTargets, initial: [Double], random: inout RandomSource
    ) throws(EstimatorError) -> MLPFitResult {
        let features = layout.units[0]
        let labels: [Int], values: [Double], classCount: Int
        switch targets {
        case let .classes(positions, count): (labels, values, classCount) = (positions, [], count)
        case let .values(real): (labels, values, classCount) = ([], real, 0)
        }
        var order = Array(0..<rows), validation: [Int] = []
        if settings.earlyStopping {
            // scikit-learn stratifies only a single output column: two classes.
            (order, validation) = try MLPValidationSplit.split(
                rows: rows, fraction: settings.validationFraction, labels: classCount == 2 ? labels : nil, classCount: classCount,
                random: &random, estimator: estimator)
        }
        let trainCount = order.count
        let batchSize = Swift.min(Swift.max(settings.batchSize ?? 200, 1), trainCount)
        // Rows are read in place when they are the training matrix's own, in order.
        let inPlace = !settings.shuffle && !settings.earlyStopping
        let work = MLPBackprop(layout: layout, activation: settings.activation, output: output, batchRows: batchSize,
                               threads: context.threads)
        initial.withUnsafeBufferPointer { if let base = $0.baseAddress { work.parameters.update(from: base, count: $0.count) } }
        var optimizer = MLPOptimizer(settings, parameterCount: layout.parameterCount)
        let scorer = MLPValidationScorer(rows: validation, labels: labels, values: values, classification: classCount > 0)
        var best = initial
        var history = MLPFitHistory(
            iterations: 0, samplesSeen: 0, loss: .nan, lossCurve: [], bestLoss: settings.earlyStopping ? nil : .infinity,
            validationScores: settings.earlyStopping ? [] : nil, bestValidationScore: settings.earlyStopping ? -.infinity : nil,
            converged: false)
        var noImprovement = 0
        let alpha = settings.alpha
        for _ in 0..<settings.maxIterations {
            try context.checkCancellation(estimator)
            if settings.shuffle { Self.shuffle(&order, &random) }
            var accumulated = 0.0, start = 0, batch = 0
            while start < trainCount {
                let end = Swift.min(start + batchSize, trainCount), count = end - start
                batch += 1
                if batch % Self.batchesPerCancellationCheck == 0 { try context.checkCancellation(estimator) }
                let scale = 1 / Double(count)
                var loss = order.withUnsafeBufferPointer { rows in
                    labels.withUnsafeBufferPointer { labelBuffer in
                        values.withUnsafeBufferPointer { valueBuffer in
                            let source = MLPBatchSource(
                                x: x, features: features, order: inPlace ? nil : rows.baseAddress.map { $0 + start },
                                start: start, labels: classCount > 0 ? labelBuffer.baseAddress : nil,
                                values: classCount > 0 ? nil : valueBuffer.baseAddress)
                            return work.gradient(of: source, rows: count, scale: scale, alphaScale: alpha * scale)
                        }
                    }
                } * scale
                if alpha > 0 { loss += 0.5 * alpha * work.squaredCoefficientNorm() * scale }
                accumulated += loss * Double(count)
                optimizer.update(work.parameters, gradient: work.gradient)
                start = end
            }
            history.iterations += 1
            history.loss = accumulated / Double(trainCount)
            history.samplesSeen += trainCount
            history.lossCurve.append(history.loss)
            var score: Double?
            if settings.earlyStopping {
                let value = scorer.score(x, features: features, work: work)
                score = value
                history.validationScores?.append(value)
                let bestScore = history.bestValidationScore ?? -.infinity
                noImprovement = value < bestScore + settings.tolerance ? noImprovement + 1 : 0
                if value > bestScore {
                    history.bestValidationScore = value
                    best.withUnsafeMutableBufferPointer { $0.baseAddress?.update(from: work.parameters, count: $0.count) }
                }
            } else {
                let bestLoss = history.bestLoss ?? .infinity
                noImprovement = history.loss > bestLoss - settings.tolerance ? noImprovement + 1 : 0
                if history.loss < bestLoss { history.bestLoss = history.loss }
            }
            context.report(FitProgress(estimator: estimator, iteration: history.iterations, maxIterations: settings.maxIterations,
                                       loss: history.loss, validationScore: score))
            optimizer.iterationEnds(samplesSeen: history.samplesSeen)
            if noImprovement > settings.iterationsWithoutChange {
                if optimizer.shouldStop() {
                    history.converged = true
                    break
                }
                noImprovement = 0
            }
        }
        if settings.earlyStopping { return MLPFitResult(parameters: best, history: history) }
        let parameters = Array(UnsafeBufferPointer(start: work.parameters, count: layout.parameterCount))
        return MLPFitResult(parameters: parameters, history: history)
    }
}

/// The early-stopping score on the validation rows: accuracy for classifiers, r2 for
/// regressors (NaN when an output is not finite, as scikit-learn's `_score`).
struct MLPValidationScorer {
    let rows: [Int]
    let labels: [Int]
    let values: [Double]
    let classification: Bool
    /// `Σ (y − ȳ)²` over the validation rows (regressors).
    let totalSquares: Double

    init(rows: [Int], labels: [Int], values: [Double], classification: Bool) {
        self.rows = rows
        self.labels = labels
        self.values = values
        self.classification = classification
        if classification || rows.isEmpty {
            totalSquares = 0
        } else {
            let mean = rows.reduce(0.0) { $0 + values[$1] } / Double(rows.count)
            totalSquares = rows.reduce(0.0) { $0 + (values[$1] - mean) * (values[$1] - mean) }
        }
    }

    /// The score of the current parameters in `work`, predicting the rows in passes of
    /// `work.passRows` on the first worker's buffers.
    ///
    /// - Complexity: O(validation rows × Σ units[l]·units[l+1]).
    func score(_ x: UnsafePointer<Double>, features: Int, work: MLPBackprop) -> Double {
        let width = work.layout.units[work.layout.layerCount]
        let buffers = work.workers[0]
        var correct = 0, residualSquares = 0.0, finite = true
        var start = 0
        while start < rows.count {
            let count = Swift.min(work.passRows, rows.count - start)
            for r in 0..<count { (buffers.input + r * features).update(from: x + rows[start + r] * features, count: features) }
            work.predict(rows: count, input: buffers.input, buffers: buffers)
            let outputs = buffers.outputs
            for r in 0..<count {
                let row = rows[start + r]
                if classification {
                    if MLPOutputLayer.predictedClass(outputs + r * width, columns: width) == labels[row] { correct += 1 }
                } else {
                    let predicted = outputs[r]
                    if !predicted.isFinite { finite = false }
                    residualSquares += (values[row] - predicted) * (values[row] - predicted)
                }
            }
            start += count
        }
        if classification { return Double(correct) / Double(rows.count) }
        guard finite else { return .nan }
        // scikit-learn's r2_score with force_finite: a constant truth scores 1 if matched exactly, else 0.
        if totalSquares == 0 { return residualSquares == 0 ? 1 : 0 }
        return 1 - residualSquares / totalSquares
    }
}
