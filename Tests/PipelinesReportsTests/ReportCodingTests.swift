import Foundation
import PipelinesReports
import Testing

@Suite("Report values encode and decode as JSON")
struct ReportCodingTests {
    @Test("a pipeline report with classification diagnostics round-trips through JSON unchanged")
    func roundTrip() throws {
        let diagnostics = ModelDiagnostics(
            modelVersion: 2, reason: "deployed", rows: 4,
            kind: .classification(ClassificationDiagnostics(
                classes: ["a", "b"], confusion: [[1, 1], [0, 2]],
                roc: [Curve(label: "b", x: [0, 0.5, 1], y: [0, 1, 1], area: 0.75)],
                precisionRecall: [Curve(label: "b", x: [1, 0.5, 0], y: [0.5, 1, 1], area: 0.83)])),
            importances: .init(kind: "impurity", features: ["x", "y"], series: [.init(label: "", values: [0.25, 0.75])]))
        let report = PipelineReport(
            repository: "Default", pipeline: "Iris", generatedAt: Date(timeIntervalSince1970: 1_800_000_000), task: "classification",
            primaryScore: "accuracy",
            models: [ModelRow(id: "m", owner: "Iris", version: 2, estimator: "RandomForestClassifier",
                              hyperParameters: [NamedValue(name: "max_depth", value: "3")], validationScore: NamedScore(name: "accuracy", value: 0.9),
                              testingScores: [NamedScore(name: "accuracy", value: 0.75)], status: "tested", deployed: true,
                              createdAt: Date(timeIntervalSince1970: 1_800_000_000))],
            combinations: [], scoreHistory: [ScorePoint(configurationVersion: 1, modelVersion: 2, validation: 0.9, testing: 0.75)],
            diagnostics: diagnostics, deployments: [DeploymentChangeRow(at: Date(timeIntervalSince1970: 1_800_000_100), modelVersion: 2, previousVersion: nil)],
            runs: [])
        let decoded = try JSONDecoder().decode(PipelineReport.self, from: JSONEncoder().encode(report))
        #expect(decoded == report)
        #expect(decoded.diagnostics?.importances?.series.first?.values == [0.25, 0.75])
    }
}
