import Foundation
import LinearAlgebra
import Scoring
import Testing
@testable import Estimators

/// A custom estimator as a host would write one: predicts the training mean, and records
/// what the pipeline told it.
struct MeanRegressor: Estimator {
    static let name = "MeanRegressor"
    static let task = PredictionTask.regression
    static let hyperParameters = HyperParameterSchema([
        .double("shrink", default: 0, min: 0, max: 1, "Pull the mean towards zero by this share."),
    ])
    let shrink: Double
    init(_ parameters: HyperParameters) { shrink = parameters.double("shrink") ?? 0 }

    func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (_, _, values) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task)
        guard context.primaryScore != nil else { throw .fitFailed(estimator: Self.name, reason: "needs the primary score") }
        let mean = values.reduce(0, +) / Double(values.count) * (1 - shrink)
        return LinearModel(estimatorName: Self.name, coefficients: [Double](repeating: 0, count: x.columns), intercept: mean)
    }
}

@Suite("Estimator core: hyper-parameters, catalog, payloads")
struct CoreTests {
    @Test("defaults are scikit-learn's and every problem is reported at once")
    func hyperParameters() throws {
        let schema = Ridge.hyperParameters
        let defaults = try schema.resolve([:], estimator: "Ridge")
        #expect(defaults.double("alpha") == 1.0 && defaults.bool("fit_intercept"))
        let intAsDouble = try schema.resolve(["alpha": 2], estimator: "Ridge")
        #expect(intAsDouble["alpha"] == .double(2))
        #expect(throws: EstimatorError.invalidHyperParameters(estimator: "Ridge", problems: [
            "unknown hyper-parameter 'alpah' (known: alpha, fit_intercept)",
            "unknown hyper-parameter 'solver' (known: alpha, fit_intercept)",
            "alpha must be ≥ 0.0, got -1.0",
            "fit_intercept must be True or False, got 'yes'",
        ])) {
            _ = try schema.resolve(["alpah": 1, "solver": "svd", "alpha": -1.0, "fit_intercept": "yes"], estimator: "Ridge")
        }
        #expect(throws: EstimatorError.invalidHyperParameters(estimator: "Ridge", problems: ["alpha must not be None"])) {
            _ = try schema.resolve(["alpha": nil], estimator: "Ridge")
        }
    }

    @Test("spec kinds check ranges, choices, optional None and non-finite numbers")
    func specKinds() {
        let depth = HyperParameterSpec.int("max_depth", default: nil, min: 1, "Depth.")
        #expect(depth.isOptional && depth.defaultValue == .none)
        #expect((try? depth.check(nil).get()) == HyperParameterValue.none)
        #expect((try? depth.check(0).get()) == nil)
        let criterion = HyperParameterSpec.choice("criterion", ["gini", "entropy"], default: "gini", "Split quality.")
        #expect((try? criterion.check("entropy").get()) == .string("entropy"))
        if case .failure(let problem) = criterion.check("mse") {
            #expect(problem.message == "criterion must be one of 'gini', 'entropy', got 'mse'")
        } else {
            Issue.record("mse accepted")
        }
        let rate = HyperParameterSpec.double("learning_rate", default: 0.1, min: 0, minInclusive: false, "Shrinkage.")
        #expect((try? rate.check(0.0).get()) == nil)
        #expect((try? rate.check(.double(.infinity)).get()) == nil)
        #expect((try? rate.check(true).get()) == nil)
    }

    @Test("the catalog lists estimators by task and makes configured estimators")
    func catalog() throws {
        let catalog = EstimatorCatalog.standard
        #expect(catalog.names(for: .regression).contains("LinearRegression"))
        #expect(catalog.names(for: .regression).contains("Ridge"))
        #expect(catalog.names(for: .classification).allSatisfy { try! catalog.estimatorType(named: $0).task == .classification })
        let ridge = try catalog.makeEstimator(named: "Ridge", hyperParameters: ["alpha": 0.5])
        #expect((ridge as? Ridge)?.alpha == 0.5)
        #expect(throws: EstimatorError.unknownEstimator("SVC", available: catalog.names)) {
            _ = try catalog.makeEstimator(named: "SVC")
        }
        #expect(throws: EstimatorError.invalidHyperParameters(estimator: "Ridge", problems: [
            "unknown hyper-parameter 'C' (known: alpha, fit_intercept)",
        ])) {
            _ = try catalog.makeEstimator(named: "Ridge", hyperParameters: ["C": 1])
        }
    }

    @Test("a custom estimator registers, reads the pipeline's settings, and its duplicate name is refused")
    func customEstimator() throws {
        var catalog = EstimatorCatalog.standard
        try catalog.register(MeanRegressor.self)
        #expect(throws: EstimatorError.duplicateEstimator("MeanRegressor")) { try catalog.register(MeanRegressor.self) }
        let estimator = try catalog.makeEstimator(named: "MeanRegressor", hyperParameters: ["shrink": 0.5])
        let x = try Matrix([[1], [2], [3]])
        #expect(throws: EstimatorError.fitFailed(estimator: "MeanRegressor", reason: "needs the primary score")) {
            _ = try estimator.fit(x, .values([1, 2, 3]), context: FitContext())
        }
        let context = FitContext(threads: 2, validation: .kFold(folds: 5, seed: 1), primaryScore: "r2")
        let model = try estimator.fit(x, .values([2, 4, 6]), context: context)
        #expect(try model.predict(try Matrix([[10]])) == [2])
    }

    @Test("LinearRegression recovers an exact linear relation; Ridge shrinks towards zero")
    func linearFits() throws {
        let x = randomMatrix(100, 3, seed: 1)
        let truth = [2.0, -1.0, 0.5]
        let y = try BLAS.gemv(x, truth).map { $0 + 3 }
        let ols = try LinearRegression(try LinearRegression.hyperParameters.resolve([:], estimator: "LinearRegression"))
            .fit(x, .values(y), context: FitContext())
        let linear = try #require(ols as? LinearModel)
        #expect(maxRelativeDifference(linear.coefficients, truth) < 1e-12)
        #expect(abs(linear.intercept - 3) < 1e-12)
        let strong = try EstimatorCatalog.standard.makeEstimator(named: "Ridge", hyperParameters: ["alpha": 1000])
            .fit(x, .values(y), context: FitContext())
        let shrunk = try #require(strong as? LinearModel)
        #expect(zip(shrunk.coefficients, truth).allSatisfy { abs($0.0) < abs($0.1) })
        let noIntercept = try EstimatorCatalog.standard.makeEstimator(named: "LinearRegression", hyperParameters: ["fit_intercept": false])
            .fit(x, .values(y), context: FitContext())
        #expect((noIntercept as? LinearModel)?.intercept == 0)
    }

    @Test("features far from zero (the blocked centering path) fit as accurately as centered ones", arguments: [1e4, 1e7])
    func largeOffsets(offset: Double) throws {
        let centered = randomMatrix(5_000, 4, seed: 8)
        let shifted = Matrix(rows: 5_000, columns: 4) { i, j in centered[i, j] + offset * Double(j + 1) }
        let truth = [1.5, -2.0, 0.25, 3.0]
        let y = try BLAS.gemv(centered, truth).map { $0 + 7 }
        for name in ["LinearRegression", "Ridge"] {
            let estimator = try EstimatorCatalog.standard.makeEstimator(named: name, hyperParameters: name == "Ridge" ? ["alpha": 1e-9] : [:])
            let reference = try #require(try estimator.fit(centered, .values(y), context: FitContext()) as? LinearModel)
            let model = try #require(try estimator.fit(shifted, .values(y), context: FitContext()) as? LinearModel)
            #expect(maxRelativeDifference(model.coefficients, reference.coefficients) < 1e-9, "\(name) offset \(offset)")
            // Predicting X·w + b with |X·w| ≈ |b| ≈ 10·offset cancels: ~ε·offset is the best
            // possible, times the rounding of the fit's own sums, which depends on the BLAS
            // kernels (2.6e-7 at offset 1e7 with OpenBLAS's generic Prescott kernels, which
            // Debian's 0.3.21 picks on CPUs newer than it knows; under 1e-7 with SkylakeX's).
            let predictionDifference = maxRelativeDifference(try model.predict(shifted), try reference.predict(centered))
            #expect(predictionDifference < 1e-13 * offset, "\(name) offset \(offset): \(predictionDifference)")
        }
    }

    @Test("bad input: NaN in X or y, mismatched rows, wrong feature count at predict, a classifier target")
    func badInput() throws {
        let estimator = try EstimatorCatalog.standard.makeEstimator(named: "LinearRegression")
        var x = randomMatrix(10, 2, seed: 2)
        let y = (0..<10).map(Double.init)
        x[4, 1] = .nan
        #expect(estimatorError { _ = try estimator.fit(x, .values(y), context: FitContext()) }
            == .nonFiniteFeature(estimator: "LinearRegression", row: 4, column: 1))
        x[4, 1] = 0
        var badY = y
        badY[7] = .infinity
        #expect(estimatorError { _ = try estimator.fit(x, .values(badY), context: FitContext()) }
            == .nonFiniteTarget(estimator: "LinearRegression", row: 7))
        #expect(estimatorError { _ = try estimator.fit(x, .values([1, 2]), context: FitContext()) }
            == .shapeMismatch(estimator: "LinearRegression", details: "X has 10 rows but y has 2 values"))
        #expect(estimatorError { _ = try estimator.fit(x, .classes([0, 1], classCount: 2), context: FitContext()) } != nil)
        let model = try estimator.fit(x, .values(y), context: FitContext())
        #expect(estimatorError { _ = try model.predict(randomMatrix(2, 3, seed: 3)) }
            == .featureCountMismatch(estimator: "LinearRegression", expected: 2, actual: 3))
        #expect(estimatorError { _ = try model.predict(try Matrix([[1, .infinity]])) }
            == .nonFiniteFeature(estimator: "LinearRegression", row: 0, column: 1))
    }

    @Test("payloads round-trip through bytes and the catalog with identical predictions")
    func payloadRoundTrip() throws {
        let x = randomMatrix(50, 4, seed: 5)
        let y = try BLAS.gemv(x, [1, 2, 3, 4])
        let model = try EstimatorCatalog.standard.makeEstimator(named: "Ridge").fit(x, .values(y), context: FitContext())
        let bytes = try model.payload().encoded()
        let decoded = try EstimatorCatalog.standard.decodeModel(try ModelPayload(decoding: bytes))
        #expect(try decoded.predict(x) == (try model.predict(x)))
        #expect(decoded.estimatorName == "Ridge" && decoded.featureCount == 4)
        #expect(try decoded.payload().encoded() == bytes)
    }

    @Test("altered, truncated, unknown-kind and future-version payloads are refused")
    func payloadTampering() throws {
        let model = LinearModel(estimatorName: "Ridge", coefficients: [1, 2], intercept: 0)
        let payload = try model.payload()
        let bytes = try payload.encoded()
        guard case .invalidPayload? = estimatorError({ _ = try ModelPayload(decoding: bytes.prefix(bytes.count / 2)) }) else {
            Issue.record("truncated payload accepted")
            return
        }
        var future = payload
        future.version = 3
        #expect(estimatorError { _ = try ModelPayload(decoding: try future.encoded()) }
            == .invalidPayload("unsupported payload version 3 (this library reads versions 1 to 2)"))
        var unknown = payload
        unknown.kind = "PickledPython"
        guard case .invalidPayload(let message)? = estimatorError({ _ = try EstimatorCatalog.standard.decodeModel(unknown) }) else { return }
        #expect(message.hasPrefix("unknown model kind 'PickledPython'"))
        var empty = payload
        empty.body = try JSONEncoder().encode(LinearModel(estimatorName: "Ridge", coefficients: [], intercept: 0))
        #expect(estimatorError { _ = try EstimatorCatalog.standard.decodeModel(empty) }
            == .invalidPayload("LinearModel needs at least one coefficient and finite values"))
        var mismatched = payload
        mismatched.featureCount = 3
        #expect(estimatorError { _ = try EstimatorCatalog.standard.decodeModel(mismatched) }
            == .invalidPayload("the LinearModel body does not match its envelope"))
        var garbage = payload
        garbage.body = Data("{\"coefficients\": \"rm -rf /\"}".utf8)
        guard case .invalidPayload? = estimatorError({ _ = try EstimatorCatalog.standard.decodeModel(garbage) }) else { return }
    }
}
