import Foundation
import LinearAlgebra
import Testing
@testable import Estimators

@Suite("Tree ensembles: RandomForest and GradientBoosting classifiers and regressors")
struct EnsembleEstimatorTests {
    static let classifiers = ["RandomForestClassifier", "GradientBoostingClassifier"]
    static let regressors = ["RandomForestRegressor", "GradientBoostingRegressor"]

    @Test("test scores are within 0.02 of scikit-learn's or better",
          arguments: TreesReference.cases("RandomForest", "GradientBoosting"))
    func scoreParity(_ reference: TreesReference.ScoreCase) throws {
        let score = try TreesReference.score(reference)
        print("parity \(reference.testDescription): \(reference.metric) \(score) vs scikit-learn \(reference.score)")
        #expect(score >= reference.score - (try TreesReference.shared.get().tolerance))
    }

    @Test("hyper-parameters have scikit-learn's names and defaults")
    func schemas() {
        func defaults(_ estimator: any Estimator.Type) -> [String: HyperParameterValue] {
            Dictionary(uniqueKeysWithValues: estimator.hyperParameters.parameters.map { ($0.name, $0.defaultValue) })
        }
        let forest: [String: HyperParameterValue] = [
            "n_estimators": 100, "max_depth": .none, "min_samples_split": 2, "min_samples_leaf": 1, "bootstrap": true, "random_state": .none,
        ]
        #expect(defaults(RandomForestClassifier.self) == forest.merging(["criterion": "gini", "max_features": "sqrt"]) { $1 })
        #expect(defaults(RandomForestRegressor.self) == forest.merging(["criterion": "squared_error", "max_features": .none]) { $1 })
        let boosting: [String: HyperParameterValue] = [
            "learning_rate": 0.1, "n_estimators": 100, "subsample": 1.0, "min_samples_split": 2, "min_samples_leaf": 1, "max_depth": 3,
            "random_state": .none,
        ]
        #expect(defaults(GradientBoostingClassifier.self) == boosting.merging(["loss": "log_loss"]) { $1 })
        #expect(defaults(GradientBoostingRegressor.self) == boosting.merging(["loss": "squared_error"]) { $1 })
        #expect(RandomForestClassifier.hyperParameters["max_features"]?.kind == .choice(["sqrt", "log2"]))
    }

    @Test("bad hyper-parameters are refused before fitting")
    func badHyperParameters() {
        let cases: [(String, [String: HyperParameterValue], Int)] = [
            ("RandomForestClassifier", ["n_estimators": 0, "max_features": "half", "bootstrap": 1, "criterion": "squared_error"], 4),
            ("RandomForestRegressor", ["max_features": 3, "min_samples_leaf": 0], 2),
            ("GradientBoostingClassifier", ["learning_rate": -0.1, "subsample": 0, "loss": "exponential", "max_depth": 0], 4),
            ("GradientBoostingRegressor", ["subsample": 1.5, "n_estimators": -3, "max_features": 2], 3),
        ]
        for (name, parameters, count) in cases {
            let error = estimatorError { _ = try EstimatorCatalog.standard.makeEstimator(named: name, hyperParameters: parameters) }
            guard case .invalidHyperParameters(let estimator, let problems) = error else {
                Issue.record("\(name): expected invalidHyperParameters, got \(String(describing: error))")
                continue
            }
            #expect(estimator == name)
            #expect(problems.count == count, "\(name): \(problems)")
        }
    }

    @Test("a grower reused for several trees (boosting stages) grows each as a new grower does",
          arguments: zip([1, 2], [3, 5]))
    func reusedGrower(_ threads: Int, _ maxFeatures: Int) throws {
        let (x, y) = TreeTestSupport.regression(rows: 600)
        guard case .values(let values) = y else { return }
        let binned = BinnedFeatures(x, threads: threads)
        let limits = TreeLimits(maxDepth: 4, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: maxFeatures)
        let reused = TreeGrower(binned: binned, criterion: UnitSquaredErrorCriterion(), limits: limits, threads: threads, parallelWork: 1, histogramSetRows: 8)
        for stage in 0..<3 {
            let weights = (0..<600).map { Double(($0 + stage) % 3 == 0 ? 0 : 1) }
            let targets = values.map { $0 * Double(stage + 1) }
            var first = RandomSource(seed: UInt64(stage)), second = RandomSource(seed: UInt64(stage))
            let fresh = TreeGrower(binned: binned, criterion: UnitSquaredErrorCriterion(), limits: limits, threads: threads, parallelWork: 1, histogramSetRows: 8)
                .grow(weights: weights, targets: targets, random: &first)
            let again = reused.grow(weights: weights, targets: targets, random: &second)
            #expect(again.tree.feature == fresh.tree.feature && again.tree.threshold == fresh.tree.threshold)
            #expect(again.tree.values == fresh.tree.values && again.samples == fresh.samples)
        }
    }

