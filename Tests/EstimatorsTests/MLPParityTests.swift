import Foundation
import LinearAlgebra
import Testing
@testable import Estimators

/// `Fixtures/mlp_reference.json`, written by `Scripts/reference/mlp_reference.py`.
struct MLPReference: Decodable, Sendable {
    /// scikit-learn's test scores of one configuration for random_state 0…9.
    struct ScoreCase: Decodable, Sendable, CustomTestStringConvertible {
        let dataset: String
        let estimator: String
        let hyperParameters: [String: ReferenceParameter]
        let metric: String
        let scores: [Double]
        let mean: Double
        let std: Double
        let swiftSeeds: Int

        var parameters: [String: HyperParameterValue] { hyperParameters.mapValues(\.value) }
        var testDescription: String {
            "\(estimator) on \(dataset) " + parameters.keys.sorted().map { "\($0)=\(parameters[$0] ?? .none)" }.joined(separator: " ")
        }
    }

    let sklearnVersion: String
    let splits: [String: [Int]]
    let cases: [ScoreCase]
    let tolerance: Double

    /// Decoded once for every test.
    static let shared = Result { try loadFixture(MLPReference.self, "mlp_reference.json") }

    static var allCases: [ScoreCase] { (try? shared.get().cases) ?? [] }

    /// A data set's training and test rows, prepared as the reference script prepares them:
    /// digits' pixels divided by 16; diabetes' features and target standardized with the
    /// training rows' mean and population standard deviation.
    static func data(_ dataset: String) throws -> (x: Matrix, y: Targets, test: Matrix, truth: [Double]) {
        let all = try loadDataset(dataset)
        let testRows = try #require(try shared.get().splits[dataset])
        let testSet = Set(testRows)
        let trainRows = (0..<all.x.rows).filter { !testSet.contains($0) }
        var x = all.x, y = all.y
        if dataset == "digits" {
            x = Matrix(rows: x.rows, columns: x.columns) { i, j in all.x[i, j] / 16 }
            let classes = trainRows.map { Int(y[$0]) }
            return (try rows(x, trainRows), .classes(classes, classCount: 10), try rows(x, testRows), testRows.map { y[$0] })
        }
        let (means, scales) = standardization(trainRows.map { Array(all.x.row($0)) })
        x = Matrix(rows: x.rows, columns: x.columns) { i, j in (all.x[i, j] - means[j]) / scales[j] }
        let (yMean, yScale) = standardization(trainRows.map { [all.y[$0]] })
        y = all.y.map { ($0 - yMean[0]) / yScale[0] }
        return (try rows(x, trainRows), .values(trainRows.map { y[$0] }), try rows(x, testRows), testRows.map { y[$0] })
    }

    /// Column means and population standard deviations.
    static func standardization(_ rows: [[Double]]) -> (means: [Double], scales: [Double]) {
        let n = Double(rows.count), width = rows.first?.count ?? 0
        let means = (0..<width).map { j in rows.reduce(0) { $0 + $1[j] } / n }
        let scales = (0..<width).map { j in (rows.reduce(0) { $0 + ($1[j] - means[j]) * ($1[j] - means[j]) } / n).squareRoot() }
        return (means, scales)
    }
}

// One case at a time, each on a Dispatch thread (its fits use 2 threads): fourteen cases at
// once would oversubscribe the 2 cores for a minute and starve the timing tests beside them.
@Suite("MLP parity with scikit-learn 1.9.1: test scores on digits and diabetes", .serialized)
struct MLPParityTests {
    @Test("the reference fixture loads and covers both estimators, both stochastic solvers, lbfgs and early stopping")
    func fixtureLoads() throws {
        let reference = try MLPReference.shared.get()
        #expect(reference.sklearnVersion == "1.9.1")
        #expect(Set(reference.cases.map(\.estimator)) == ["MLPClassifier", "MLPRegressor"])
        let solvers = Set(reference.cases.map { $0.parameters["solver"] ?? "adam" })
        #expect(solvers == ["adam", "sgd", "lbfgs"])
        #expect(reference.cases.contains { $0.parameters["early_stopping"] == true && $0.estimator == "MLPClassifier" })
        #expect(reference.cases.contains { $0.parameters["early_stopping"] == true && $0.estimator == "MLPRegressor" })
    }

    @Test("our mean test score over the first seeds is within the tolerance of scikit-learn's mean over ten",
          arguments: MLPReference.allCases)
    func score(_ reference: MLPReference.ScoreCase) async throws {
        let tolerance = try MLPReference.shared.get().tolerance
        let (x, y, test, truth) = try MLPReference.data(reference.dataset)
        // Seconds of fitting per case: off the cooperative pool (see offCooperativePool).
        let scores = try await offCooperativePool { () throws -> [Double] in
            var scores: [Double] = []
            for seed in 0..<reference.swiftSeeds {
                var parameters = reference.parameters
                parameters["random_state"] = .int(seed)
                let estimator = try EstimatorCatalog.standard.makeEstimator(named: reference.estimator, hyperParameters: parameters)
                let predictions = try estimator.fit(x, y, context: FitContext(threads: 2)).predict(test)
                scores.append(reference.metric == "accuracy" ? TreesReference.accuracy(predictions, truth) : TreesReference.r2(predictions, truth))
            }
            return scores
        }
        let mean = scores.reduce(0, +) / Double(scores.count)
        print("MLP parity: \(reference.testDescription): ours \(mean) over \(scores.count) seeds, scikit-learn \(reference.mean) ± \(reference.std)")
        #expect(abs(mean - reference.mean) <= tolerance,
                "ours \(mean) (\(scores)) vs scikit-learn \(reference.mean) ± \(reference.std) (\(reference.scores))")
    }
}
