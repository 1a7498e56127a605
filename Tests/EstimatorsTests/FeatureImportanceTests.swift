import Foundation
import LinearAlgebra
import Testing
@testable import Estimators

/// `Fixtures/importances_reference.json`, written by `Scripts/reference/diagnostics_reference.py`.
struct ImportancesReference: Decodable, Sendable {
    /// scikit-learn's node arrays of one tree.
    struct Tree: Decodable, Sendable {
        let feature: [Int]
        let threshold: [Double]
        let left: [Int]
        let right: [Int]
        let impurity: [Double]
        let weightedSampleCounts: [Double]
    }

    /// A model whose trees are scikit-learn's (no ties between splits for any seed).
    struct ExactCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let dataset: String
        let estimator: String
        let hyperParameters: [String: ReferenceParameter]
        let trees: [Tree]
        let importances: [Double]

        var parameters: [String: HyperParameterValue] { hyperParameters.mapValues(\.value) }
        var testDescription: String { name }
    }

    /// A forest whose randomness differs from scikit-learn's: its mean over 20 seeds, the
    /// features every seed ranks first, and an L1 tolerance of twice the seeds' spread.
    struct StatisticalCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let dataset: String
        let estimator: String
        let hyperParameters: [String: ReferenceParameter]
        let meanImportances: [Double]
        let topFeatures: [Int]
        let l1Tolerance: Double

        var parameters: [String: HyperParameterValue] { hyperParameters.mapValues(\.value) }
        var testDescription: String { name }
    }

    /// A linear model's `coef_`, on a data set or on stored synthetic rows.
    struct LinearCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let estimator: String
        let hyperParameters: [String: ReferenceParameter]
        let coefficients: [[Double]]
        let dataset: String?
        let classCount: Int?
        let columns: Int?
        let xTrain: [Double]?
        let yTrain: [Double]?

        var parameters: [String: HyperParameterValue] { hyperParameters.mapValues(\.value) }
        var testDescription: String { name }
    }

    let sklearn: String
    let exact: [ExactCase]
    let statistical: [StatisticalCase]
    let linear: [LinearCase]

    /// Decoded once for every test.
    static let shared = Result { try loadFixture(ImportancesReference.self, "importances_reference.json") }
}

/// The trees of a tree, forest or boosting model.
func decisionTrees(of model: any TrainedModel) -> [DecisionTree]? {
    switch model {
    case let model as TreeClassifierModel: return model.trees
    case let model as TreeRegressorModel: return model.trees
    case let model as BoostingClassifierModel: return model.trees
    case let model as BoostingRegressorModel: return model.trees
    default: return nil
    }
}

/// The impurity importances of a model, or `nil` (recording an issue).
func impurityImportances(_ model: any TrainedModel, sourceLocation: SourceLocation = #_sourceLocation) -> [Double]? {
    guard case .impurity(let values)? = model.featureImportances else {
        Issue.record("\(model.estimatorName) has no impurity importances", sourceLocation: sourceLocation)
        return nil
    }
    return values
}

@Suite("Feature importances: parity with scikit-learn")
struct FeatureImportanceTests {
    @Test("the fixture loads and comes from scikit-learn 1.9.1")
    func fixtureLoads() throws {
        let fixture = try ImportancesReference.shared.get()
        #expect(fixture.sklearn == "1.9.1")
        #expect(Set(fixture.exact.map(\.estimator)).count == 6, "every tree estimator has an exact case")
        #expect(fixture.statistical.count >= 2 && fixture.linear.count >= 6)
    }

