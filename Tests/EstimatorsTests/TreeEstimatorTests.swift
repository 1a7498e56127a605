import Foundation
import LinearAlgebra
import Testing
@testable import Estimators

// MARK: - The scikit-learn reference fixture (shared with EnsembleEstimatorTests)

/// `Fixtures/trees_reference.json`, written by `Scripts/reference/trees_reference.py`.
struct TreesReference: Decodable, Sendable {
    /// scikit-learn's test score of one estimator on one data set.
    struct ScoreCase: Decodable, Sendable, CustomTestStringConvertible {
        let dataset: String
        let estimator: String
        let hyperParameters: [String: ReferenceParameter]
        let metric: String
        let score: Double

        var parameters: [String: HyperParameterValue] { hyperParameters.mapValues(\.value) }
        var testDescription: String {
            "\(estimator) on \(dataset) " + parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }.joined(separator: " ")
        }
    }

    /// A shallow tree scikit-learn grows without ties.
    struct ExactTree: Decodable, Sendable, CustomTestStringConvertible {
        struct Arrays: Decodable, Sendable {
            let feature: [Int]
            let threshold: [Double]
            let left: [Int]
            let right: [Int]
        }

        let name: String
        let estimator: String
        let hyperParameters: [String: ReferenceParameter]
        let dataset: String?
        let x: [[Double]]?
        let y: [Double]?
        let tree: Arrays

        var testDescription: String { name }
    }

    let sklearnVersion: String
    let splits: [String: [Int]]
    let cases: [ScoreCase]
    let exactTrees: [ExactTree]
    let tolerance: Double

    /// Decoded once for every test.
    static let shared = Result { try loadFixture(TreesReference.self, "trees_reference.json") }

    /// The score cases of estimators whose name starts with `prefix` (empty when the
    /// fixture does not load; `fixtureLoads` then fails).
    static func cases(_ prefixes: String...) -> [ScoreCase] {
        ((try? shared.get().cases) ?? []).filter { c in prefixes.contains { c.estimator.hasPrefix($0) } }
    }

    /// The training and test rows of a data set, split as in the fixture.
    static func data(_ dataset: String, classifier: Bool) throws -> (x: Matrix, y: Targets, test: Matrix, truth: [Double]) {
        let all = try loadDataset(dataset)
        let testRows = try #require(try shared.get().splits[dataset])
        let testSet = Set(testRows)
        let trainRows = (0..<all.x.rows).filter { !testSet.contains($0) }
        let yTrain = trainRows.map { all.y[$0] }
        let targets: Targets = classifier
            ? .classes(yTrain.map { Int($0) }, classCount: Int(all.y.max() ?? 0) + 1) : .values(yTrain)
        return (try rows(all.x, trainRows), targets, try rows(all.x, testRows), testRows.map { all.y[$0] })
    }

    /// Fits a score case and returns our score on its test rows.
    static func score(_ reference: ScoreCase, threads: Int = 2) throws -> Double {
        let classifier = reference.metric == "accuracy"
        let (x, y, test, truth) = try data(reference.dataset, classifier: classifier)
        let estimator = try EstimatorCatalog.standard.makeEstimator(named: reference.estimator, hyperParameters: reference.parameters)
        let predictions = try estimator.fit(x, y, context: FitContext(threads: threads)).predict(test)
        return classifier ? accuracy(predictions, truth) : r2(predictions, truth)
    }

    static func accuracy(_ predicted: [Double], _ truth: [Double]) -> Double {
        Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(truth.count)
    }

    static func r2(_ predicted: [Double], _ truth: [Double]) -> Double {
        let mean = truth.reduce(0, +) / Double(truth.count)
        let residual = zip(predicted, truth).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let total = truth.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return 1 - residual / total
    }
}

/// Helpers for the tree and ensemble tests.
enum TreeTestSupport {
    /// A seeded two-class problem: the class is whether `x₀ + x₁ > 0` (10% labels flipped).
    static func classification(rows: Int, columns: Int = 5, classes: Int = 2, seed: UInt64 = 3) -> (x: Matrix, y: Targets) {
        let x = randomMatrix(rows, columns, seed: seed)
        var random = RandomSource(seed: seed + 1)
        let labels = (0..<rows).map { i -> Int in
            let score = x[i, 0] + x[i, 1]
            let label = classes == 2 ? (score > 0 ? 1 : 0) : min(classes - 1, max(0, Int((score + 2) / 4 * Double(classes))))
            return random.nextDouble() < 0.1 ? random.nextInt(below: classes) : label
        }
        return (x, .classes(labels, classCount: classes))
    }

