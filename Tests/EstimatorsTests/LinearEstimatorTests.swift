import Foundation
import LinearAlgebra
import Testing
@testable import Estimators

// MARK: - The scikit-learn reference fixture (shared with NeighborsBayesTests)

/// One case of `Fixtures/linear_neighbors_reference.json`
/// (`Scripts/reference/linear_neighbors_reference.py`).
struct ReferenceCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let estimator: String
    let hyperParameters: [String: ReferenceParameter]
    /// scikit-learn's `predict` on the test rows.
    let predictions: [Double]
    let classCount: Int?
    /// scikit-learn's `predict_proba`, row-major.
    let probabilities: [Double]?
    /// `coef_` (row-major) and `intercept_` of linear models.
    let coefficients: [Double]?
    let intercepts: [Double]?
    // Synthetic cases carry their rows...
    let columns: Int?
    let xTrain: [Double]?
    let yTrain: [Double]?
    let xTest: [Double]?
    // ...data-set cases index the rows of a CSV in Fixtures/datasets.
    let dataset: String?
    let trainRows: [Int]?
    let testRows: [Int]?
    /// Neighbours cases: test rows whose k-th and (k+1)-th nearest training rows are
    /// exactly tied, and the prediction there when ties go to the lower training index.
    let boundaryTies: [Int]?
    let stablePredictions: [Double]?

    var testDescription: String { "\(name) (\(estimator))" }

    var parameters: [String: HyperParameterValue] { hyperParameters.mapValues(\.value) }

    /// Training rows, training targets and test rows.
    func data() throws -> (x: Matrix, y: Targets, test: Matrix) {
        let x: Matrix, test: Matrix, values: [Double]
        if let dataset {
            let all = try loadDataset(dataset)
            let trainRows = try #require(trainRows), testRows = try #require(testRows)
            x = try rows(all.x, trainRows)
            test = try rows(all.x, testRows)
            values = trainRows.map { all.y[$0] }
        } else {
            let columns = try #require(columns), xTrain = try #require(xTrain), xTest = try #require(xTest)
            x = try Matrix(rows: xTrain.count / columns, columns: columns, elements: xTrain)
            test = try Matrix(rows: xTest.count / columns, columns: columns, elements: xTest)
            values = try #require(yTrain)
        }
        if let classCount { return (x, .classes(values.map { Int($0) }, classCount: classCount), test) }
        return (x, .values(values), test)
    }

    /// Fits the case's estimator from the standard catalog.
    func fit() throws -> (model: any TrainedModel, test: Matrix) {
        let (x, y, test) = try data()
        let estimator = try EstimatorCatalog.standard.makeEstimator(named: self.estimator, hyperParameters: parameters)
        return (try estimator.fit(x, y, context: FitContext()), test)
    }
}

struct ReferenceFixture: Decodable, Sendable {
    let sklearn: String
    let cases: [ReferenceCase]

    /// Decoded once for every test.
    static let shared = Result { try loadFixture(ReferenceFixture.self, "linear_neighbors_reference.json") }

    static func named(_ name: String) throws -> ReferenceCase {
        try #require(try shared.get().cases.first { $0.name == name }, "no reference case \(name)")
    }
}