    @Test("bad inputs give typed errors", arguments: classifiers + regressors)
    func badInputs(_ name: String) throws {
        try TreeTestSupport.checkBadInputs(name, classifier: name.hasSuffix("Classifier"))
    }

    @Test("the same random_state gives identical predictions on 1 and 2 threads", arguments: classifiers + regressors)
    func reproducibility(_ name: String) throws {
        let classifier = name.hasSuffix("Classifier")
        let (x, y) = classifier ? TreeTestSupport.classification(rows: 300, classes: 3) : TreeTestSupport.regression(rows: 300)
        var parameters: [String: HyperParameterValue] = ["n_estimators": 20, "random_state": 11]
        if name.hasPrefix("Gradient") { parameters["subsample"] = 0.7 }
        let one = try TreeTestSupport.fit(name, parameters, x, y, threads: 1)
        let two = try TreeTestSupport.fit(name, parameters, x, y, threads: 2)
        let again = try TreeTestSupport.fit(name, parameters, x, y, threads: 2)
        let (test, _) = TreeTestSupport.regression(rows: 50, seed: 99)
        #expect(try one.predict(test) == two.predict(test))
        #expect(try two.predict(test) == again.predict(test))
        if let one = one as? any TrainedClassifier, let two = two as? any TrainedClassifier {
            #expect(try one.predictProbabilities(test) == two.predictProbabilities(test))
        }
        parameters["random_state"] = 12
        let other = try TreeTestSupport.fit(name, parameters, x, y, threads: 2)
        #expect(try other.predictRaw(test) != one.predictRaw(test))
    }

    @Test("classifier probabilities are in [0, 1], sum to 1 and give the predicted class", arguments: classifiers)
    func probabilities(_ name: String) throws {
        for classes in [2, 4] {
            let (x, y) = TreeTestSupport.classification(rows: 240, classes: classes)
            let model = try #require(try TreeTestSupport.fit(name, ["n_estimators": 30], x, y) as? any TrainedClassifier)
            let probabilities = try model.predictProbabilities(x)
            let predictions = try model.predictClasses(x)
            #expect(probabilities.columns == classes)
            for i in 0..<x.rows {
                let row = Array(probabilities.row(i))
                #expect(row.allSatisfy { $0 >= 0 && $0 <= 1 })
                #expect(abs(row.reduce(0, +) - 1) < 1e-12)
                #expect(row[predictions[i]] == row.max())
            }
            guard case .classes(let labels, _) = y else { continue }
            #expect(TreesReference.accuracy(predictions.map(Double.init), labels.map(Double.init)) > 0.85, "\(name), \(classes) classes")
        }
    }