    /// A seeded regression problem: `y = 3·x₀ − 2·x₁² + noise`.
    static func regression(rows: Int, columns: Int = 5, seed: UInt64 = 5) -> (x: Matrix, y: Targets) {
        let x = randomMatrix(rows, columns, seed: seed)
        var random = RandomSource(seed: seed + 1)
        return (x, .values((0..<rows).map { 3 * x[$0, 0] - 2 * x[$0, 1] * x[$0, 1] + 0.1 * random.normal() }))
    }

    /// The model restored through payload bytes and the standard catalog.
    static func roundTrip(_ model: any TrainedModel) throws -> any TrainedModel {
        let decoded = try ModelPayload(decoding: try model.payload().encoded())
        return try EstimatorCatalog.standard.decodeModel(decoded)
    }

    /// `model`'s payload with its JSON body edited.
    static func tampered(_ model: any TrainedModel, _ edit: (inout [String: Any]) throws -> Void) throws -> ModelPayload {
        var payload = try model.payload()
        var body = try #require(try JSONSerialization.jsonObject(with: payload.body) as? [String: Any])
        try edit(&body)
        payload.body = try JSONSerialization.data(withJSONObject: body)
        return payload
    }

    /// Edits one array of the first tree of a tampered body: the edit sees the node arrays
    /// as numbers (`[Int]`, `[Double]`), which are stored again as payload version 2 writes
    /// them (base64 of little-endian bytes), so the edit goes through the written format.
    static func editFirstTree(_ body: inout [String: Any], _ edit: (inout [String: Any]) -> Void) throws {
        var trees = try #require(body["trees"] as? [[String: Any]])
        var tree = try unpacked(trees[0])
        edit(&tree)
        trees[0] = try packed(tree)
        body["trees"] = trees
    }

    static let int32Keys = ["feature", "left", "right"]
    static let doubleKeys = ["threshold", "values"]

    /// A tree's JSON object with its base64 node arrays as numbers (payload version 1's form).
    static func unpacked(_ tree: [String: Any]) throws -> [String: Any] {
        var tree = tree
        for key in int32Keys + doubleKeys {
            let text = try #require(tree[key] as? String)
            let data = try #require(Data(base64Encoded: text))
            if int32Keys.contains(key) {
                tree[key] = stride(from: 0, to: data.count, by: 4).map { offset in
                    Int(Int32(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int32.self) }))
                }
            } else {
                tree[key] = stride(from: 0, to: data.count, by: 8).map { offset in
                    Double(bitPattern: UInt64(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }))
                }
            }
        }
        return tree
    }

    /// A tree's JSON object with number node arrays stored as base64 little-endian bytes.
    static func packed(_ tree: [String: Any]) throws -> [String: Any] {
        var tree = tree
        for key in int32Keys {
            var data = Data()
            for value in try #require(tree[key] as? [Int]) { withUnsafeBytes(of: Int32(truncatingIfNeeded: value).littleEndian) { data.append(contentsOf: $0) } }
            tree[key] = data.base64EncodedString()
        }
        for key in doubleKeys {
            var data = Data()
            for value in try #require(tree[key] as? [Double]) { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            tree[key] = data.base64EncodedString()
        }
        return tree
    }

    /// Whether the catalog refuses `payload` with `.invalidPayload`.
    static func refuses(_ payload: ModelPayload, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let error = estimatorError({ _ = try EstimatorCatalog.standard.decodeModel(payload) }, sourceLocation: sourceLocation) else {
            return false
        }
        if case .invalidPayload = error { return true }
        Issue.record("expected invalidPayload, got \(error)", sourceLocation: sourceLocation)
        return false
    }

    /// Fits `name` from the standard catalog.
    static func fit(_ name: String, _ parameters: [String: HyperParameterValue] = [:], _ x: Matrix, _ y: Targets, threads: Int = 1) throws
        -> any TrainedModel
    {
        try EstimatorCatalog.standard.makeEstimator(named: name, hyperParameters: parameters).fit(x, y, context: FitContext(threads: threads))
    }
}

// MARK: - Tests