    /// Where our trees are scikit-learn's, the importances are the same sums of the same
    /// node statistics: the bar is 1e-9, the node statistics within 1e-9 (relative above 1)
    /// as the impurities are sums in another order. Measured: at most 3e-15.
    @Test("trees grown as scikit-learn's have its node statistics and importances within 1e-9",
          arguments: (try? ImportancesReference.shared.get().exact) ?? [])
    func exact(_ reference: ImportancesReference.ExactCase) async throws {
        let (x, y, _, _) = try TreesReference.data(reference.dataset, classifier: reference.estimator.hasSuffix("Classifier"))
        let model = try await offCooperativePool { try TreeTestSupport.fit(reference.estimator, reference.parameters, x, y) }
        let trees = try #require(decisionTrees(of: model))
        try #require(trees.count == reference.trees.count, "\(trees.count) trees, scikit-learn \(reference.trees.count)")
        for (index, (tree, expected)) in zip(trees, reference.trees).enumerated() {
            try #require(tree.feature.map(Int.init) == expected.feature, "tree \(index): features")
            #expect(tree.left.map(Int.init) == expected.left && tree.right.map(Int.init) == expected.right, "tree \(index): children")
            #expect(maxRelativeDifference(tree.threshold, expected.threshold) < 1e-6, "tree \(index): thresholds (float32 in scikit-learn)")
            let impurity = try #require(tree.impurity), weights = try #require(tree.weightedSampleCounts)
            #expect(maxRelativeDifference(impurity, expected.impurity) < 1e-9, "tree \(index): impurities")
            #expect(weights == expected.weightedSampleCounts, "tree \(index): weighted sample counts")
        }
        let importances = try #require(impurityImportances(model))
        let difference = zip(importances, reference.importances).map { abs($0 - $1) }.max() ?? .infinity
        print("importances \(reference.name): max difference \(difference)")
        #expect(importances.count == reference.importances.count)
        #expect(difference <= 1e-9)
        #expect(abs(importances.reduce(0, +) - 1) < 1e-12)
    }

    /// A forest's trees draw rows and features from another generator than scikit-learn's,
    /// so ours is one more draw from the same distribution: its top features must be the
    /// ones all 20 seeds of scikit-learn rank first, its L1 distance from their mean within
    /// twice the largest distance of any of those seeds.
    @Test("forests agree with scikit-learn's statistically", arguments: (try? ImportancesReference.shared.get().statistical) ?? [])
    func statistical(_ reference: ImportancesReference.StatisticalCase) async throws {
        let (x, y, _, _) = try TreesReference.data(reference.dataset, classifier: reference.estimator.hasSuffix("Classifier"))
        let model = try await offCooperativePool { try TreeTestSupport.fit(reference.estimator, reference.parameters, x, y, threads: 2) }
        let importances = try #require(impurityImportances(model))
        try #require(importances.count == reference.meanImportances.count)
        let distance = zip(importances, reference.meanImportances).reduce(0) { $0 + abs($1.0 - $1.1) }
        let top = importances.indices.sorted { importances[$0] > importances[$1] }.prefix(reference.topFeatures.count)
        print("importances \(reference.name): L1 \(distance) (tolerance \(reference.l1Tolerance)), top \(top.sorted())")
        #expect(Set(top) == Set(reference.topFeatures))
        #expect(distance <= reference.l1Tolerance)
        #expect(abs(importances.reduce(0, +) - 1) < 1e-12)
    }

    /// The bars of LinearEstimatorTests: exact solvers 1e-8; coordinate descent and L-BFGS
    /// at tol 1e-10 1e-4 (relative to max(1, |value|)). Measured: at most 5e-14.
    @Test("linear models' coefficients are scikit-learn's coef_, one row per output", arguments: (try? ImportancesReference.shared.get().linear) ?? [])
    func linear(_ reference: ImportancesReference.LinearCase) throws {
        let x: Matrix, y: Targets
        if let dataset = reference.dataset {
            let data = try loadDataset(dataset)
            (x, y) = (data.x, Targets.values(data.y))
        } else {
            let values = try #require(reference.xTrain), columns = try #require(reference.columns), targets = try #require(reference.yTrain)
            x = try Matrix(rows: values.count / columns, columns: columns, elements: values)
            y = .classes(targets.map { Int($0) }, classCount: try #require(reference.classCount))
        }
        let model = try TreeTestSupport.fit(reference.estimator, reference.parameters, x, y)
        guard case .coefficients(let rows)? = model.featureImportances else {
            Issue.record("\(reference.name): no coefficients")
            return
        }
        #expect(rows.count == reference.coefficients.count, "binary and regression: one row; multinomial: one per class")
        let difference = maxRelativeDifference(rows.flatMap { $0 }, reference.coefficients.flatMap { $0 })
        print("coefficients \(reference.name): \(difference)")
        #expect(difference <= (["LinearRegression", "Ridge"].contains(reference.estimator) ? 1e-8 : 1e-4))
    }
}

@Suite("Feature importances: payloads, old models and the models without them")
struct FeatureImportanceBehaviourTests {
    static let treeModels: [(String, [String: HyperParameterValue])] = [
        ("DecisionTreeClassifier", ["max_depth": 4]), ("DecisionTreeRegressor", ["max_depth": 4]),
        ("RandomForestClassifier", ["n_estimators": 5, "max_depth": 4]), ("RandomForestRegressor", ["n_estimators": 5, "max_depth": 4]),
        ("GradientBoostingClassifier", ["n_estimators": 5, "max_depth": 2]), ("GradientBoostingRegressor", ["n_estimators": 5, "max_depth": 2]),
    ]

