import Plot

/// A pipeline's page: a header, then the sections Models, Scores across versions, Tuning
/// grid, Diagnostics, Feature importances, Deployments and Runs, each with its empty state.
enum PipelinePage {
    /// The sections in page order: id and heading.
    static let sections = [
        ("models", "Models"), ("scores", "Scores across versions"), ("tuning", "Tuning grid"), ("diagnostics", "Diagnostics"),
        ("importances", "Feature importances"), ("deployments", "Deployments"), ("runs", "Runs"),
    ]

    /// The empty states.
    static let noModels = "No models yet — run the pipeline's training job."
    static let noTestingSet = "No testing set: diagnostics need the testing job's rows."

    static func html(_ report: PipelineReport, options: ReportPage.Options) -> String {
        var ids = ChartIDs()
        let scores = ScoreHistoryChart.figure(report.scoreHistory, scoreName: report.primaryScore, id: ids.make())
        let diagnostics = diagnosticFigures(report.diagnostics, ids: &ids)
        let importances = report.diagnostics?.importances.map { ImportanceCharts.figures($0, ids: &ids) } ?? []
        let deployments = DeploymentChart.figure(report.deployments, until: report.generatedAt, id: ids.make())
        let runs = RunsChart.figure(report.runs, id: ids.make())
        let chartCount = [scores, deployments, runs].compactMap { $0 }.count + diagnostics.count + importances.count

        let content: [String: [Node<HTML.BodyContext>]] = [
            "models": modelsSection(report),
            "scores": [scores.map(Node.chart) ?? .emptyState(report.models.isEmpty ? noModels : "No scores yet — no model has a validation or testing score.")],
            "tuning": tuningSection(report),
            "diagnostics": diagnosticsSection(report, figures: diagnostics),
            "importances": importancesSection(report, figures: importances),
            "deployments": deploymentsSection(report, figure: deployments),
            "runs": runs.map { [.chart($0), Tables.runs(report.runs)] } ?? [.emptyState("No runs yet — run the pipeline to see its jobs here.")],
        ]

        var facts = [report.task ?? "no task yet"]
        if let score = report.primaryScore { facts.append("primary score \(score)") }
        facts.append("\(Format.count(report.models.count)) model\(report.models.count == 1 ? "" : "s")")
        if let deployed = report.models.first(where: \.deployed) { facts.append("v\(deployed.version) deployed") }
        facts.append("generated \(Format.date(report.generatedAt))")
        let header: [Node<HTML.BodyContext>] = [
            .p(.class("context"), .plain("Repository "), .strong(.plain(report.repository))),
            .h1(.plain("Pipeline "), .plain(report.pipeline)),
            .p(.class("meta"), .plain(facts.joined(separator: " · "))),
            .nav(.attr("aria-label", "Sections"), .ul(.group(sections.map { id, title in .li(.a(.attr("href", "#\(id)-section"), .plain(title))) }))),
        ]
        return PageShell.html(
            title: "\(report.pipeline) — pipeline report", modelCount: report.models.count, chartCount: chartCount,
            generatedAt: Format.date(report.generatedAt), options: options, header: header,
            main: sections.map { id, title in .reportSection(id: id, title: title, content[id] ?? []) })
    }

    private static func diagnosticFigures(_ diagnostics: ModelDiagnostics?, ids: inout ChartIDs) -> [ChartFigure] {
        switch diagnostics?.kind {
        case .classification(let classification):
            [
                ConfusionMatrixChart.figure(classification, id: ids.make()),
                CurveCharts.roc(classification.roc, id: ids.make()),
                CurveCharts.precisionRecall(classification.precisionRecall, id: ids.make()),
            ].compactMap { $0 }
        case .regression(let regression):
            [
                RegressionCharts.predictedVersusTrue(regression, id: ids.make()),
                RegressionCharts.residuals(regression, id: ids.make()),
            ].compactMap { $0 }
        case nil: []
        }
    }

    private static func modelsSection(_ report: PipelineReport) -> [Node<HTML.BodyContext>] {
        guard !report.models.isEmpty else { return [.emptyState(noModels)] }
        return [Tables.models(report.models, showOwner: false)]
    }

    private static func tuningSection(_ report: PipelineReport) -> [Node<HTML.BodyContext>] {
        guard !report.combinations.isEmpty else { return [.emptyState("No tuning grid — no run has tuned hyper-parameters yet.")] }
        let runs = Set(report.combinations.map(\.run)).count
        let failed = report.combinations.filter { $0.score == nil }.count
        var text = "\(Format.count(report.combinations.count)) combinations scored by \(runs) run\(runs == 1 ? "" : "s"), newest run first"
        text += failed > 0 ? "; \(failed) failed." : "."
        return [.p(.plain(text)), Tables.combinations(report.combinations)]
    }

    private static func estimator(of version: Int, in report: PipelineReport) -> String? {
        report.models.first { $0.version == version }?.estimator
    }

    private static func diagnosticsSection(_ report: PipelineReport, figures: [ChartFigure]) -> [Node<HTML.BodyContext>] {
        guard let diagnostics = report.diagnostics else {
            return [.emptyState(report.models.isEmpty ? "No models yet — diagnostics need a model and the testing job's rows." : noTestingSet)]
        }
        let estimator = estimator(of: diagnostics.modelVersion, in: report).map { " (\($0))" } ?? ""
        var intro = "Model v\(diagnostics.modelVersion)\(estimator) on \(Format.count(diagnostics.rows)) testing rows. Why this model: \(diagnostics.reason)."
        if case .regression(let regression) = diagnostics.kind, let summary = RegressionCharts.summary(regression) {
            intro += " \(summary)."
        }
        var nodes: [Node<HTML.BodyContext>] = [.p(.class("diagnosed"), .plain(intro))]
        nodes.append(figures.isEmpty ? .emptyState("The diagnostics of model v\(diagnostics.modelVersion) hold nothing to draw.") : .charts(figures))
        return nodes
    }

    private static func importancesSection(_ report: PipelineReport, figures: [ChartFigure]) -> [Node<HTML.BodyContext>] {
        guard let diagnostics = report.diagnostics else {
            return [.emptyState("No feature importances: they come with the diagnostics, which need "
                + (report.models.isEmpty ? "a model." : "the testing job's rows."))]
        }
        guard let importances = diagnostics.importances else {
            let estimator = estimator(of: diagnostics.modelVersion, in: report).map { " (\($0))" } ?? ""
            return [.emptyState("The estimator of model v\(diagnostics.modelVersion)\(estimator) reports no feature importances.")]
        }
        guard !figures.isEmpty else { return [.emptyState("Model v\(diagnostics.modelVersion) reports no finite feature importance.")] }
        let what = importances.kind == "coefficient"
            ? (importances.series.count > 1 ? "its coefficients, one chart per class" : "its coefficients")
            : "\(importances.kind) importances"
        return [.p(.plain("Model v\(diagnostics.modelVersion), \(Format.count(importances.features.count)) features: \(what).")), .charts(figures)]
    }

    private static func deploymentsSection(_ report: PipelineReport, figure: ChartFigure?) -> [Node<HTML.BodyContext>] {
        guard let figure, let last = report.deployments.max(by: { $0.at < $1.at }) else {
            return [.emptyState("No deployments yet — no model of this pipeline has been deployed.")]
        }
        let now = last.modelVersion.map { "v\($0) is deployed since \(Format.date(last.at))." } ?? "Nothing is deployed since \(Format.date(last.at))."
        return [.p(.plain(now)), .chart(figure)]
    }
}