@Suite("Decision trees: DecisionTreeClassifier, DecisionTreeRegressor")
struct TreeEstimatorTests {
    @Test("the fixture loads and comes from scikit-learn 1.9.1")
    func fixtureLoads() throws {
        let fixture = try TreesReference.shared.get()
        #expect(fixture.sklearnVersion == "1.9.1")
        #expect(Set(fixture.cases.map(\.estimator)).count == 6)
        #expect(!fixture.exactTrees.isEmpty, "the exact-split cases are parameterized from the fixture")
    }

    @Test("test scores are within 0.02 of scikit-learn's or better", arguments: TreesReference.cases("DecisionTree"))
    func scoreParity(_ reference: TreesReference.ScoreCase) throws {
        let score = try TreesReference.score(reference)
        print("parity \(reference.testDescription): \(reference.metric) \(score) vs scikit-learn \(reference.score)")
        #expect(score >= reference.score - (try TreesReference.shared.get().tolerance))
    }

    @Test("shallow trees choose scikit-learn's features, thresholds and children", arguments: (try? TreesReference.shared.get().exactTrees) ?? [])
    func exactSplits(_ reference: TreesReference.ExactTree) throws {
        let x: Matrix, y: Targets
        let classifier = reference.estimator == "DecisionTreeClassifier"
        if let dataset = reference.dataset {
            (x, y, _, _) = try TreesReference.data(dataset, classifier: classifier)
        } else {
            x = try Matrix(try #require(reference.x))
            let values = try #require(reference.y)
            y = classifier ? .classes(values.map { Int($0) }, classCount: Int(values.max() ?? 0) + 1) : .values(values)
        }
        let model = try TreeTestSupport.fit(reference.estimator, reference.hyperParameters.mapValues(\.value), x, y)
        let tree = try #require(classifier ? (model as? TreeClassifierModel)?.trees.first : (model as? TreeRegressorModel)?.trees.first)
        #expect(tree.feature.map(Int.init) == reference.tree.feature)
        #expect(tree.left.map(Int.init) == reference.tree.left)
        #expect(tree.right.map(Int.init) == reference.tree.right)
        // scikit-learn computes thresholds in float32.
        #expect(maxRelativeDifference(tree.threshold, reference.tree.threshold) < 1e-6)
    }

    @Test("hyper-parameters have scikit-learn's names and defaults")
    func schemas() {
        let shared: [String: HyperParameterValue] = [
            "max_depth": .none, "min_samples_split": 2, "min_samples_leaf": 1, "max_features": .none, "random_state": .none,
        ]
        for (estimator, criterion) in [(DecisionTreeClassifier.self as any Estimator.Type, "gini"), (DecisionTreeRegressor.self, "squared_error")] {
            let schema = estimator.hyperParameters
            #expect(Dictionary(uniqueKeysWithValues: schema.parameters.map { ($0.name, $0.defaultValue) }) == shared.merging(["criterion": .string(criterion)]) { $1 })
        }
        #expect(DecisionTreeClassifier.hyperParameters["criterion"]?.kind == .choice(["gini", "entropy", "log_loss"]))
        #expect(DecisionTreeRegressor.task == .regression && DecisionTreeClassifier.task == .classification)
    }

    @Test("bad hyper-parameters are refused before fitting")
    func badHyperParameters() throws {
        let catalog = EstimatorCatalog.standard
        let error = estimatorError {
            _ = try catalog.makeEstimator(
                named: "DecisionTreeClassifier",
                hyperParameters: ["criterion": "bogus", "max_depth": 0, "min_samples_split": 1, "min_samples_leaf": 0, "max_features": 0, "splitter": "random"])
        }
        guard case .invalidHyperParameters(let estimator, let problems) = error else {
            Issue.record("expected invalidHyperParameters, got \(String(describing: error))")
            return
        }
        #expect(estimator == "DecisionTreeClassifier")
        #expect(problems.count == 6)
        let (x, y) = TreeTestSupport.classification(rows: 30)
        guard case .invalidHyperParameters = estimatorError({ _ = try TreeTestSupport.fit("DecisionTreeClassifier", ["max_features": 6], x, y) }) else {
            Issue.record("max_features above the feature count accepted")
            return
        }
    }

    @Test("bad inputs give typed errors", arguments: ["DecisionTreeClassifier", "DecisionTreeRegressor"])
    func badInputs(_ name: String) throws {
        try TreeTestSupport.checkBadInputs(name, classifier: name.hasSuffix("Classifier"))
    }

    @Test("an unlimited tree fits distinct training rows exactly; limits are respected")
    func growthLimits() throws {
        let (x, y) = TreeTestSupport.classification(rows: 300)
        guard case .classes(let labels, _) = y else { return }
        let full = try TreeTestSupport.fit("DecisionTreeClassifier", [:], x, y)
        #expect(try full.predict(x) == labels.map(Double.init))
        let limited = try #require(try TreeTestSupport.fit("DecisionTreeClassifier", ["max_depth": 3, "min_samples_leaf": 20], x, y) as? TreeClassifierModel)
        let tree = limited.trees[0]
        #expect(tree.depth <= 3)
        // Every leaf keeps at least 20 training rows.
        var leafRows = [Int: Int]()
        x.withUnsafeElements { elements in
            for i in 0..<x.rows { leafRows[tree.leaf(for: elements.baseAddress! + i * x.columns), default: 0] += 1 }
        }
        #expect(leafRows.values.allSatisfy { $0 >= 20 })
        #expect(leafRows.count == tree.leafCount)
        let probabilities = try limited.predictProbabilities(x)
        for i in 0..<x.rows { #expect(abs(probabilities[i, 0] + probabilities[i, 1] - 1) < 1e-12) }
    }

    @Test("constant features and contradictory rows give a single leaf predicting the priors")
    func unsplittable() throws {
        let x = Matrix(rows: 8, columns: 3, repeating: 2.5)
        let y = Targets.classes([0, 1, 1, 1, 0, 1, 1, 1], classCount: 2)
        let model = try #require(try TreeTestSupport.fit("DecisionTreeClassifier", [:], x, y) as? TreeClassifierModel)
        #expect(model.trees[0].nodeCount == 1)
        #expect(try model.predictProbabilities(Matrix(rows: 1, columns: 3)).elements == [0.25, 0.75])
        let regressor = try TreeTestSupport.fit("DecisionTreeRegressor", [:], x, .values([1, 2, 3, 4, 5, 6, 7, 8]))
        #expect(try regressor.predict(Matrix(rows: 1, columns: 3)) == [4.5])
    }

    @Test("the same random_state gives the same tree, whatever the thread count")
    func reproducibility() throws {
        let (x, y) = TreeTestSupport.regression(rows: 400)
        let parameters: [String: HyperParameterValue] = ["max_features": 2, "random_state": 42]
        let first = try TreeTestSupport.fit("DecisionTreeRegressor", parameters, x, y, threads: 1)
        let second = try TreeTestSupport.fit("DecisionTreeRegressor", parameters, x, y, threads: 2)
        #expect(first as? TreeRegressorModel == second as? TreeRegressorModel)
        let other = try TreeTestSupport.fit("DecisionTreeRegressor", ["max_features": 2, "random_state": 7], x, y)
        #expect(other as? TreeRegressorModel != first as? TreeRegressorModel)
    }

    @Test("binning keeps value order, merges values within 1e-7 and caps the bins at 1024")
    func binning() throws {
        var random = RandomSource(seed: 4)
        let exact: [Double] = [3, -0.0, 0.0, -2.5, 3 + 5e-8, 7, -2.5, 1e300, -1e-300, 3 + 2e-7]
        let dense = (0..<5000).map { _ in random.normal() * 100 }
        let x = Matrix(rows: 5000, columns: 2) { i, j in j == 0 ? exact[i % exact.count] : dense[i] }
        let binned = BinnedFeatures(x, threads: 2)
        #expect(binned.binCount(0) == 6)  // -2.5 | -1e-300 ≈ ±0 | 3 ≈ 3 + 5e-8 | 3 + 2e-7 | 7 | 1e300
        #expect(binned.binCount(1) <= 1024 && binned.binCount(1) > 1000)
        for feature in 0..<2 {
            let column = x.column(feature)
            for i in 0..<x.rows {
                let code = Int(binned.codes[feature * x.rows + i])
                #expect(binned.lower[feature][code] <= column[i] && column[i] <= binned.upper[feature][code])
            }
            for bin in 1..<binned.binCount(feature) {
                #expect(binned.upper[feature][bin - 1] < binned.lower[feature][bin])
                let threshold = binned.threshold(feature: feature, leftBin: bin - 1, rightBin: bin)
                #expect(binned.upper[feature][bin - 1] <= threshold && threshold < binned.lower[feature][bin])
            }
        }
        #expect(binned.codes[0] == binned.codes[4])  // 3 and 3 + 5e-8 share a bin
    }

    @Test("parallel scans and histogram subtraction grow the same tree as the serial scan",
          arguments: ["gini", "entropy", "squared_error", "unit_squared_error"])
    func growthPaths(_ criterion: String) throws {
        let classifier = criterion == "gini" || criterion == "entropy"
        let (x, y) = classifier ? TreeTestSupport.classification(rows: 600, classes: 3) : TreeTestSupport.regression(rows: 600)
        let targets: [Double]
        switch y {
        case .classes(let labels, _): targets = labels.map(classTarget)
        case .values(let values): targets = values
        }
        var random = RandomSource(seed: 8)
        let weights = (0..<600).map { _ in criterion == "unit_squared_error" ? Double(random.nextInt(below: 4) == 0 ? 0 : 1) : Double(random.nextInt(below: 3)) }
        let binned = BinnedFeatures(x, threads: 2)
        let limits = TreeLimits(maxDepth: 7, minSamplesSplit: 4, minSamplesLeaf: 2, maxFeatures: 5)
        func grow(threads: Int, parallelWork: Int, setRows: Int) -> DecisionTree {
            var random = RandomSource(seed: 5)
            func grown<C: SplitCriterion>(_ c: C) -> DecisionTree {
                TreeGrower(binned: binned, criterion: c, limits: limits, threads: threads, parallelWork: parallelWork, histogramSetRows: setRows)
                    .grow(weights: weights, targets: targets, random: &random).tree
            }
            switch criterion {
            case "gini": return grown(GiniCriterion(classCount: 3))
            case "entropy": return grown(EntropyCriterion(classCount: 3))
            case "squared_error": return grown(SquaredErrorCriterion())
            default: return grown(UnitSquaredErrorCriterion())
            }
        }
        let serial = grow(threads: 1, parallelWork: .max, setRows: .max)
        #expect(serial.nodeCount > 20)
        for (threads, work, setRows) in [(2, 1, Int.max), (1, Int.max, 8), (2, 1, 8)] {
            let tree = grow(threads: threads, parallelWork: work, setRows: setRows)
            #expect(tree.feature == serial.feature && tree.left == serial.left && tree.right == serial.right, "\(threads), \(work), \(setRows)")
            #expect(tree.threshold == serial.threshold)
            #expect(maxRelativeDifference(tree.values, serial.values) < 1e-12)
        }
    }

    @Test("payloads round-trip with identical predictions", arguments: ["DecisionTreeClassifier", "DecisionTreeRegressor"])
    func payloadRoundTrip(_ name: String) throws {
        let (x, y) = name.hasSuffix("Classifier") ? TreeTestSupport.classification(rows: 200, classes: 3) : TreeTestSupport.regression(rows: 200)
        let model = try TreeTestSupport.fit(name, ["max_depth": 6], x, y)
        let restored = try TreeTestSupport.roundTrip(model)
        #expect(restored.estimatorName == name)
        #expect(try restored.predict(x) == model.predict(x))
        if let classifier = model as? TreeClassifierModel {
            #expect(try (restored as? TreeClassifierModel)?.predictProbabilities(x) == classifier.predictProbabilities(x))
        }
    }

    @Test("models check their parts; overflowing targets fail the fit instead of giving infinite leaves")
    func checkedModels() throws {
        let leaf = DecisionTree(feature: [-1], threshold: [0], left: [-1], right: [-1], values: [0.5, 0.5], valueWidth: 2)
        #expect(throws: EstimatorError.self) { try TreeClassifierModel(estimatorName: "DecisionTreeClassifier", featureCount: 2, classCount: 1, trees: [leaf]) }
        #expect(throws: EstimatorError.self) { try TreeRegressorModel(estimatorName: "DecisionTreeRegressor", featureCount: 2, trees: [leaf]) }
        #expect(throws: EstimatorError.self) { try TreeRegressorModel(estimatorName: "DecisionTreeRegressor", featureCount: 2, trees: []) }
        let model = try TreeClassifierModel(estimatorName: "DecisionTreeClassifier", featureCount: 2, classCount: 2, trees: [leaf])
        #expect(try model.predictProbabilities(Matrix(rows: 1, columns: 2)).elements == [0.5, 0.5])
        // Decoding directly (not through the catalog) checks too.
        var body = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(model)) as? [String: Any])
        body["classCount"] = 3
        #expect(throws: (any Error).self) { try JSONDecoder().decode(TreeClassifierModel.self, from: JSONSerialization.data(withJSONObject: body)) }

        let x = Matrix(rows: 4, columns: 1) { i, _ in Double(i) }
        for name in ["DecisionTreeRegressor", "RandomForestRegressor", "GradientBoostingRegressor"] {
            let error = estimatorError { _ = try TreeTestSupport.fit(name, [:], x, .values([.greatestFiniteMagnitude, .greatestFiniteMagnitude, 1, 2])) }
            guard case .fitFailed(let estimator, _) = error else {
                Issue.record("\(name): expected fitFailed, got \(String(describing: error))")
                continue
            }
            #expect(estimator == name)
        }
    }

