import Foundation
import LinearAlgebra
import Scoring
import Synchronization
import Testing
@testable import Estimators

/// Small seeded problems for the perceptron tests.
enum MLPTestData {
    /// Three blobs in 4 dimensions, 40 rows each (class 1 of `classCount` 4 never appears).
    static func blobs(rows: Int = 120, seed: UInt64 = 11) -> (x: Matrix, y: Targets, labels: [Int]) {
        var random = RandomSource(seed: seed)
        let present = [0, 2, 3]
        var labels: [Int] = []
        let x = Matrix(rows: rows, columns: 4) { i, j in
            if j == 0 { labels.append(present[i % 3]) }
            return random.normal() + (j == i % 3 ? 3 : 0)
        }
        return (x, .classes(labels, classCount: 4), labels)
    }

    /// `y = x₀ − 2·x₁ + ½·x₂² + noise` on 150 rows.
    static func regression(rows: Int = 150, seed: UInt64 = 12) -> (x: Matrix, y: Targets) {
        let x = randomMatrix(rows, 3, seed: seed)
        var random = RandomSource(seed: seed + 1)
        return (x, .values((0..<rows).map { x[$0, 0] - 2 * x[$0, 1] + 0.5 * x[$0, 2] * x[$0, 2] + 0.1 * random.normal() }))
    }

    static func fit(_ name: String, _ parameters: [String: HyperParameterValue], _ x: Matrix, _ y: Targets,
                    context: FitContext = FitContext()) throws -> any TrainedModel {
        try EstimatorCatalog.standard.makeEstimator(named: name, hyperParameters: parameters).fit(x, y, context: context)
    }
}

@Suite("MLP: backpropagation, hyper-parameters, determinism, cancellation, progress, payloads")
struct MLPTests {
    // MARK: Gradients

    /// Each output with a matching target kind, with each hidden activation, on 5 rows;
    /// then 300 rows through wider layers, cut into 8 passes in 4 chunks on 2 threads; then
    /// 20 rows through a layer so wide that its products are cut into tiles.
    static let gradientCases: [(MLPActivation, MLPOutputActivation, units: [Int], rows: Int)] =
        MLPActivation.allCases.flatMap { activation in
            [MLPOutputActivation.softmax, .logistic, .identity, .exp].map { (activation, $0, [3, 4, 3, $0 == .softmax ? 3 : 1], 5) }
        } + [(.tanh, .softmax, [40, 100, 3], 300), (.relu, .identity, [40, 100, 1], 300), (.logistic, .logistic, [300, 1_000, 1], 20)]