    @Test("a forest averages its trees; boosting starts at the mean or the prior log-odds")
    func structure() throws {
        let (x, y) = TreeTestSupport.regression(rows: 200)
        let forest = try #require(try TreeTestSupport.fit("RandomForestRegressor", ["n_estimators": 7, "max_depth": 4], x, y) as? TreeRegressorModel)
        #expect(forest.trees.count == 7 && forest.trees.allSatisfy { $0.depth <= 4 })
        let singles = try forest.trees.map { try TreeRegressorModel(estimatorName: "RandomForestRegressor", featureCount: 5, trees: [$0]).predict(x) }
        let mean = (0..<x.rows).map { i in singles.reduce(0) { $0 + $1[i] } / 7 }
        #expect(maxRelativeDifference(try forest.predict(x), mean) < 1e-12)

        guard case .values(let values) = y else { return }
        let boosted = try #require(try TreeTestSupport.fit("GradientBoostingRegressor", ["n_estimators": 1, "learning_rate": 0], x, y) as? BoostingRegressorModel)
        #expect(abs(boosted.initialPrediction - values.reduce(0, +) / 200) < 1e-12)
        #expect(try boosted.predict(x).allSatisfy { abs($0 - boosted.initialPrediction) < 1e-12 })

        let labels = [Int](repeating: 0, count: 150) + [Int](repeating: 1, count: 50)
        let binary = try #require(
            try TreeTestSupport.fit("GradientBoostingClassifier", ["n_estimators": 3], x, .classes(labels, classCount: 2)) as? BoostingClassifierModel)
        #expect(binary.trees.count == 3 && abs(binary.initialScores[0] - log(50.0 / 150)) < 1e-12)
        let multi = try #require(
            try TreeTestSupport.fit("GradientBoostingClassifier", ["n_estimators": 3], x, .classes(labels.map { $0 * 2 }, classCount: 3)) as? BoostingClassifierModel)
        #expect(multi.trees.count == 9 && multi.initialScores.count == 3)
        #expect(abs(multi.initialScores.reduce(0, +)) < 1e-9)
    }

    @Test("payloads round-trip with identical predictions", arguments: classifiers + regressors)
    func payloadRoundTrip(_ name: String) throws {
        let (x, y) = name.hasSuffix("Classifier") ? TreeTestSupport.classification(rows: 150, classes: 3) : TreeTestSupport.regression(rows: 150)
        let model = try TreeTestSupport.fit(name, ["n_estimators": 10], x, y)
        let restored = try TreeTestSupport.roundTrip(model)
        #expect(restored.estimatorName == name)
        #expect(try restored.predict(x) == model.predict(x))
        if let classifier = model as? any TrainedClassifier {
            #expect(try (restored as? any TrainedClassifier)?.predictProbabilities(x) == classifier.predictProbabilities(x))
        }
    }

    @Test("altered ensemble payloads are refused", arguments: classifiers + regressors)
    func tamperedPayloads(_ name: String) throws {
        let (x, y) = name.hasSuffix("Classifier") ? TreeTestSupport.classification(rows: 120, classes: 3) : TreeTestSupport.regression(rows: 120)
        let model = try TreeTestSupport.fit(name, ["n_estimators": 4, "max_depth": 3], x, y)
        let refuse = { (edit: @escaping (inout [String: Any]) -> Void) throws -> Bool in
            TreeTestSupport.refuses(try TreeTestSupport.tampered(model) { try TreeTestSupport.editFirstTree(&$0, edit) })
        }
        #expect(try refuse { tree in tree["left"] = [-7] + Array((tree["left"] as! [Int]).dropFirst()) })
        #expect(try refuse { tree in tree["right"] = [1] + Array((tree["right"] as! [Int]).dropFirst()) })  // right == left
        #expect(try refuse { tree in tree["feature"] = [-1] + Array((tree["feature"] as! [Int]).dropFirst()) })  // a leaf with children
        #expect(TreeTestSupport.refuses(try TreeTestSupport.tampered(model) { $0["estimatorName"] = "Ridge" }))  // envelope mismatch
        if name.hasPrefix("Gradient") {
            #expect(TreeTestSupport.refuses(try TreeTestSupport.tampered(model) { $0["learningRate"] = -1 }))
            if name.hasSuffix("Classifier") {
                #expect(TreeTestSupport.refuses(try TreeTestSupport.tampered(model) { $0["initialScores"] = [0.5] }))
                #expect(TreeTestSupport.refuses(try TreeTestSupport.tampered(model) { body in
                    body["trees"] = Array((body["trees"] as! [Any]).dropLast())  // not whole stages
                }))
            }
        }
    }

    @Test("a batch large enough for two threads predicts exactly what one row at a time does")
    func twoThreadBatchesEqualSingleRows() throws {
        let (x, y) = TreeTestSupport.classification(rows: 5_000, columns: 6)
        #expect(x.rows >= 4_096, "above the two-thread batch size")
        let model = try #require(try TreeTestSupport.fit(
            "RandomForestClassifier", ["n_estimators": 12, "max_depth": 6, "random_state": 3], x, y) as? TreeClassifierModel)
        let batch = try model.predictProbabilities(x)
        for row in [0, 1, 2_499, 2_500, 2_501, 4_999] {
            let single = try model.predictProbabilities(try rows(x, [row]))
            #expect(Array(batch.row(row)) == Array(single.row(0)), "row \(row)")
        }
        let (rx, ry) = TreeTestSupport.regression(rows: 5_000)
        let boosted = try TreeTestSupport.fit("GradientBoostingRegressor", ["n_estimators": 5, "random_state": 1], rx, ry)
        let all = try boosted.predict(rx)
        for row in [0, 2_500, 4_999] { #expect(all[row] == (try boosted.predict(try rows(rx, [row])))[0], "row \(row)") }
    }

    @Test("single-row predictions of 100 trees of depth 10 take microseconds")
    func singleRowLatency() throws {
        let (x, y) = TreeTestSupport.classification(rows: 4000, columns: 10)
        let model = try TreeTestSupport.fit("RandomForestClassifier", ["max_depth": 10, "random_state": 1], x, y, threads: 2)
        let row = try rows(x, [17])
        var timings: [Duration] = []
        let clock = ContinuousClock()
        for _ in 0..<200 {
            let start = clock.now
            _ = try model.predict(row)
            timings.append(clock.now - start)
        }
        let median = timings.sorted()[timings.count / 2]
        print("single-row predict, 100 trees of depth ≤ 10: p50 \(median)")
        // Release builds take ~10 µs; the bound leaves room for debug builds.
        #expect(median < .milliseconds(2))
    }

    /// Fit timings on a large data set, run on demand: `TREES_BENCHMARK=/tmp/prefix` reads
    /// `prefix.x.f64` (row-major doubles, `TREES_BENCHMARK_COLUMNS` columns, default 40)
    /// and `prefix.y.f64` (class indices), e.g. scikit-learn's `make_classification`;
    /// `TREES_BENCHMARK_ONLY=Forest` times only the estimators whose name contains it.
    @Test("fit timings on a large classification set", .enabled(if: ProcessInfo.processInfo.environment["TREES_BENCHMARK"] != nil))
    func benchmark() throws {
        let environment = ProcessInfo.processInfo.environment
        let prefix = try #require(environment["TREES_BENCHMARK"]), columns = Int(environment["TREES_BENCHMARK_COLUMNS"] ?? "40") ?? 40
        func doubles(_ path: String) throws -> [Double] {
            try Data(contentsOf: URL(fileURLWithPath: path)).withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        }
        let elements = try doubles(prefix + ".x.f64"), labels = try doubles(prefix + ".y.f64").map { Int($0) }
        let x = try Matrix(rows: elements.count / columns, columns: columns, elements: elements)
        let y = Targets.classes(labels, classCount: (labels.max() ?? 0) + 1)
        let runs: [(String, [String: HyperParameterValue])] = [
            ("DecisionTreeClassifier", ["random_state": 0]),
            ("RandomForestClassifier", ["n_estimators": 100, "max_depth": 10, "random_state": 0]),
            ("GradientBoostingClassifier", ["n_estimators": 100, "random_state": 0]),
        ]
        let clock = ContinuousClock()
        let binningStart = clock.now
        _ = BinnedFeatures(x, threads: 2)
        print("benchmark binning \(x.rows)×\(x.columns), 2 threads: \(clock.now - binningStart)")
        let only = environment["TREES_BENCHMARK_ONLY"]
        for (name, parameters) in runs where only.map(name.contains) ?? true {
            let start = clock.now
            let model = try TreeTestSupport.fit(name, parameters, x, y, threads: 2)
            let elapsed = clock.now - start
            let accuracy = TreesReference.accuracy(try model.predict(x), labels.map(Double.init))
            let nodes = (model as? TreeClassifierModel)?.trees.reduce(0) { $0 + $1.nodeCount } ?? 0
            print("benchmark \(name) \(x.rows)×\(x.columns), 2 threads: fit \(elapsed), train accuracy \(accuracy), nodes \(nodes)")
        }
    }
}

