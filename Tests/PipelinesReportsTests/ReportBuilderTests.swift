import Foundation
import Pipelines
import PipelinesReports
import Tabular
import Testing

/// Pipelines trained on small generated tables, reported on.
@Suite("Gathering a pipeline's report from the store")
struct ReportBuilderTests {
    /// Two classes decided by `a` (with `b` pure noise and a few rows against the rule).
    static func classificationTable(rows: Int = 120) throws -> Table {
        let a = (0..<rows).map { Double(($0 * 37) % 101) / 100 }
        let b = (0..<rows).map { Double(($0 * 53) % 97) / 96 }
        let label = (0..<rows).map { row -> String in
            let positive = a[row] > 0.5
            return (row % 17 == 0 ? !positive : positive) ? "yes" : "no"
        }
        return try Table([
            Column(name: "id", integer: (0..<rows).map { $0 }), Column(name: "a", numeric: a), Column(name: "b", numeric: b),
            Column(name: "label", categorical: label),
        ])
    }

    static func classificationPipeline(_ workspace: Workspace) async throws -> Pipeline {
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "classes")
        let table = try classificationTable()
        try await pipeline.configure { config in
            config.dataset = DatasetStep(
                training: .table(table), split: RandomSplit(testFraction: 0.3, seed: 3), label: "label", features: .columns(["a", "b"]),
                keys: ["id"])
            config.training = TrainingStep(estimator: "DecisionTreeClassifier", validation: .holdout(fraction: 0.25, seed: 1))
            config.tuning["max_depth"] = .multiple([1, 3])
        }
        return pipeline
    }

    @Test("a classifier's report: models, the grid, scores by version, the deployed model's confusion matrix, ROC and PR curves, importances, deployments, runs")
    func classification() async throws {
        let workspace = Workspace(store: InMemoryStore())
        let pipeline = try await Self.classificationPipeline(workspace)
        let first = try await pipeline.run().result()
        try #require(first.status == .succeeded, "\(first.outcomes)")
        try await pipeline.configure { $0.tuning["max_depth"] = .multiple([2]) }
        let second = try await pipeline.run().result()
        try #require(second.status == .succeeded, "\(second.outcomes)")
        let deployed = try #require(first.savedModels.first)
        try await pipeline.deployment.deploy(deployed)

        let report = try await ReportBuilder(workspace: workspace).report(of: pipeline)
        #expect(report.repository == "R" && report.pipeline == "classes" && report.task == "classification")
        #expect(report.models.map(\.version) == [2, 1], "newest first")
        #expect(report.models.filter(\.deployed).map(\.version) == [1])
        #expect(report.combinations.count == 3, "two combinations in the first run, one in the second")
        #expect(report.scoreHistory.map(\.configurationVersion) == [1, 2])
        #expect(report.scoreHistory.allSatisfy { $0.validation != nil && $0.testing != nil })
        #expect(report.deployments.map(\.modelVersion) == [1])
        #expect(report.runs.count == 2 && report.runs.allSatisfy { $0.jobs.count == 4 })
        #expect(report.runs.allSatisfy { run in run.jobs.first { $0.job == "training" }?.seconds != nil }, "the training job's duration")

        let diagnostics = try #require(report.diagnostics)
        #expect(diagnostics.modelVersion == 1 && diagnostics.reason == "deployed")
        guard case .classification(let classification) = diagnostics.kind else {
            Issue.record("a classifier has classification diagnostics")
            return
        }
        #expect(classification.classes == ["no", "yes"])
        #expect(classification.confusion.flatMap { $0 }.reduce(0, +) == diagnostics.rows)
        #expect(diagnostics.rows == 36, "30% of 120 rows")
        // Binary: one curve of the positive (second) class.
        #expect(classification.roc.map(\.label) == ["yes"] && classification.precisionRecall.map(\.label) == ["yes"])
        let roc = try #require(classification.roc.first)
        #expect(roc.x.first == 0 && roc.y.first == 0 && roc.x.last == 1 && roc.y.last == 1)
        #expect(roc.area > 0.8, "the tree separates the classes")
        // The testing rows the confusion matrix counts: correct ones on the diagonal.
        let correct = classification.confusion.indices.map { classification.confusion[$0][$0] }.reduce(0, +)
        let accuracy = try #require(report.models.first { $0.version == 1 }?.testingScores.first { $0.name == "accuracy" }?.value)
        #expect(abs(Double(correct) / Double(diagnostics.rows) - accuracy) < 1e-12)

        let importances = try #require(diagnostics.importances)
        #expect(importances.kind == "impurity" && importances.features == ["a", "b"])
        let values = try #require(importances.series.first?.values)
        #expect(abs(values.reduce(0, +) - 1) < 1e-12)
        #expect(values[0] > values[1], "the label follows a, not b")
    }

    @Test("without a deployment the best testing score is diagnosed; a regressor gets its scatter and coefficients")
    func regression() async throws {
        let workspace = Workspace(store: InMemoryStore())
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "line")
        let x = (0..<60).map { Double($0) }
        let table = try Table([
            Column(name: "x", numeric: x), Column(name: "z", numeric: x.map { Double(Int($0) % 5) }),
            Column(name: "y", numeric: x.map { 3 * $0 - 2 }),
        ])
        try await pipeline.configure { config in
            config.dataset = DatasetStep(training: .table(table), split: RandomSplit(testFraction: 0.25, seed: 2), label: "y")
            config.training = TrainingStep(estimator: "LinearRegression", validation: .none)
        }
        let run = try await pipeline.run().result()
        try #require(run.status == .succeeded, "\(run.outcomes)")
        let report = try await ReportBuilder(workspace: workspace).report(of: pipeline)
        let diagnostics = try #require(report.diagnostics)
        #expect(diagnostics.reason.hasPrefix("best testing"))
        guard case .regression(let regression) = diagnostics.kind else {
            Issue.record("a regressor has regression diagnostics")
            return
        }
        #expect(regression.truth.count == 15 && regression.predicted.count == 15)
        #expect(zip(regression.truth, regression.predicted).allSatisfy { abs($0 - $1) < 1e-6 }, "y is a straight line of x")
        #expect(regression.scores.map(\.name) == ["rmse", "mae", "r2"])
        #expect(regression.scores.allSatisfy { $0.name == "r2" ? abs($0.value - 1) < 1e-9 : abs($0.value) < 1e-6 })
        let importances = try #require(diagnostics.importances)
        #expect(importances.kind == "coefficient" && importances.features == ["x", "z"])
        let coefficients = try #require(importances.series.first?.values)
        #expect(abs(coefficients[0] - 3) < 1e-9 && abs(coefficients[1]) < 1e-9)
    }

    @Test("a pipeline without runs has an empty report; the registry lists every pipeline and model")
    func emptyAndRegistry() async throws {
        let workspace = Workspace(store: InMemoryStore())
        let trained = try await Self.classificationPipeline(workspace)
        let run = try await trained.run().result()
        try #require(run.status == .succeeded)
        let empty = try await workspace.repository(named: "R").createPipeline(named: "empty")
        let report = try await ReportBuilder(workspace: workspace).report(of: empty)
        #expect(report.models.isEmpty && report.runs.isEmpty && report.diagnostics == nil && report.scoreHistory.isEmpty)

        let registry = try await ReportBuilder(workspace: workspace).registryReport()
        #expect(registry.pipelines.map(\.pipeline) == ["classes", "empty"])
        #expect(registry.pipelines.map(\.modelCount) == [1, 0])
        #expect(registry.models.count == 1 && registry.models.first?.owner == "classes")
    }
}