    @Test("altered tree payloads are refused")
    func tamperedPayloads() throws {
        let (x, y) = TreeTestSupport.classification(rows: 120)
        let model = try TreeTestSupport.fit("DecisionTreeClassifier", ["max_depth": 3], x, y)
        let refuse = { (edit: @escaping (inout [String: Any]) -> Void) throws -> Bool in
            TreeTestSupport.refuses(try TreeTestSupport.tampered(model) { try TreeTestSupport.editFirstTree(&$0, edit) })
        }
        #expect(try refuse { tree in tree["left"] = [999] + Array((tree["left"] as! [Int]).dropFirst()) })  // child out of range
        #expect(try refuse { tree in tree["right"] = [0] + Array((tree["right"] as! [Int]).dropFirst()) })  // cycle to the root
        #expect(try refuse { tree in tree["feature"] = [17] + Array((tree["feature"] as! [Int]).dropFirst()) })  // no such feature
        #expect(try refuse { tree in tree["threshold"] = Array((tree["threshold"] as! [Double]).dropLast()) })  // lengths differ
        #expect(try refuse { tree in tree["values"] = [7.0] + Array((tree["values"] as! [Double]).dropFirst()) })  // not a probability
        #expect(try refuse { tree in tree["valueWidth"] = 3 })
        #expect(TreeTestSupport.refuses(try TreeTestSupport.tampered(model) { $0["classCount"] = 1 }))
        #expect(TreeTestSupport.refuses(try TreeTestSupport.tampered(model) { $0["trees"] = [[String: Any]]() }))
        #expect(TreeTestSupport.refuses(try TreeTestSupport.tampered(model) { $0["featureCount"] = 4 }))  // envelope mismatch
        // Node arrays that are not whole little-endian values, or not base64.
        let editRaw = { (key: String, value: String) throws -> ModelPayload in
            try TreeTestSupport.tampered(model) { body in
                var trees = try #require(body["trees"] as? [[String: Any]])
                trees[0][key] = value
                body["trees"] = trees
            }
        }
        #expect(TreeTestSupport.refuses(try editRaw("threshold", Data([1, 2, 3]).base64EncodedString())))
        #expect(TreeTestSupport.refuses(try editRaw("left", "not base64!")))
    }