/// Largest absolute difference.
func maxAbsoluteDifference(_ a: [Double], _ b: [Double]) -> Double {
    #expect(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

// MARK: - Payload helpers (shared with NeighborsBayesTests)

/// The model restored from its payload through bytes: `payload()`, `encoded()`,
/// `ModelPayload(decoding:)` and the standard catalog.
func payloadRoundTrip(_ model: any TrainedModel) throws -> any TrainedModel {
    let bytes = try model.payload().encoded()
    let decoded = try ModelPayload(decoding: bytes)
    #expect(decoded.estimator == model.estimatorName)
    #expect(decoded.featureCount == model.featureCount)
    return try EstimatorCatalog.standard.decodeModel(decoded)
}

/// The payload of `model` with its JSON body edited by `edit`.
func tamperedPayload(_ model: any TrainedModel, _ edit: (inout [String: Any]) -> Void) throws -> ModelPayload {
    var payload = try model.payload()
    var body = try #require(try JSONSerialization.jsonObject(with: payload.body) as? [String: Any])
    edit(&body)
    payload.body = try JSONSerialization.data(withJSONObject: body)
    return payload
}

/// Whether decoding `payload` is refused with ``EstimatorError/invalidPayload(_:)``.
func isRefused(_ payload: ModelPayload) -> Bool {
    guard let error = estimatorError({ _ = try EstimatorCatalog.standard.decodeModel(payload) }) else { return false }
    if case .invalidPayload = error { return true }
    Issue.record("expected invalidPayload, got \(error)")
    return false
}

// MARK: - Tests

@Suite("Linear estimators: LinearRegression, Ridge, Lasso, ElasticNet, LogisticRegression")
struct LinearEstimatorTests {
    static let exactCases = ["ols", "ols-no-intercept", "ridge", "ridge-strong-no-intercept"]
    static let coordinateDescentCases = ["lasso-default", "lasso-tight", "lasso-no-intercept", "enet-default", "enet-tight",
                                         "enet-ridge-like", "lasso-diabetes"]
    static let logisticTightCases = ["logistic-binary-tight", "logistic-3-tight", "logistic-4-C-tight", "logistic-3-no-intercept"]
    static let logisticDefaultCases = ["logistic-binary-default", "logistic-3-default"]

    @Test("every linear reference case is tested")
    func fixtureCoverage() throws {
        let fixture = try ReferenceFixture.shared.get()
        #expect(fixture.sklearn == "1.9.1")
        let linear = Set(fixture.cases.filter { ["LinearRegression", "Ridge", "Lasso", "ElasticNet", "LogisticRegression"].contains($0.estimator) }.map(\.name))
        #expect(linear == Set(Self.exactCases + Self.coordinateDescentCases + Self.logisticTightCases + Self.logisticDefaultCases))
    }

    /// Closed-form solvers (Cholesky, least squares): the same solution up to rounding.
    @Test("LinearRegression and Ridge match scikit-learn within 1e-8", arguments: exactCases)
    func exactParity(_ name: String) throws {
        let reference = try ReferenceFixture.named(name)
        let (model, test) = try reference.fit()
        let linear = try #require(model as? LinearModel)
        let predictions = maxRelativeDifference(try model.predict(test), reference.predictions)
        let coefficients = maxRelativeDifference(linear.coefficients + [linear.intercept],
                                                 try #require(reference.coefficients) + (try #require(reference.intercepts)))
        print("parity \(name): predictions \(predictions), coefficients \(coefficients)")
        #expect(predictions <= 1e-8)
        #expect(coefficients <= 1e-8)
    }

    /// Coordinate descent replicates scikit-learn's cyclic sweeps, screening and
    /// duality-gap test, so even at the default `tol = 1e-4` the iterates agree up to
    /// rounding; the bar is the stated 1e-4 (relative to max(1, |value|)) on coefficients,
    /// intercept and predictions, though the measured differences are far smaller.
    @Test("Lasso and ElasticNet match scikit-learn's coordinate descent", arguments: coordinateDescentCases)
    func coordinateDescentParity(_ name: String) throws {
        let reference = try ReferenceFixture.named(name)
        let (model, test) = try reference.fit()
        let linear = try #require(model as? LinearModel)
        let expected = try #require(reference.coefficients)
        let coefficients = maxRelativeDifference(linear.coefficients + [linear.intercept], expected + (try #require(reference.intercepts)))
        let predictions = maxRelativeDifference(try model.predict(test), reference.predictions)
        print("parity \(name): predictions \(predictions), coefficients \(coefficients)")
        #expect(coefficients <= 1e-4)
        #expect(predictions <= 1e-4)
        // The same sparsity pattern: exact zeros where scikit-learn has them.
        #expect(linear.coefficients.map { $0 == 0 } == expected.map { $0 == 0 })
    }

    /// At `tol = 1e-10` both L-BFGS runs stop with a gradient (or a relative decrease)
    /// near machine precision, so whatever path each takes both sit at the unique optimum
    /// (the objective is strictly convex in the coefficients; the multinomial intercepts
    /// stay centred as the gradient steps from zero keep them): the bar is 1e-4 on
    /// coefficients and intercepts (relative to max(1, |value|)), 1e-6 on the
    /// probabilities, and identical classes. Measured: about 1e-13.
    @Test("LogisticRegression matches scikit-learn at a tight tolerance", arguments: logisticTightCases)
    func logisticParity(_ name: String) throws {
        let reference = try ReferenceFixture.named(name)
        let (model, test) = try reference.fit()
        let logistic = try #require(model as? LogisticModel)
        let coefficients = maxRelativeDifference(logistic.coefficients + logistic.intercepts,
                                                 try #require(reference.coefficients) + (try #require(reference.intercepts)))
        let probabilities = maxAbsoluteDifference(try logistic.predictProbabilities(test).elements, try #require(reference.probabilities))
        print("parity \(name): probabilities \(probabilities), coefficients \(coefficients)")
        #expect(coefficients <= 1e-4)
        #expect(probabilities <= 1e-6)
        #expect(try model.predict(test) == reference.predictions)
    }

    /// At the defaults (`tol = 1e-4`, `max_iter = 100`) the solvers stop wherever the
    /// gradient first drops below 1e-4, not at the optimum. This L-BFGS follows SciPy's
    /// (same first step, Moré–Thuente line search, memory and stopping rules) and on these
    /// cases stops at the same iterate (measured probability differences ~1e-16), but
    /// rounding (another BLAS, another summation order) could end it one iteration apart,
    /// so the honest bar is the tolerance's scale: probabilities within 1e-3, and a class
    /// may differ only where scikit-learn's two most probable classes are within 1e-3.
    @Test("LogisticRegression at the defaults predicts scikit-learn's classes", arguments: logisticDefaultCases)
    func logisticDefaultParity(_ name: String) throws {
        let reference = try ReferenceFixture.named(name)
        let (model, test) = try reference.fit()
        let classifier = try #require(model as? any TrainedClassifier)
        let expectedProbabilities = try #require(reference.probabilities)
        let probabilities = try classifier.predictProbabilities(test).elements
        let deviation = maxAbsoluteDifference(probabilities, expectedProbabilities)
        let k = classifier.classCount
        let predicted = try model.predict(test)
        var mismatches = 0
        for (i, (ours, theirs)) in zip(predicted, reference.predictions).enumerated() where ours != theirs {
            let row = expectedProbabilities[(i * k)..<((i + 1) * k)].sorted(by: >)
            #expect(row[0] - row[1] <= 1e-3, "row \(i): class \(ours) vs scikit-learn's \(theirs), margin \(row[0] - row[1])")
            mismatches += 1
        }
        print("parity \(name): probabilities \(deviation), class mismatches \(mismatches)")
        #expect(deviation <= 1e-3)
    }

    @Test("hyper-parameters: scikit-learn's names, defaults and ranges")
    func hyperParameterSchemas() throws {
        let lasso = try Lasso.hyperParameters.resolve([:], estimator: "Lasso")
        #expect(lasso.double("alpha") == 1 && lasso.bool("fit_intercept") && lasso.int("max_iter") == 1000)
        #expect(lasso.double("tol") == 1e-4 && lasso.string("selection") == "cyclic")
        #expect(Lasso.hyperParameters["l1_ratio"] == nil)
        let enet = try ElasticNet.hyperParameters.resolve([:], estimator: "ElasticNet")
        #expect(enet.double("l1_ratio") == 0.5 && enet.double("alpha") == 1)
        let logistic = try LogisticRegression.hyperParameters.resolve([:], estimator: "LogisticRegression")
        #expect(logistic.double("C") == 1 && logistic.int("max_iter") == 100 && logistic.double("tol") == 1e-4)
        #expect(logistic.bool("fit_intercept") && logistic.string("solver") == "lbfgs")

        let catalog = EstimatorCatalog.standard
        for (name, bad) in [("Lasso", ["alpha": -1, "max_iter": 0, "tol": -1e-3, "selection": "random", "l1_ratio": 0.5] as [String: HyperParameterValue]),
                            ("ElasticNet", ["l1_ratio": 1.5, "alpha": .string("big")]),
                            ("LogisticRegression", ["C": 0, "max_iter": -1, "solver": "saga", "penalty": "l1"])] {
            let error = estimatorError { _ = try catalog.makeEstimator(named: name, hyperParameters: bad) }
            guard case let .invalidHyperParameters(estimator, problems) = error else {
                Issue.record("\(name): expected invalidHyperParameters, got \(String(describing: error))")
                continue
            }
            #expect(estimator == name)
            #expect(problems.count == bad.count, "\(name): every problem is reported: \(problems)")
        }
        #expect(catalog.names(for: .regression).contains("Lasso") && catalog.names(for: .regression).contains("ElasticNet"))
        #expect(catalog.names(for: .classification).contains("LogisticRegression"))
    }

    @Test("Lasso: a large alpha gives all-zero coefficients and the mean as intercept")
    func lassoNullModel() throws {
        let x = randomMatrix(50, 4, seed: 3)
        let y = try BLAS.gemv(x, [1, -2, 0, 0.5]).map { $0 + 7 }
        let model = try Lasso(Lasso.hyperParameters.resolve(["alpha": 1e6], estimator: "Lasso")).fit(x, .values(y), context: FitContext())
        let linear = try #require(model as? LinearModel)
        #expect(linear.coefficients == [0, 0, 0, 0])
        #expect(abs(linear.intercept - y.reduce(0, +) / 50) < 1e-12)
        // alpha = 0 is ordinary least squares (scikit-learn allows it, with a warning).
        let ols = try Lasso(Lasso.hyperParameters.resolve(["alpha": 0, "tol": 1e-12, "max_iter": 10000], estimator: "Lasso"))
            .fit(x, .values(y), context: FitContext())
        let exact = try LinearRegression(LinearRegression.hyperParameters.resolve([:], estimator: "LinearRegression"))
            .fit(x, .values(y), context: FitContext())
        #expect(maxRelativeDifference(try ols.predict(x), try exact.predict(x)) < 1e-6)
        // A constant target converges at once to the constant model.
        let flat = try Lasso(Lasso.hyperParameters.resolve([:], estimator: "Lasso")).fit(x, .values(Array(repeating: 2.5, count: 50)), context: FitContext())
        #expect(try flat.predict(x).allSatisfy { $0 == 2.5 })
    }

    @Test("coordinate descent reaches the duality-gap threshold")
    func coordinateDescentGap() throws {
        let x = randomMatrix(80, 6, seed: 4)
        let y = try BLAS.gemv(x, [3, 0, -1, 0, 0, 2]).enumerated().map { $1 + 0.1 * Double($0 % 7) }
        let columns = CoordinateDescent.columns(of: x, subtracting: [Double](repeating: 0, count: 6))
        let result = try CoordinateDescent.elasticNet(columns: columns, y, l1: 8, l2: 4, maxIterations: 1000, tolerance: 1e-12)
        #expect(result.converged && result.gap <= result.threshold)
        let (gap, _, _) = try CoordinateDescent.dualityGap(columns: columns, y, result.coefficients,
                                                           zip(y, try BLAS.gemv(x, result.coefficients)).map { $0 - $1 }, l1: 8, l2: 4)
        #expect(gap <= 1e-12 * (try BLAS.dot(y, y)))
        let capped = try CoordinateDescent.elasticNet(columns: columns, y, l1: 8, l2: 4, maxIterations: 1, tolerance: 0)
        #expect(!capped.converged && capped.iterations == 1)
    }

    @Test("L-BFGS minimizes the Rosenbrock function")
    func lbfgsRosenbrock() throws {
        let solver = LBFGS(maxIterations: 500, gradientTolerance: 1e-10)
        let result = try solver.minimize(from: [-1.2, 1]) { (v) throws(LinearAlgebraError) in
            let (a, b) = (v[0], v[1])
            let value = (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a)
            return (value, [-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])
        }
        #expect(result.status == .gradientConverged || result.status == .functionConverged)
        #expect(abs(result.x[0] - 1) < 1e-6 && abs(result.x[1] - 1) < 1e-6)
        let capped = try LBFGS(maxIterations: 3, gradientTolerance: 0).minimize(from: [-1.2, 1]) { (v) throws(LinearAlgebraError) in
            (v[0] * v[0] + 10 * v[1] * v[1], [2 * v[0], 20 * v[1]])
        }
        #expect(capped.iterations <= 3)
    }

    @Test("LogisticRegression: probabilities, absent classes, max_iter = 0")
    func logisticBehaviour() throws {
        let x = randomMatrix(120, 3, seed: 5)
        // Classes 0, 1 and 3 of 4: class 2 never occurs.
        let labels = (0..<120).map { i -> Int in
            let score = x[i, 0] - 0.5 * x[i, 1]
            return score < -0.5 ? 0 : (score < 0.5 ? 1 : 3)
        }
        let estimator = try LogisticRegression(LogisticRegression.hyperParameters.resolve([:], estimator: "LogisticRegression"))
        let model = try #require(try estimator.fit(x, .classes(labels, classCount: 4), context: FitContext()) as? LogisticModel)
        #expect(model.classes == [0, 1, 3] && model.coefficientRows == 3)
        let probabilities = try model.predictProbabilities(x)
        #expect(probabilities.columns == 4)
        for i in 0..<x.rows {
            #expect(probabilities[i, 2] == 0)
            #expect(abs(probabilities.row(i).reduce(0, +) - 1) < 1e-12)
        }
        #expect(try model.predict(x).allSatisfy { $0 != 2 })
        let accuracy = zip(try model.predictClasses(x), labels).filter { $0 == $1 }.count
        #expect(accuracy > 100)
        // Multinomial intercepts sum to 0 (gradient steps from zero keep them so).
        #expect(abs(model.intercepts.reduce(0, +)) < 1e-8)

        // Two of three classes: the binary (sigmoid) formulation over classes 0 and 2.
        let binaryLabels = labels.map { $0 == 0 ? 0 : 2 }
        let binary = try #require(try estimator.fit(x, .classes(binaryLabels, classCount: 3), context: FitContext()) as? LogisticModel)
        #expect(binary.classes == [0, 2] && binary.coefficientRows == 1)
        let binaryProbabilities = try binary.predictProbabilities(x)
        #expect((0..<x.rows).allSatisfy { binaryProbabilities[$0, 1] == 0 })

        // No iterations: the zero model, uniform probabilities, the first class.
        let none = try LogisticRegression(LogisticRegression.hyperParameters.resolve(["max_iter": 0], estimator: "LogisticRegression"))
            .fit(x, .classes(labels.map { $0 == 3 ? 2 : $0 }, classCount: 3), context: FitContext())
        let uniform = try #require(none as? LogisticModel)
        #expect(uniform.coefficients.allSatisfy { $0 == 0 })
        #expect(try uniform.predictProbabilities(x).elements.allSatisfy { abs($0 - 1.0 / 3) < 1e-15 })
        #expect(try uniform.predict(x).allSatisfy { $0 == 0 })

        // Extreme but finite features: no overflow in the loss or the probabilities.
        let huge = try Matrix(rows: 4, columns: 1, elements: [-1e300, -1e299, 1e299, 1e300])
        let extreme = try estimator.fit(huge, .classes([0, 0, 1, 1], classCount: 2), context: FitContext())
        let extremeProbabilities = try #require(extreme as? LogisticModel).predictProbabilities(huge)
        #expect(extremeProbabilities.elements.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
    }

    @Test("bad input is a typed error, never a crash", arguments: ["Lasso", "ElasticNet", "LogisticRegression"])
    func badInput(_ name: String) throws {
        let estimator = try EstimatorCatalog.standard.makeEstimator(named: name)
        let isClassifier = name == "LogisticRegression"
        var x = randomMatrix(30, 3, seed: 6)
        let values = (0..<30).map { Double($0 % 3) }
        let y: Targets = isClassifier ? .classes(values.map { Int($0) }, classCount: 3) : .values(values)
        let context = FitContext()

        var bad = x
        bad[4, 2] = .nan
        #expect(estimatorError { _ = try estimator.fit(bad, y, context: context) } == .nonFiniteFeature(estimator: name, row: 4, column: 2))
        bad = x
        bad[7, 0] = -.infinity
        #expect(estimatorError { _ = try estimator.fit(bad, y, context: context) } == .nonFiniteFeature(estimator: name, row: 7, column: 0))
        if isClassifier {
            #expect(estimatorError { _ = try estimator.fit(x, .classes(Array(repeating: 1, count: 30), classCount: 3), context: context) }
                == .singleClass(estimator: name))
            #expect(estimatorError { _ = try estimator.fit(x, .classes(values.map { Int($0) * 2 }, classCount: 3), context: context) }
                == .invalidClass(estimator: name, row: 2, value: 4, classCount: 3))
            #expect(estimatorError { _ = try estimator.fit(x, .values(values), context: context) }
                == .shapeMismatch(estimator: name, details: "a classifier needs class indices, got real values"))
        } else {
            var badValues = values
            badValues[5] = .nan
            #expect(estimatorError { _ = try estimator.fit(x, .values(badValues), context: context) } == .nonFiniteTarget(estimator: name, row: 5))
            badValues[5] = .infinity
            #expect(estimatorError { _ = try estimator.fit(x, .values(badValues), context: context) } == .nonFiniteTarget(estimator: name, row: 5))
            #expect(estimatorError { _ = try estimator.fit(x, .classes([0, 1], classCount: 2), context: context) }
                == .shapeMismatch(estimator: name, details: "X has 30 rows but y has 2 values"))
        }
        let short: Targets = isClassifier ? .classes([0, 1], classCount: 2) : .values([0, 1])
        #expect(estimatorError { _ = try estimator.fit(x, short, context: context) }
            == .shapeMismatch(estimator: name, details: "X has 30 rows but y has 2 values"))

        let model = try estimator.fit(x, y, context: context)
        #expect(estimatorError { _ = try model.predict(randomMatrix(2, 4, seed: 7)) } == .featureCountMismatch(estimator: name, expected: 3, actual: 4))
        x[1, 1] = .nan
        #expect(estimatorError { _ = try model.predict(x) } == .nonFiniteFeature(estimator: name, row: 1, column: 1))
        if let classifier = model as? any TrainedClassifier {
            #expect(estimatorError { _ = try classifier.predictProbabilities(x) } == .nonFiniteFeature(estimator: name, row: 1, column: 1))
        }
    }

    @Test("payload round trip gives identical predictions", arguments: ["lasso-tight", "enet-default", "logistic-binary-tight", "logistic-3-tight"])
    func payloadRoundTrips(_ name: String) throws {
        let reference = try ReferenceFixture.named(name)
        let (model, test) = try reference.fit()
        let restored = try payloadRoundTrip(model)
        #expect(restored.estimatorName == reference.estimator)
        #expect(try restored.predict(test) == (try model.predict(test)))
        if let classifier = model as? any TrainedClassifier {
            let restoredClassifier = try #require(restored as? any TrainedClassifier)
            #expect(try restoredClassifier.predictProbabilities(test) == (try classifier.predictProbabilities(test)))
            #expect(try #require(restored as? LogisticModel) == (try #require(model as? LogisticModel)))
        } else {
            #expect(try #require(restored as? LinearModel) == (try #require(model as? LinearModel)))
        }
    }

    @Test("a tampered LogisticModel payload is refused")
    func tamperedLogisticPayload() throws {
        let (model, _) = try ReferenceFixture.named("logistic-3-tight").fit()
        #expect(isRefused(try tamperedPayload(model) { $0["classes"] = [2, 1, 0] }))
        #expect(isRefused(try tamperedPayload(model) { $0["classes"] = [0, 1, 5] }))
        #expect(isRefused(try tamperedPayload(model) { $0["coefficients"] = ($0["coefficients"] as? [Double]).map { Array($0.dropLast()) } }))
        #expect(isRefused(try tamperedPayload(model) { $0["intercepts"] = [0.5] }))
        #expect(isRefused(try tamperedPayload(model) { $0["featureCount"] = 0 }))
        #expect(isRefused(try tamperedPayload(model) { $0["featureCount"] = 4 }))  // disagrees with the envelope
        #expect(isRefused(try tamperedPayload(model) { $0["classCount"] = 1 }))
        #expect(isRefused(try tamperedPayload(model) { $0.removeValue(forKey: "intercepts") }))
        var garbage = try model.payload()
        garbage.body = Data("{\"coefficients\": \"NaN\"}".utf8)
        #expect(isRefused(garbage))
        // The untouched body still decodes.
        #expect(try EstimatorCatalog.standard.decodeModel(try tamperedPayload(model) { _ in }) is LogisticModel)
    }
}