    @Test("backpropagation matches central finite differences of the penalised batch loss",
          arguments: gradientCases.indices)
    func gradientCheck(_ index: Int) throws {
        let (activation, output, units, rows) = Self.gradientCases[index]
        let layout = try #require(MLPLayout(units: units))
        let features = units[0], alpha = 0.3, scale = 1 / Double(rows)
        let work = MLPBackprop(layout: layout, activation: activation, output: output, batchRows: rows, threads: 2)
        if rows == 300 { #expect(work.passRows == 38 && work.parallelPasses && work.workers.count == 2) }  // 8 passes, 4 chunks
        if rows == 20 { #expect(work.passRows == 5 && work.parallelPasses) }  // 4 passes of 5 × 300 × 1,000 multiply-adds
        var random = RandomSource(seed: UInt64(index + 1))
        let x = (0..<(rows * features)).map { _ in random.normal() }
        let labels = (0..<rows).map { output == .softmax ? $0 % 3 : $0 % 2 }
        let values = (0..<rows).map { _ in output == .exp ? random.uniform(in: 0..<3) : random.normal() }
        let start = (0..<layout.parameterCount).map { _ in 0.5 * random.normal() / Double(features).squareRoot() }
        let classification = output == .softmax || output == .logistic

        func loss(_ parameters: [Double]) -> Double {
            for (i, p) in parameters.enumerated() { work.parameters[i] = p }
            let data = x.withUnsafeBufferPointer { xs in
                labels.withUnsafeBufferPointer { l in
                    values.withUnsafeBufferPointer { v in
                        xs.baseAddress.map { base in
                            let source = MLPBatchSource(x: base, features: features, order: nil, start: 0,
                                                        labels: classification ? l.baseAddress : nil, values: v.baseAddress)
                            return work.gradient(of: source, rows: rows, scale: scale, alphaScale: alpha * scale)
                        } ?? .nan
                    }
                }
            }
            return data * scale + 0.5 * alpha * work.squaredCoefficientNorm() * scale
        }
        _ = loss(start)
        let analytic = Array(UnsafeBufferPointer(start: work.gradient, count: layout.parameterCount))
        let h = 1e-6
        let checked = rows > 5 ? (0..<60).map { _ in random.nextInt(below: layout.parameterCount) } : Array(0..<layout.parameterCount)
        for i in checked {
            var plus = start, minus = start
            plus[i] += h
            minus[i] -= h
            let numeric = (loss(plus) - loss(minus)) / (2 * h)
            #expect(abs(numeric - analytic[i]) <= 1e-6 * max(1, abs(numeric)),
                    "\(activation)/\(output) parameter \(i): backprop \(analytic[i]), finite differences \(numeric)")
        }
    }

    // MARK: Hyper-parameters

    @Test("defaults are scikit-learn's")
    func defaults() throws {
        let resolved = try MLPClassifier.hyperParameters.resolve([:], estimator: "MLPClassifier")
        let settings = try MLPSettings(resolved, estimator: "MLPClassifier")
        #expect(settings.hiddenLayerSizes == [100] && settings.activation == .relu && settings.solver == .adam)
        #expect(settings.alpha == 1e-4 && settings.batchSize == nil && settings.learningRate == .constant)
        #expect(settings.learningRateInit == 1e-3 && settings.powerT == 0.5 && settings.maxIterations == 200)
        #expect(settings.shuffle && settings.seed == 0 && settings.tolerance == 1e-4 && settings.momentum == 0.9)
        #expect(settings.nesterovsMomentum && !settings.earlyStopping && settings.validationFraction == 0.1)
        #expect(settings.beta1 == 0.9 && settings.beta2 == 0.999 && settings.epsilon == 1e-8)
        #expect(settings.iterationsWithoutChange == 10 && settings.maxFunctionEvaluations == 15_000)
        let regressor = try MLPRegressor.hyperParameters.resolve([:], estimator: "MLPRegressor")
        #expect(regressor["loss"] == "squared_error")
        #expect(MLPRegressor.hyperParameters.parameters.map(\.name) == ["loss"] + MLPClassifier.hyperParameters.parameters.map(\.name))
    }

    @Test("hidden_layer_sizes takes an integer or scikit-learn's tuple written as a string")
    func layerSizes() throws {
        let schema = MLPClassifier.hyperParameters
        for (given, expected) in [(HyperParameterValue.int(30), [30]), ("30", [30]), ("64,32", [64, 32]), ("(64, 32)", [64, 32]),
                                  ("[64, 32, 8]", [64, 32, 8]), ("(100,)", [100]), ("()", [])] {
            let resolved = try schema.resolve(["hidden_layer_sizes": given], estimator: "MLPClassifier")
            #expect(resolved.integers("hidden_layer_sizes") == expected, "\(given)")
        }
        #expect(try schema.resolve(["hidden_layer_sizes": "( 64 , 32 )"], estimator: "MLPClassifier")["hidden_layer_sizes"] == "64,32")
        let batch = try schema.resolve(["batch_size": 32], estimator: "MLPClassifier")
        #expect(batch.int("batch_size") == 32)
        #expect(try schema.resolve([:], estimator: "MLPClassifier")["batch_size"] == "auto")
    }

    @Test("bad hyper-parameters are typed errors naming each of them, all at once")
    func badHyperParameters() throws {
        let error = estimatorError {
            _ = try EstimatorCatalog.standard.makeEstimator(named: "MLPClassifier", hyperParameters: [
                "hidden_layer_sizes": "64,0", "activation": "softplus", "solver": "newton", "alpha": -1, "batch_size": 0,
                "learning_rate": "cyclic", "learning_rate_init": 0, "power_t": -0.5, "max_iter": 0, "tol": -1,
                "momentum": 1.5, "validation_fraction": 1.0, "beta_1": 1.0, "beta_2": -0.1, "epsilon": 0, "n_iter_no_change": 0,
                "max_fun": 0, "shuffle": "yes", "random_state": -1, "warm_start": true,
            ])
        }
        guard case .invalidHyperParameters(let estimator, let problems) = error else {
            Issue.record("expected invalidHyperParameters, got \(String(describing: error))")
            return
        }
        #expect(estimator == "MLPClassifier")
        for name in ["hidden_layer_sizes", "activation", "solver", "alpha", "batch_size", "learning_rate ", "learning_rate_init",
                     "power_t", "max_iter", "tol", "momentum", "validation_fraction", "beta_1", "beta_2", "epsilon",
                     "n_iter_no_change", "max_fun", "shuffle", "random_state", "'warm_start'"] {
            #expect(problems.contains { $0.hasPrefix(name) || $0.contains(name) }, "no problem names \(name): \(problems)")
        }
        #expect(problems.contains("batch_size must be 'auto' or an integer ≥ 1, got 0"))
        #expect(problems.contains("hidden_layer_sizes must hold integers ≥ 1, got 0"))
        #expect(throws: EstimatorError.invalidHyperParameters(estimator: "MLPRegressor", problems: [
            "hidden_layer_sizes must be an integer or integers separated by commas such as '100,50', got 'wide'",
        ])) {
            _ = try EstimatorCatalog.standard.makeEstimator(named: "MLPRegressor", hyperParameters: ["hidden_layer_sizes": "wide"])
        }
        #expect(throws: EstimatorError.invalidHyperParameters(estimator: "MLPRegressor", problems: [
            "validation_fraction must be > 0 when early_stopping is True, got 0.0",
        ])) {
            _ = try EstimatorCatalog.standard.makeEstimator(
                named: "MLPRegressor", hyperParameters: ["early_stopping": true, "validation_fraction": 0])
        }
        #expect(throws: EstimatorError.invalidHyperParameters(estimator: "MLPRegressor", problems: [
            "loss must be one of 'squared_error', 'poisson', got 'huber'",
        ])) {
            _ = try EstimatorCatalog.standard.makeEstimator(named: "MLPRegressor", hyperParameters: ["loss": "huber"])
        }
    }

    @Test("bad input and impossible early-stopping splits are typed errors")
    func badInput() throws {
        let (x, y, labels) = MLPTestData.blobs()
        var poisoned = x
        poisoned[7, 2] = .nan
        #expect(throws: EstimatorError.nonFiniteFeature(estimator: "MLPClassifier", row: 7, column: 2)) {
            _ = try MLPTestData.fit("MLPClassifier", [:], poisoned, y)
        }
        #expect(throws: EstimatorError.singleClass(estimator: "MLPClassifier")) {
            _ = try MLPTestData.fit("MLPClassifier", [:], x, .classes([Int](repeating: 2, count: x.rows), classCount: 4))
        }
        #expect(throws: EstimatorError.fitFailed(estimator: "MLPRegressor", reason: "loss='poisson' needs targets ≥ 0, row 0 is -1.0")) {
            _ = try MLPTestData.fit("MLPRegressor", ["loss": "poisson"], x, .values(labels.map { Double($0) - 1 }))
        }
        let tiny = try rows(x, Array(0..<9))
        #expect(throws: EstimatorError.tooFewSamples(
            estimator: "MLPRegressor", needed: 2, got: 1, reason: "early-stopping validation rows (validation_fraction × rows)")) {
            _ = try MLPTestData.fit("MLPRegressor", ["early_stopping": true], tiny, .values((0..<9).map(Double.init)))
        }
        // Two classes are split by class (as scikit-learn): one row of class 1 cannot be;
        // more classes are split plainly, so a class of one row is no error.
        let twoClasses = [Int](repeating: 0, count: 20) + [1]
        #expect(throws: EstimatorError.tooFewSamples(
            estimator: "MLPClassifier", needed: 2, got: 1, reason: "rows of every class for the stratified early-stopping split")) {
            _ = try MLPTestData.fit("MLPClassifier", ["early_stopping": true], try rows(x, Array(0..<21)),
                                    .classes(twoClasses, classCount: 4))
        }
        let odd = Array(labels[0..<20]) + [1]
        _ = try MLPTestData.fit("MLPClassifier", ["early_stopping": true, "max_iter": 2], try rows(x, Array(0..<21)),
                                .classes(odd, classCount: 4))
        let model = try MLPTestData.fit("MLPClassifier", ["max_iter": 2], x, y)
        #expect(throws: EstimatorError.featureCountMismatch(estimator: "MLPClassifier", expected: 4, actual: 3)) {
            _ = try model.predict(Matrix(rows: 1, columns: 3))
        }
    }

    // MARK: Determinism and threads

    @Test("a fixed random_state gives the same model; another gives another")
    func determinism() throws {
        let (x, y, _) = MLPTestData.blobs()
        for parameters: [String: HyperParameterValue] in [
            ["random_state": 3, "max_iter": 20], ["random_state": 3, "max_iter": 20, "solver": "sgd", "early_stopping": true],
        ] {
            let first = try MLPTestData.fit("MLPClassifier", parameters, x, y).payload()
            let second = try MLPTestData.fit("MLPClassifier", parameters, x, y).payload()
            #expect(first == second)
            var other = parameters
            other["random_state"] = 4
            let third = try #require(try MLPTestData.fit("MLPClassifier", other, x, y) as? MLPClassifierModel)
            #expect(try #require(try EstimatorCatalog.standard.decodeModel(first) as? MLPClassifierModel).network != third.network)
        }
    }

    @Test("the model is the same on 1 or 2 threads (FitContext.threads and BLAS.threadCount)")
    func threads() throws {
        // 600 digits: batches of 200 rows in 8 passes of 25 (4 chunks) on the fit's threads;
        // with 600 hidden units, 25 passes of 8 rows whose products are cut into tiles.
        let all = try loadDataset("digits")
        let x = Matrix(rows: 600, columns: 64) { i, j in all.x[i, j] / 16 }
        let y = Targets.classes((0..<600).map { Int(all.y[$0]) }, classCount: 10)
        let before = BLAS.threadCount
        defer { BLAS.threadCount = before }
        for parameters: [String: HyperParameterValue] in [
            ["max_iter": 4], ["max_iter": 4, "solver": "lbfgs"], ["max_iter": 2, "hidden_layer_sizes": 600],
            ["max_iter": 3, "early_stopping": true, "solver": "sgd"],
        ] {
            var networks: [MLPNetwork] = []
            for threads in [1, 2] {
                BLAS.threadCount = threads
                let model = try MLPTestData.fit("MLPClassifier", parameters, x, y, context: FitContext(threads: threads))
                networks.append(try #require(model as? MLPClassifierModel).network)
            }
            let difference = zip(networks[0].parameters, networks[1].parameters).map { abs($0 - $1) }.max() ?? 0
            #expect(difference == 0, "\(parameters): 1 and 2 threads differ by up to \(difference)")
        }
    }

    // MARK: Cancellation and progress

    @Test("a cancelled flag stops the fit before the first epoch; cancelling during the fit stops it at the next check")
    func cancellation() throws {
        let (x, y, _) = MLPTestData.blobs()
        for name in ["MLPClassifier", "MLPRegressor"] {
            let targets: Targets = name == "MLPClassifier" ? y : .values((0..<x.rows).map { Double($0 % 7) })
            for solver in ["adam", "lbfgs"] {
                let flag = FitCancellation()
                flag.cancel()
                #expect(throws: EstimatorError.cancelled(estimator: name)) {
                    _ = try MLPTestData.fit(name, ["solver": .string(solver)], x, targets, context: FitContext(cancellation: flag))
                }
            }
            let flag = FitCancellation()
            let epochs = Atomic<Int>(0)
            let context = FitContext(cancellation: flag, progress: { step in
                epochs.store(step.iteration, ordering: .relaxed)
                if step.iteration == 3 { flag.cancel() }
            })
            #expect(throws: EstimatorError.cancelled(estimator: name)) {
                _ = try MLPTestData.fit(name, ["max_iter": 500, "tol": 0], x, targets, context: context)
            }
            #expect(epochs.load(ordering: .relaxed) == 3)
        }
        // Within the first epoch: 200,000 batches of one row (far more than 100 ms of work
        // even in release), stopped by the deadline before any epoch ends.
        let large = randomMatrix(200_000, 4, seed: 5)
        let reports = Atomic<Int>(0)
        let deadline = FitContext(cancellation: FitCancellation(timeout: .milliseconds(100)), progress: { _ in
            reports.add(1, ordering: .relaxed)
        })
        #expect(throws: EstimatorError.cancelled(estimator: "MLPClassifier")) {
            _ = try MLPTestData.fit("MLPClassifier", ["batch_size": 1], large, .classes((0..<200_000).map { $0 % 2 }, classCount: 2),
                                    context: deadline)
        }
        #expect(reports.load(ordering: .relaxed) == 0, "stopped inside the first epoch")
    }

    @Test("progress reports every epoch with the loss curve's values and, under early stopping, the validation scores")
    func progress() throws {
        let (x, y, _) = MLPTestData.blobs()
        let steps = Mutex<[FitProgress]>([])
        let context = FitContext(progress: { step in steps.withLock { $0.append(step) } })
        let model = try #require(try MLPTestData.fit("MLPClassifier", ["early_stopping": true, "max_iter": 300], x, y,
                                                     context: context) as? MLPClassifierModel)
        let reported = steps.withLock { $0 }
        let history = model.history
        #expect(reported.count == history.iterations && history.lossCurve.count == history.iterations)
        #expect(reported.map(\.loss) == history.lossCurve.map(Optional.some))
        #expect(reported.map(\.validationScore) == (history.validationScores ?? []).map(Optional.some))
        #expect(reported.allSatisfy { $0.estimator == "MLPClassifier" && $0.maxIterations == 300 })
        #expect(history.converged && history.iterations < 300 && history.bestLoss == nil)
        #expect(history.bestValidationScore == history.validationScores?.max())
        #expect(history.samplesSeen == history.iterations * (x.rows - 12))
        // Without early stopping: the best training loss, no validation scores.
        let plain = try #require(try MLPTestData.fit("MLPClassifier", ["max_iter": 30], x, y) as? MLPClassifierModel)
        #expect(plain.history.validationScores == nil && plain.history.bestLoss == plain.history.lossCurve.min())
        #expect(plain.history.loss == plain.history.lossCurve.last && !plain.history.converged)
        // L-BFGS: one report per iteration, the last with the final loss.
        let lbfgsSteps = Mutex<[FitProgress]>([])
        let lbfgs = try #require(try MLPTestData.fit(
            "MLPClassifier", ["solver": "lbfgs", "max_iter": 8], x, y,
            context: FitContext(progress: { step in lbfgsSteps.withLock { $0.append(step) } })) as? MLPClassifierModel)
        let lbfgsReported = lbfgsSteps.withLock { $0 }
        #expect(lbfgsReported.map(\.iteration) == Array(1...8) && lbfgs.history.iterations == 8)
        #expect(lbfgsReported.last?.loss == lbfgs.history.loss && lbfgsReported.allSatisfy { $0.validationScore == nil })
    }

    // MARK: Predictions and payloads

    @Test("probabilities cover the task's classes (absent ones 0) and predictions are their argmax", arguments: [3, 2])
    func probabilities(_ classes: Int) throws {
        var (x, y, labels) = MLPTestData.blobs()
        if classes == 2 {
            labels = labels.map { $0 == 0 ? 0 : 3 }
            y = .classes(labels, classCount: 4)
        }
        let model = try #require(try MLPTestData.fit("MLPClassifier", ["random_state": 1], x, y) as? MLPClassifierModel)
        #expect(model.classes == (classes == 2 ? [0, 3] : [0, 2, 3]))
        #expect(model.network.units == [4, 100, classes == 2 ? 1 : 3])
        #expect(model.network.output == (classes == 2 ? .logistic : .softmax))
        let probabilities = try model.predictProbabilities(x)
        let predicted = try model.predict(x)
        for i in 0..<x.rows {
            let row = Array(probabilities.row(i))
            #expect(abs(row.reduce(0, +) - 1) < 1e-12 && row[1] == 0)
            #expect(Double(row.indices.max { row[$0] < row[$1] } ?? -1) == predicted[i])
        }
        let accuracy = Double(zip(predicted, labels).filter { Int($0) == $1 }.count) / Double(x.rows)
        #expect(accuracy > 0.9)
    }

    @Test("models survive their payloads exactly; altered payloads are refused",
          arguments: ["MLPClassifier", "MLPRegressor", "MLPRegressor-poisson", "MLPClassifier-lbfgs"])
    func payloadRoundTrip(_ name: String) throws {
        let (x, y, labels) = MLPTestData.blobs()
        let parameters: [String: HyperParameterValue] = name.hasSuffix("poisson") ? ["loss": "poisson", "max_iter": 50]
            : name.hasSuffix("lbfgs") ? ["solver": "lbfgs", "max_iter": 30, "hidden_layer_sizes": "8,5", "activation": "tanh"]
            : ["early_stopping": true, "hidden_layer_sizes": "16,8"]
        let estimator = String(name.prefix { $0 != "-" })
        let targets: Targets = estimator == "MLPClassifier" ? y : .values(labels.map { Double($0) })
        let model = try MLPTestData.fit(estimator, parameters, x, targets)
        let restored = try TreeTestSupport.roundTrip(model)
        #expect(try restored.predict(x) == model.predict(x))
        if let classifier = model as? MLPClassifierModel {
            #expect(restored as? MLPClassifierModel == classifier)
        } else {
            #expect(restored as? MLPRegressorModel == model as? MLPRegressorModel)
        }
        let truncated = try TreeTestSupport.tampered(model) { body in
            var network = try #require(body["network"] as? [String: Any])
            network["parameters"] = MLPPacking.packed([1, 2, 3])
            body["network"] = network
        }
        Self.expectInvalidPayload(truncated, "truncated")
        let wrongOutput = try TreeTestSupport.tampered(model) { body in
            var network = try #require(body["network"] as? [String: Any])
            network["output"] = estimator == "MLPClassifier" ? "identity" : "softmax"
            body["network"] = network
        }
        Self.expectInvalidPayload(wrongOutput, "wrongOutput")
        let nonFinite = try TreeTestSupport.tampered(model) { body in
            var network = try #require(body["network"] as? [String: Any])
            let text = try #require(network["parameters"] as? String)
            var values = try #require(MLPPacking.unpacked(text))
            values[0] = .infinity
            network["parameters"] = MLPPacking.packed(values)
            body["network"] = network
        }
        Self.expectInvalidPayload(nonFinite, "nonFinite")
    }

    // MARK: Solvers

    @Test("the regressor fits a smooth function with each solver; lbfgs stops at max_fun")
    func regressionSolvers() throws {
        let (x, y) = MLPTestData.regression()
        guard case .values(let truth) = y else { return }
        for parameters: [String: HyperParameterValue] in [
            ["hidden_layer_sizes": 20, "max_iter": 1000, "learning_rate_init": 0.01],
            // One SGD step per epoch of 150 rows stops early (r2 ≈ 0.9 for scikit-learn too): batches of 16.
            ["hidden_layer_sizes": 20, "max_iter": 1000, "solver": "sgd", "learning_rate_init": 0.01, "activation": "tanh",
             "batch_size": 16],
            ["hidden_layer_sizes": 20, "solver": "lbfgs", "activation": "tanh"],
        ] {
            let model = try MLPTestData.fit("MLPRegressor", parameters, x, y)
            let predicted = try model.predict(x)
            let r2 = try ScoringCatalog.standard.function(named: "r2").score(truth: truth, predicted: predicted)
            #expect(r2 > 0.95, "\(parameters): r2 \(r2)")
        }
        let capped = try #require(try MLPTestData.fit("MLPRegressor", ["solver": "lbfgs", "max_fun": 5], x, y) as? MLPRegressorModel)
        #expect(capped.history.iterations <= 5 && !capped.history.converged)
    }

    /// Decoding `payload` fails with ``EstimatorError/invalidPayload(_:)`` (not another error).
    static func expectInvalidPayload(_ payload: ModelPayload, _ what: String) {
        let error = #expect(throws: EstimatorError.self, "\(what)") { _ = try EstimatorCatalog.standard.decodeModel(payload) }
        guard case .invalidPayload? = error else {
            Issue.record("\(what): \(String(describing: error)) is not invalidPayload")
            return
        }
    }

}
