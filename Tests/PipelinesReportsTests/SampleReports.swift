import Foundation
import PipelinesReports

/// Reports to draw: a three-class classifier, a binary one, a regressor, an empty pipeline,
/// one without a testing set, a large one, and a registry. Names hold `<`, `&` and `"` so
/// that the tests can check they are escaped.
enum SampleReports {
    /// A name with every markup character the tests look for.
    static let trickyPipeline = #"Iris <"beta"> & co"#
    static let trickyRepository = #"Lab "A" & <B>"#
    static let trickyClass = #"set<osa>&"#
    static let trickyFeature = #"petal <length> & "width""#
    static let trickyParameter = #"criterion="gini"&<x>"#

    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func date(_ offset: Double) -> Date {
        start.addingTimeInterval(offset)
    }

    /// `count` models of a pipeline, newest version first; `deployed` marks one.
    static func models(_ count: Int, owner: String, score: String, deployed: Int?) -> [ModelRow] {
        var rows: [ModelRow] = []
        for version in stride(from: count, through: 1, by: -1) {
            let estimator = version % 2 == 0 ? "RandomForestClassifier" : #"Logistic<"L2">"#
            let parameters = [NamedValue(name: "max_depth", value: "\(version % 5 + 2)"), NamedValue(name: "criterion", value: trickyParameter)]
            let validation = NamedScore(name: score, value: 0.8 + Double(version % 7) * 0.02)
            let testing = [NamedScore(name: score, value: 0.78 + Double(version % 5) * 0.03), NamedScore(name: "f1", value: 0.7)]
            rows.append(ModelRow(
                id: "model-\(version)", owner: owner, version: version, estimator: estimator, hyperParameters: parameters,
                validationScore: validation, testingScores: testing, status: "tested", deployed: version == deployed,
                createdAt: date(Double(version) * 3600)))
        }
        return rows
    }

    static func history(_ count: Int) -> [ScorePoint] {
        var points: [ScorePoint] = []
        for version in stride(from: 1, through: count, by: 1) {
            let validation = 0.8 + Double(version % 7) * 0.02
            let testing: Double? = version % 4 == 0 ? nil : 0.78 + Double(version % 5) * 0.03
            points.append(ScorePoint(configurationVersion: (version + 1) / 2, modelVersion: version, validation: validation, testing: testing))
        }
        return points
    }

