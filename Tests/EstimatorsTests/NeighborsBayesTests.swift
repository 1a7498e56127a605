import Foundation
import LinearAlgebra
import Testing
@testable import Estimators

@Suite("Neighbors and Bayes estimators: KNeighborsRegressor, KNeighborsClassifier, GaussianNB")
struct NeighborsBayesTests {
    static let neighborCases = ["knn-reg-uniform", "knn-reg-distance", "knn-clf-uniform", "knn-clf-distance", "knn-clf-binary-even-k",
                                "knn-clf-ties", "knn-reg-ties", "knn-clf-breast-cancer", "knn-reg-diabetes"]
    static let bayesCases = ["gnb-binary", "gnb-3", "gnb-4-smoothing", "gnb-wine"]

    @Test("every neighbours and Bayes reference case is tested")
    func fixtureCoverage() throws {
        let names = try ReferenceFixture.shared.get().cases
            .filter { ["KNeighborsRegressor", "KNeighborsClassifier", "GaussianNB"].contains($0.estimator) }.map(\.name)
        #expect(Set(names) == Set(Self.neighborCases + Self.bayesCases))
    }

    /// Same neighbours, same arithmetic (Gram-trick distances, then mean / inverse-distance
    /// weights / vote shares): predictions and probabilities within 1e-8. On test rows
    /// where the k-th and (k+1)-th neighbours are exactly tied, scikit-learn's heap keeps
    /// an arbitrary one of them; there this library's rule (lower training index) is
    /// checked against the script's stable-sort reference instead.
    @Test("k-nearest neighbours match scikit-learn within 1e-8", arguments: neighborCases)
    func neighborParity(_ name: String) throws {
        let reference = try ReferenceFixture.named(name)
        let (model, test) = try reference.fit()
        let predicted = try model.predict(test)
        let tied = Dictionary(uniqueKeysWithValues: zip(try #require(reference.boundaryTies), try #require(reference.stablePredictions)))
        var deviation = 0.0, tieDeviation = 0.0
        for (i, (ours, theirs)) in zip(predicted, reference.predictions).enumerated() {
            if let stable = tied[i] {
                tieDeviation = max(tieDeviation, abs(ours - stable) / max(1, abs(stable)))
            } else {
                deviation = max(deviation, abs(ours - theirs) / max(1, abs(theirs)))
            }
        }
        var probabilityDeviation = 0.0
        if let classifier = model as? any TrainedClassifier {
            let ours = try classifier.predictProbabilities(test), theirs = try #require(reference.probabilities)
            let k = classifier.classCount
            for i in 0..<test.rows where tied[i] == nil {
                for c in 0..<k { probabilityDeviation = max(probabilityDeviation, abs(ours[i, c] - theirs[i * k + c])) }
            }
        }
        print("parity \(name): predictions \(deviation), probabilities \(probabilityDeviation), tied rows \(tied.count) (deviation \(tieDeviation))")
        #expect(deviation <= 1e-8)
        #expect(probabilityDeviation <= 1e-8)
        #expect(tieDeviation <= 1e-12)
    }

    /// The same per-class means and variances and the same log-likelihood formula:
    /// identical classes and probabilities within 1e-8.
    @Test("GaussianNB matches scikit-learn within 1e-8", arguments: bayesCases)
    func bayesParity(_ name: String) throws {
        let reference = try ReferenceFixture.named(name)
        let (model, test) = try reference.fit()
        let classifier = try #require(model as? GaussianNBModel)
        let probabilities = maxAbsoluteDifference(try classifier.predictProbabilities(test).elements, try #require(reference.probabilities))
        print("parity \(name): probabilities \(probabilities)")
        #expect(try model.predict(test) == reference.predictions)
        #expect(probabilities <= 1e-8)
    }

    @Test("hyper-parameters: scikit-learn's names, defaults and ranges")
    func hyperParameterSchemas() throws {
        for schema in [KNeighborsRegressor.hyperParameters, KNeighborsClassifier.hyperParameters] {
            let defaults = try schema.resolve([:], estimator: "KNeighbors")
            #expect(defaults.int("n_neighbors") == 5 && defaults.string("weights") == "uniform" && defaults.double("p") == 2)
            #expect(throws: EstimatorError.self) { try schema.resolve(["p": 1], estimator: "KNeighbors") }
            #expect(throws: EstimatorError.self) { try schema.resolve(["n_neighbors": 0], estimator: "KNeighbors") }
            #expect(throws: EstimatorError.self) { try schema.resolve(["weights": "gaussian"], estimator: "KNeighbors") }
        }
        let bayes = try GaussianNB.hyperParameters.resolve([:], estimator: "GaussianNB")
        #expect(bayes.double("var_smoothing") == 1e-9)
        #expect(throws: EstimatorError.self) { try GaussianNB.hyperParameters.resolve(["var_smoothing": -1], estimator: "GaussianNB") }
        let catalog = EstimatorCatalog.standard
        #expect(catalog.names(for: .regression).contains("KNeighborsRegressor"))
        #expect(Set(["KNeighborsClassifier", "GaussianNB"]).isSubset(of: catalog.names(for: .classification)))
    }

    @Test("neighbours: ties go to the lower training index; exact matches dominate distance weights")
    func neighborRules() throws {
        // Training rows 0…3 at distance 1 from the origin, row 4 at distance 2.
        let training = try Matrix([[1, 0], [0, 1], [-1, 0], [0, -1], [2, 0]])
        let search = NeighborSearch(training)
        let (indices, distances) = try search.nearest(try Matrix([[0, 0], [2, 0]]), k: 3)
        #expect(Array(indices[0..<3]) == [0, 1, 2])
        #expect(Array(distances[0..<3]) == [1, 1, 1])
        #expect(indices[3] == 4 && distances[3] == 0 && indices[4] == 0)

        let parameters = try KNeighborsRegressor.hyperParameters.resolve(["n_neighbors": 4, "weights": "distance"], estimator: "KNeighborsRegressor")
        let regressor = try KNeighborsRegressor(parameters).fit(training, .values([10, 20, 30, 40, 50]), context: FitContext())
        // At a training row only that row counts; elsewhere 1/distance weights.
        let predicted = try regressor.predict(try Matrix([[2, 0], [0.5, 0]]))
        #expect(predicted[0] == 50)
        // From (0.5, 0): row 0 at 0.5, rows 1 and 3 at √1.25, rows 2 and 4 at 1.5 (exact in
        // the Gram trick): the fourth neighbour is row 2, the lower index of the tie.
        let w = [1 / 0.5, 1 / 1.25.squareRoot(), 1 / 1.25.squareRoot(), 1 / 1.5]
        #expect(abs(predicted[1] - (10 * w[0] + 20 * w[1] + 40 * w[2] + 30 * w[3]) / w.reduce(0, +)) < 1e-12)

        // Vote ties go to the lowest class index; shares sum to 1.
        let classifier = try KNeighborsClassifier(try KNeighborsClassifier.hyperParameters.resolve(["n_neighbors": 4], estimator: "KNeighborsClassifier"))
            .fit(training, .classes([2, 1, 2, 1, 0], classCount: 3), context: FitContext())
        let shares = try #require(classifier as? any TrainedClassifier).predictProbabilities(try Matrix([[0, 0]]))
        #expect(shares.elements == [0, 0.5, 0.5])
        #expect(try classifier.predict(try Matrix([[0, 0]])) == [1])
    }

    @Test("bad input is a typed error, never a crash", arguments: ["KNeighborsRegressor", "KNeighborsClassifier", "GaussianNB"])
    func badInput(_ name: String) throws {
        let estimator = try EstimatorCatalog.standard.makeEstimator(named: name)
        let isClassifier = name != "KNeighborsRegressor"
        var x = randomMatrix(20, 3, seed: 8)
        let values = (0..<20).map { Double($0 % 2) }
        let y: Targets = isClassifier ? .classes(values.map { Int($0) }, classCount: 2) : .values(values)
        let context = FitContext()

        var bad = x
        bad[3, 1] = .nan
        #expect(estimatorError { _ = try estimator.fit(bad, y, context: context) } == .nonFiniteFeature(estimator: name, row: 3, column: 1))
        bad = x
        bad[0, 0] = .infinity
        #expect(estimatorError { _ = try estimator.fit(bad, y, context: context) } == .nonFiniteFeature(estimator: name, row: 0, column: 0))
        if isClassifier {
            #expect(estimatorError { _ = try estimator.fit(x, .classes(Array(repeating: 0, count: 20), classCount: 2), context: context) }
                == .singleClass(estimator: name))
            #expect(estimatorError { _ = try estimator.fit(x, .classes(Array(repeating: 0, count: 20), classCount: 1), context: context) }
                == .singleClass(estimator: name))
            #expect(estimatorError { _ = try estimator.fit(x, .classes(values.map { Int($0) - 1 }, classCount: 2), context: context) }
                == .invalidClass(estimator: name, row: 0, value: -1, classCount: 2))
        } else {
            var badValues = values
            badValues[9] = -.infinity
            #expect(estimatorError { _ = try estimator.fit(x, .values(badValues), context: context) } == .nonFiniteTarget(estimator: name, row: 9))
        }
        #expect(estimatorError { _ = try estimator.fit(randomMatrix(20, 0, seed: 1), y, context: context) }
            == .shapeMismatch(estimator: name, details: "X has no feature columns"))