    static func data(_ name: String) -> (x: Matrix, y: Targets) {
        name.hasSuffix("Classifier") || name == "LogisticRegression"
            ? TreeTestSupport.classification(rows: 150, classes: 3) : TreeTestSupport.regression(rows: 150)
    }

    @Test("a model decoded from its payload has the fitted model's importances",
          arguments: FeatureImportanceBehaviourTests.treeModels + [("LinearRegression", [:]), ("Lasso", ["alpha": 0.01]), ("LogisticRegression", [:])])
    func payloadRoundTrip(_ name: String, _ parameters: [String: HyperParameterValue]) throws {
        let (x, y) = Self.data(name)
        let model = try TreeTestSupport.fit(name, parameters, x, y)
        let importances = try #require(model.featureImportances)
        #expect(try TreeTestSupport.roundTrip(model).featureImportances == importances)
        if case .impurity(let values) = importances {
            #expect(values.count == 5 && abs(values.reduce(0, +) - 1) < 1e-12)
            #expect(values[0] + values[1] > 0.5, "the features the targets depend on rank first: \(values)")
        }
        if case .coefficients(let rows) = importances {
            #expect(rows.count == (name == "LogisticRegression" ? 3 : 1) && rows.allSatisfy { $0.count == 5 })
        }
    }

    @Test("trees decoded from payloads written before node statistics: same predictions, no importances",
          arguments: ["DecisionTreeClassifier", "RandomForestRegressor", "GradientBoostingClassifier"])
    func oldPayloads(_ name: String) throws {
        let (x, y) = Self.data(name)
        var parameters: [String: HyperParameterValue] = ["max_depth": 3]
        if !name.hasPrefix("DecisionTree") { parameters["n_estimators"] = 3 }
        let model = try TreeTestSupport.fit(name, parameters, x, y)
        let old = try TreeTestSupport.tampered(model) { body in
            let trees = try #require(body["trees"] as? [[String: Any]])
            body["trees"] = trees.map { $0.filter { $0.key != "impurity" && $0.key != "weightedSampleCounts" } }
        }
        let decoded = try EstimatorCatalog.standard.decodeModel(old)
        #expect(try decoded.predict(x) == model.predict(x))
        #expect(decoded.featureImportances == nil)
        #expect(decisionTrees(of: decoded)?.allSatisfy { $0.impurity == nil && $0.weightedSampleCounts == nil } == true)
    }

    @Test("altered node statistics are refused")
    func tamperedStatistics() throws {
        let (x, y) = TreeTestSupport.classification(rows: 120)
        let model = try TreeTestSupport.fit("DecisionTreeClassifier", ["max_depth": 3], x, y)
        func refused(_ edit: @escaping ([String: Any]) throws -> [String: Any]) throws -> Bool {
            TreeTestSupport.refuses(try TreeTestSupport.tampered(model) { body in
                var trees = try #require(body["trees"] as? [[String: Any]])
                trees[0] = try edit(trees[0])
                body["trees"] = trees
            })
        }
        func packed(_ values: [Double]) -> String {
            var data = Data()
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            return data.base64EncodedString()
        }
        let nodes = try #require(decisionTrees(of: model)?.first?.nodeCount)
        #expect(try refused { $0.filter { $0.key != "weightedSampleCounts" } })  // impurities without weights
        #expect(try refused { tree in tree.merging(["impurity": packed([0.5])]) { $1 } })  // one value for several nodes
        #expect(try refused { tree in tree.merging(["impurity": packed([-1] + [Double](repeating: 0, count: nodes - 1))]) { $1 } })
        #expect(try refused { tree in tree.merging(["weightedSampleCounts": packed([.nan] + [Double](repeating: 1, count: nodes - 1))]) { $1 } })
        #expect(try refused { tree in tree.merging(["impurity": "not base64!"]) { $1 } })
    }