extension TrainedModel {
    /// Predictions, with class probabilities appended for classifiers.
    fileprivate func predictRaw(_ x: Matrix) throws -> [Double] {
        let predictions = try predict(x)
        guard let classifier = self as? any TrainedClassifier else { return predictions }
        return predictions + (try classifier.predictProbabilities(x).elements)
    }
}

extension TreeTestSupport {
    /// Checks every bad-input path of a fit and of the fitted model's predictions.
    static func checkBadInputs(_ name: String, classifier: Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (x, y) = classifier ? classification(rows: 60) : regression(rows: 60)
        let parameters: [String: HyperParameterValue] = name.hasPrefix("Decision") ? [:] : ["n_estimators": 5]
        var nanX = x
        nanX[7, 2] = .nan
        #expect(estimatorError({ _ = try fit(name, parameters, nanX, y) }) == .nonFiniteFeature(estimator: name, row: 7, column: 2),
                sourceLocation: sourceLocation)
        var infX = x
        infX[3, 4] = -.infinity
        #expect(estimatorError({ _ = try fit(name, parameters, infX, y) }) == .nonFiniteFeature(estimator: name, row: 3, column: 4),
                sourceLocation: sourceLocation)
        if classifier {
            let one = Targets.classes([Int](repeating: 1, count: 60), classCount: 2)
            #expect(estimatorError({ _ = try fit(name, parameters, x, one) }) == .singleClass(estimator: name), sourceLocation: sourceLocation)
            let outside = Targets.classes([0, 1, 2] + [Int](repeating: 0, count: 57), classCount: 2)
            #expect(estimatorError({ _ = try fit(name, parameters, x, outside) })
                    == .invalidClass(estimator: name, row: 2, value: 2, classCount: 2), sourceLocation: sourceLocation)
            guard case .shapeMismatch = estimatorError({ _ = try fit(name, parameters, x, .values([Double](repeating: 0, count: 60))) }) else {
                Issue.record("real targets accepted by \(name)", sourceLocation: sourceLocation)
                return
            }
        } else {
            var values = [Double](repeating: 1, count: 60)
            values[9] = .infinity
            #expect(estimatorError({ _ = try fit(name, parameters, x, .values(values)) }) == .nonFiniteTarget(estimator: name, row: 9),
                    sourceLocation: sourceLocation)
            values[9] = .nan
            #expect(estimatorError({ _ = try fit(name, parameters, x, .values(values)) }) == .nonFiniteTarget(estimator: name, row: 9),
                    sourceLocation: sourceLocation)
        }
        let short: Targets = classifier ? .classes([0, 1], classCount: 2) : .values([0, 1])
        guard case .shapeMismatch = estimatorError({ _ = try fit(name, parameters, x, short) }) else {
            Issue.record("mismatched y accepted by \(name)", sourceLocation: sourceLocation)
            return
        }
        let empty: Targets = classifier ? .classes([], classCount: 2) : .values([])
        guard case .tooFewSamples = estimatorError({ _ = try fit(name, parameters, Matrix(rows: 0, columns: 5), empty) }) else {
            Issue.record("empty X accepted by \(name)", sourceLocation: sourceLocation)
            return
        }
        let model = try fit(name, parameters, x, y)
        #expect(estimatorError({ _ = try model.predict(Matrix(rows: 2, columns: 4)) })
                == .featureCountMismatch(estimator: name, expected: 5, actual: 4), sourceLocation: sourceLocation)
        var nanTest = Matrix(rows: 3, columns: 5)
        nanTest[1, 3] = .nan
        #expect(estimatorError({ _ = try model.predict(nanTest) }) == .nonFiniteFeature(estimator: name, row: 1, column: 3),
                sourceLocation: sourceLocation)
        #expect(try model.predict(Matrix(rows: 0, columns: 5)).isEmpty, sourceLocation: sourceLocation)
        if let classifierModel = model as? any TrainedClassifier {
            #expect(estimatorError({ _ = try classifierModel.predictProbabilities(Matrix(rows: 1, columns: 6)) })
                    == .featureCountMismatch(estimator: name, expected: 5, actual: 6), sourceLocation: sourceLocation)
        }
    }
}