        let model = try estimator.fit(x, y, context: context)
        #expect(estimatorError { _ = try model.predict(randomMatrix(2, 2, seed: 9)) } == .featureCountMismatch(estimator: name, expected: 3, actual: 2))
        x[19, 2] = .nan
        #expect(estimatorError { _ = try model.predict(x) } == .nonFiniteFeature(estimator: name, row: 19, column: 2))
        if let classifier = model as? any TrainedClassifier {
            #expect(estimatorError { _ = try classifier.predictProbabilities(x) } == .nonFiniteFeature(estimator: name, row: 19, column: 2))
        }
    }

    @Test("fewer training rows than n_neighbors is tooFewSamples", arguments: ["KNeighborsRegressor", "KNeighborsClassifier"])
    func tooFewRows(_ name: String) throws {
        let estimator = try EstimatorCatalog.standard.makeEstimator(named: name, hyperParameters: ["n_neighbors": 7])
        let x = randomMatrix(6, 2, seed: 10)
        let y: Targets = name == "KNeighborsClassifier" ? .classes([0, 1, 0, 1, 0, 1], classCount: 2) : .values([1, 2, 3, 4, 5, 6])
        #expect(estimatorError { _ = try estimator.fit(x, y, context: FitContext()) }
            == .tooFewSamples(estimator: name, needed: 7, got: 6, reason: "n_neighbors = 7"))
        // Exactly n_neighbors rows is enough: every row is a neighbour of every query.
        let enough = try EstimatorCatalog.standard.makeEstimator(named: name, hyperParameters: ["n_neighbors": 6]).fit(x, y, context: FitContext())
        let predicted = try enough.predict(randomMatrix(3, 2, seed: 11))
        #expect(predicted == Array(repeating: name == "KNeighborsClassifier" ? 0 : 3.5, count: 3))
    }

    @Test("GaussianNB: constant features are a typed error; absent classes have probability 0")
    func bayesEdges() throws {
        let estimator = try EstimatorCatalog.standard.makeEstimator(named: "GaussianNB")
        let constant = Matrix(rows: 10, columns: 2, repeating: 3)
        let labels = (0..<10).map { $0 % 2 }
        guard case .fitFailed(let name, _) = estimatorError({ _ = try estimator.fit(constant, .classes(labels, classCount: 2), context: FitContext()) }) else {
            Issue.record("expected fitFailed for constant features")
            return
        }
        #expect(name == "GaussianNB")

        let x = randomMatrix(60, 2, seed: 12)
        let threeOfFour = (0..<60).map { x[$0, 0] < -0.3 ? 0 : (x[$0, 0] < 0.3 ? 1 : 3) }
        let model = try #require(try estimator.fit(x, .classes(threeOfFour, classCount: 4), context: FitContext()) as? GaussianNBModel)
        #expect(model.classes == [0, 1, 3])
        #expect(abs(model.priors.reduce(0, +) - 1) < 1e-15)
        let probabilities = try model.predictProbabilities(x)
        for i in 0..<x.rows {
            #expect(probabilities[i, 2] == 0)
            #expect(abs(probabilities.row(i).reduce(0, +) - 1) < 1e-12)
        }
        // Far from every class mean: log-probabilities, no underflow to 0/0.
        let far = try model.predictProbabilities(try Matrix([[1e6, -1e6]]))
        #expect(far.elements.allSatisfy(\.isFinite) && abs(far.elements.reduce(0, +) - 1) < 1e-12)
    }

    @Test("payload round trip gives identical predictions", arguments: ["knn-reg-distance", "knn-clf-uniform", "gnb-3"])
    func payloadRoundTrips(_ name: String) throws {
        let reference = try ReferenceFixture.named(name)
        let (model, test) = try reference.fit()
        let restored = try payloadRoundTrip(model)
        #expect(restored.estimatorName == reference.estimator)
        #expect(type(of: restored) == type(of: model))
        #expect(try restored.predict(test) == (try model.predict(test)))
        if let classifier = model as? any TrainedClassifier {
            #expect(try #require(restored as? any TrainedClassifier).predictProbabilities(test) == (try classifier.predictProbabilities(test)))
        }
    }

    @Test("tampered payloads are refused")
    func tamperedPayloads() throws {
        let (regressor, _) = try ReferenceFixture.named("knn-reg-uniform").fit()
        #expect(isRefused(try tamperedPayload(regressor) { $0["neighborCount"] = 100_000 }))
        #expect(isRefused(try tamperedPayload(regressor) { $0["neighborCount"] = 0 }))
        #expect(isRefused(try tamperedPayload(regressor) { $0["targets"] = [1.0, 2.0] }))
        #expect(isRefused(try tamperedPayload(regressor) { $0["trainingRows"] = ($0["trainingRows"] as? [Double]).map { Array($0.dropFirst()) } }))
        #expect(isRefused(try tamperedPayload(regressor) { $0["weights"] = "gaussian" }))

        let (classifier, _) = try ReferenceFixture.named("knn-clf-uniform").fit()
        #expect(isRefused(try tamperedPayload(classifier) { $0["labels"] = ($0["labels"] as? [Int]).map { [7] + $0.dropFirst() } }))
        #expect(isRefused(try tamperedPayload(classifier) { $0["classCount"] = 1 }))

        let (bayes, _) = try ReferenceFixture.named("gnb-3").fit()
        #expect(isRefused(try tamperedPayload(bayes) { $0["variances"] = ($0["variances"] as? [Double]).map { [-1] + $0.dropFirst() } }))
        #expect(isRefused(try tamperedPayload(bayes) { $0["priors"] = [0.5, 0.5, 0.5] }))
        #expect(isRefused(try tamperedPayload(bayes) { $0["means"] = [0.0] }))
        #expect(isRefused(try tamperedPayload(bayes) { $0["classes"] = [0, 0, 1] }))
        // The untouched bodies still decode.
        for model in [regressor, classifier, bayes] {
            #expect(try EstimatorCatalog.standard.decodeModel(try tamperedPayload(model) { _ in }).estimatorName == model.estimatorName)
        }
    }
}