    static let combinations = [
        CombinationRow(run: "run-2", configurationVersion: 2, hyperParameters: [NamedValue(name: "max_depth", value: "3")], score: 0.91, foldScores: [0.9, 0.92, 0.91], error: nil),
        CombinationRow(run: "run-2", configurationVersion: 2, hyperParameters: [NamedValue(name: "max_depth", value: "30")], score: nil, foldScores: [],
                       error: #"fit failed: "singular" <matrix> & more"#),
        CombinationRow(run: "run-1", configurationVersion: 1, hyperParameters: [NamedValue(name: "max_depth", value: "5")], score: 0.88, foldScores: [0.88], error: nil),
    ]

    static let deployments = [
        DeploymentChangeRow(at: date(3600), modelVersion: 1, previousVersion: nil),
        DeploymentChangeRow(at: date(5 * 3600), modelVersion: 3, previousVersion: 1),
        DeploymentChangeRow(at: date(8 * 3600), modelVersion: nil, previousVersion: 3),
        DeploymentChangeRow(at: date(20 * 3600), modelVersion: 4, previousVersion: nil),
    ]

    static func runs(_ count: Int) -> [RunRow] {
        var rows: [RunRow] = []
        for index in stride(from: count, through: 1, by: -1) {
            let failed = index == 2
            let jobs = [
                JobRow(job: "datasetGeneration", status: "succeeded", seconds: 0.4),
                JobRow(job: "training", status: "succeeded", seconds: 12.5 * Double(index)),
                JobRow(job: "testing", status: failed ? "failed" : "succeeded", seconds: 1.2),
                JobRow(job: "deployment", status: failed ? "skipped" : "succeeded", seconds: failed ? nil : 0.05),
            ]
            rows.append(RunRow(
                id: "run-\(index)", configurationVersion: (index + 1) / 2, origin: index % 2 == 0 ? "manual" : "trigger",
                status: failed ? "failed" : "succeeded", startedAt: date(Double(index) * 3600), jobs: jobs))
        }
        return rows
    }

    /// A one-vs-rest curve of `points` points bending towards the top left.
    static func curve(_ label: String, points: Int, power: Double, area: Double) -> Curve {
        let x = (0..<points).map { Double($0) / Double(points - 1) }
        return Curve(label: label, x: x, y: x.map { pow($0, power) }, area: area)
    }

    // MARK: Reports

    /// Three classes, multi-class coefficients (one chart per class), an undeployment.
    static var classification: PipelineReport {
        let classes = [trickyClass, "versicolor", "virginica"]
        let features = [trickyFeature, "petal_width", "sepal_length", "sepal_width"]
        let diagnostics = ModelDiagnostics(
            modelVersion: 4, reason: "deployed", rows: 45,
            kind: .classification(ClassificationDiagnostics(
                classes: classes, confusion: [[15, 0, 0], [0, 13, 2], [0, 1, 14]],
                roc: classes.map { curve($0, points: 30, power: 0.2, area: 0.97) },
                precisionRecall: classes.map { label in
                    Curve(label: label, x: [1, 0.8, 0.5, 0], y: [0.33, 0.9, 1, 1], area: 0.93)
                })),
            importances: .init(kind: "coefficient", features: features, series: classes.map { label in
                .init(label: label, values: [1.5, -2.25, 0.3, -0.01])
            }))
        return PipelineReport(
            repository: trickyRepository, pipeline: trickyPipeline, generatedAt: date(24 * 3600), task: "classification", primaryScore: "accuracy",
            models: models(6, owner: trickyPipeline, score: "accuracy", deployed: 4), combinations: combinations, scoreHistory: history(6),
            diagnostics: diagnostics, deployments: deployments, runs: runs(3))
    }

    /// Two classes, one ROC and one PR curve, impurity importances of 30 features (cut to 20).
    static var binary: PipelineReport {
        let features = (1...30).map { "feature_\($0)" }
        let diagnostics = ModelDiagnostics(
            modelVersion: 2, reason: "best testing score", rows: 200,
            kind: .classification(ClassificationDiagnostics(
                classes: ["no", "yes"], confusion: [[90, 10], [5, 95]],
                roc: [curve("yes", points: 400, power: 0.3, area: 0.95)],
                precisionRecall: [Curve(label: "yes", x: [1, 0.9, 0.5, 0], y: [0.5, 0.85, 0.97, 1], area: 0.9)])),
            importances: .init(kind: "impurity", features: features, series: [
                .init(label: "", values: (1...30).map { 1 / Double($0 * 10) })
            ]))
        return PipelineReport(
            repository: "Default", pipeline: "Churn", generatedAt: date(24 * 3600), task: "classification", primaryScore: "roc_auc",
            models: models(2, owner: "Churn", score: "roc_auc", deployed: nil), combinations: [], scoreHistory: history(2),
            diagnostics: diagnostics, deployments: [], runs: runs(2))
    }

    /// A regressor: `rows` predictions, signed coefficients, `modelCount` models.
    static func regression(rows: Int = 300, modelCount: Int = 4) -> PipelineReport {
        let truth = (0..<rows).map { Double($0) / Double(max(1, rows - 1)) * 300 - 50 }
        let predicted = truth.enumerated().map { $0.element + sin(Double($0.offset)) * 12 }
        let diagnostics = ModelDiagnostics(
            modelVersion: 3, reason: "deployed", rows: rows,
            kind: .regression(RegressionDiagnostics(
                truth: truth, predicted: predicted,
                scores: [NamedScore(name: "rmse", value: 1.5), NamedScore(name: "mae", value: 1.125), NamedScore(name: "r2", value: 0.93)])),
            importances: .init(kind: "coefficient", features: ["bmi", "bp", "s1", "s5"], series: [.init(label: "", values: [520.5, 310, -780.25, 640])]))
        return PipelineReport(
            repository: "Default", pipeline: "Diabetes", generatedAt: date(24 * 3600), task: "regression", primaryScore: "r2",
            models: models(modelCount, owner: "Diabetes", score: "r2", deployed: 3), combinations: combinations,
            scoreHistory: history(modelCount), diagnostics: diagnostics,
            deployments: [DeploymentChangeRow(at: date(3600), modelVersion: 3, previousVersion: nil)], runs: runs(5))
    }

    /// A pipeline with nothing yet.
    static var empty: PipelineReport {
        PipelineReport(
            repository: "Default", pipeline: "Fresh", generatedAt: start, task: nil, primaryScore: nil, models: [], combinations: [],
            scoreHistory: [], diagnostics: nil, deployments: [], runs: [])
    }

    /// Models and runs but no testing set (so no diagnostics).
    static var withoutTestingSet: PipelineReport {
        PipelineReport(
            repository: "Default", pipeline: "Untested", generatedAt: start, task: "classification", primaryScore: "accuracy",
            models: models(2, owner: "Untested", score: "accuracy", deployed: nil), combinations: [],
            scoreHistory: [ScorePoint(configurationVersion: 1, modelVersion: 1, validation: 0.9, testing: nil)],
            diagnostics: nil, deployments: [], runs: runs(1))
    }

    /// Several pipelines in two repositories, one with a tricky name.
    static var registry: RegistryReport {
        RegistryReport(
            generatedAt: date(24 * 3600),
            pipelines: [
                PipelineSummary(repository: "Default", pipeline: "Churn", modelCount: 2, deployedVersion: nil, deployedScore: nil, primaryScore: "roc_auc"),
                PipelineSummary(repository: "Default", pipeline: "Diabetes", modelCount: 4, deployedVersion: 3, deployedScore: 0.51234, primaryScore: "r2"),
                PipelineSummary(repository: trickyRepository, pipeline: trickyPipeline, modelCount: 6, deployedVersion: 4, deployedScore: 0.9333, primaryScore: "accuracy"),
            ],
            models: models(2, owner: "Churn", score: "roc_auc", deployed: nil) + models(4, owner: "Diabetes", score: "r2", deployed: 3)
                + models(6, owner: trickyPipeline, score: "accuracy", deployed: 4))
    }

    static var emptyRegistry: RegistryReport {
        RegistryReport(generatedAt: start, pipelines: [], models: [])
    }
}
