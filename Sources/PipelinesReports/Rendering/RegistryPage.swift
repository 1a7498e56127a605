import Plot

/// The registry's page: every pipeline (linked to its report when the options give links)
/// and every model of every repository.
enum RegistryPage {
    static func html(_ report: RegistryReport, options: ReportPage.Options) -> String {
        let deployed = report.pipelines.filter { $0.deployedVersion != nil }.count
        let facts = [
            "\(Format.count(report.pipelines.count)) pipeline\(report.pipelines.count == 1 ? "" : "s")",
            "\(deployed) with a deployed model",
            "\(Format.count(report.models.count)) model\(report.models.count == 1 ? "" : "s")",
            "generated \(Format.date(report.generatedAt))",
        ]
        let header: [Node<HTML.BodyContext>] = [
            .h1("Model registry"),
            .p(.class("meta"), .plain(facts.joined(separator: " · "))),
        ]
        let main: [Node<HTML.BodyContext>] = [
            .reportSection(id: "pipelines", title: "Pipelines", [
                report.pipelines.isEmpty
                    ? .emptyState("No pipelines yet — create one with the SDK or a spec file.")
                    : Tables.pipelines(report.pipelines, link: options.pipelineLink)
            ]),
            .reportSection(id: "models", title: "Models", [
                report.models.isEmpty
                    ? .emptyState("No models yet — run a pipeline's training job or save a standalone model.")
                    : Tables.models(report.models, showOwner: true)
            ]),
        ]
        return PageShell.html(
            title: "Model registry", modelCount: report.models.count, chartCount: 0, generatedAt: Format.date(report.generatedAt),
            options: options, header: header, main: main)
    }
}