    @Test("tree node arrays are stored as exact little-endian bytes; version-1 payloads (JSON numbers) still decode")
    func nodeArrayEncoding() throws {
        let (x, y) = TreeTestSupport.regression(rows: 200)
        let model = try TreeTestSupport.fit("RandomForestRegressor", ["n_estimators": 3, "max_depth": 4], x, y)
        let payload = try model.payload()
        #expect(payload.version == 2)
        let body = try #require(try JSONSerialization.jsonObject(with: payload.body) as? [String: Any])
        let trees = try #require(body["trees"] as? [[String: Any]])
        #expect(trees[0]["threshold"] is String && trees[0]["feature"] is String)
        let original = try #require(model as? TreeRegressorModel)
        let restored = try #require(try TreeTestSupport.roundTrip(model) as? TreeRegressorModel)
        #expect(restored == original)  // every threshold and value to the bit

        // The same model as version 1 wrote it: node arrays as JSON numbers.
        var old = payload
        old.version = 1
        var oldBody = body
        oldBody["trees"] = try trees.map(TreeTestSupport.unpacked)
        old.body = try JSONSerialization.data(withJSONObject: oldBody)
        let fromOld = try #require(try EstimatorCatalog.standard.decodeModel(try ModelPayload(decoding: try old.encoded())) as? TreeRegressorModel)
        #expect(fromOld == original)
        #expect(try fromOld.predict(x) == original.predict(x))
    }
}