    @Test("a single-leaf tree ranks no feature: all zeros, as scikit-learn", arguments: FeatureImportanceBehaviourTests.treeModels.map(\.0))
    func singleLeaves(_ name: String) throws {
        let x = Matrix(rows: 20, columns: 3) { _, column in Double(column) }  // constant features
        let y: Targets = name.hasSuffix("Classifier") ? .classes((0..<20).map { $0 % 2 }, classCount: 2) : .values((0..<20).map(Double.init))
        let parameters: [String: HyperParameterValue] = name.hasPrefix("DecisionTree") ? [:] : ["n_estimators": 3]
        let model = try TreeTestSupport.fit(name, parameters, x, y)
        #expect(decisionTrees(of: model)?.allSatisfy { $0.nodeCount == 1 } == true)
        #expect(model.featureImportances == .impurity([0, 0, 0]))
    }

    @Test("neighbours, naive Bayes, networks and custom models have no importances")
    func noImportances() throws {
        let (x, y) = TreeTestSupport.classification(rows: 60)
        let (xr, yr) = TreeTestSupport.regression(rows: 60)
        for (name, parameters) in [("KNeighborsClassifier", [:]), ("GaussianNB", [:]), ("MLPClassifier", ["max_iter": 5])] as [(String, [String: HyperParameterValue])] {
            #expect(try TreeTestSupport.fit(name, parameters, x, y).featureImportances == nil, "\(name)")
        }
        for (name, parameters) in [("KNeighborsRegressor", [:]), ("MLPRegressor", ["max_iter": 5])] as [(String, [String: HyperParameterValue])] {
            #expect(try TreeTestSupport.fit(name, parameters, xr, yr).featureImportances == nil, "\(name)")
        }
        #expect(MeanBaselineModel(featureCount: 2, mean: 1).featureImportances == nil)
        // A tree made without node statistics (the initializer's defaults) has none either.
        let leaf = DecisionTree(feature: [-1], threshold: [0], left: [-1], right: [-1], values: [1], valueWidth: 1)
        #expect(try TreeRegressorModel(estimatorName: "DecisionTreeRegressor", featureCount: 2, trees: [leaf]).featureImportances == nil)
    }

    @Test("a tree's importances: weighted impurity decreases per feature over the root's weight")
    func handComputed() throws {
        // Root (10 rows, Gini 0.5) splits on feature 1 into 4 pure rows and 6 rows of Gini
        // 4/9, which split on feature 0 into two pure leaves.
        let tree = DecisionTree(
            feature: [1, -1, 0, -1, -1], threshold: [0.5, 0, 1.5, 0, 0], left: [1, -1, 3, -1, -1], right: [2, -1, 4, -1, -1],
            values: [0.5, 0.5, 1, 0, 1.0 / 3, 2.0 / 3, 1, 0, 0, 1], valueWidth: 2,
            impurity: [0.5, 0, 4.0 / 9, 0, 0], weightedSampleCounts: [10, 4, 6, 2, 4])
        let raw = try #require(tree.impurityImportances(featureCount: 3, normalize: false))
        #expect(abs(raw[0] - 6 * 4.0 / 9 / 10) < 1e-15 && abs(raw[1] - (5 - 6 * 4.0 / 9) / 10) < 1e-15 && raw[2] == 0)
        let normalized = try #require(tree.impurityImportances(featureCount: 3, normalize: true))
        #expect(abs(normalized[0] - raw[0] / 0.5) < 1e-15 && abs(normalized[1] - raw[1] / 0.5) < 1e-15)
        let model = try TreeClassifierModel(estimatorName: "DecisionTreeClassifier", featureCount: 3, classCount: 2, trees: [tree])
        #expect(model.featureImportances == .impurity(normalized))
        // A forest of it and a single leaf averages over the trees that split only.
        let leaf = DecisionTree(feature: [-1], threshold: [0], left: [-1], right: [-1], values: [0.5, 0.5], valueWidth: 2,
                                impurity: [0.5], weightedSampleCounts: [10])
        let forest = try TreeClassifierModel(estimatorName: "RandomForestClassifier", featureCount: 3, classCount: 2, trees: [tree, leaf])
        let averaged = try #require(impurityImportances(forest))
        #expect(maxRelativeDifference(averaged, normalized) < 1e-15)
    }
}
