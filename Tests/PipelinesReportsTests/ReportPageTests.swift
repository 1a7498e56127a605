import Foundation
import PipelinesReports
import Testing

@Suite("Report pages: charts, tables, escaping, scripts")
struct ReportPageTests {
    static let pipelines: [(name: String, report: PipelineReport)] = [
        ("classification", SampleReports.classification), ("binary", SampleReports.binary), ("regression", SampleReports.regression()),
        ("empty", SampleReports.empty), ("without testing set", SampleReports.withoutTestingSet),
    ]

    /// Every page the tests draw, in file and in live mode.
    static var allPages: [(name: String, html: String)] {
        let live = ReportPage.Options(liveEvents: "/pipelines/x/events") { _, name in "/pipelines/\(name)" }
        return pipelines.flatMap { name, report in
            [(name, ReportPage.html(report)), (name + " (live)", ReportPage.html(report, options: live))]
        } + [
            ("registry", ReportPage.html(SampleReports.registry)), ("registry (live)", ReportPage.html(SampleReports.registry, options: live)),
            ("empty registry", ReportPage.html(SampleReports.emptyRegistry)),
        ]
    }

    @Test("the figures on a page match data-chart-count and the charts each kind of report has", arguments: [
        ("classification", ["score-history", "confusion-matrix", "roc", "precision-recall",
                            "feature-importances", "feature-importances", "feature-importances", "deployments", "runs"]),
        ("binary", ["score-history", "confusion-matrix", "roc", "precision-recall", "feature-importances", "runs"]),
        ("regression", ["score-history", "predicted-vs-true", "residuals", "feature-importances", "deployments", "runs"]),
        ("empty", []),
        ("without testing set", ["score-history", "runs"]),
    ])
    func chartsPerKind(name: String, expected: [String]) throws {
        let report = try #require(Self.pipelines.first { $0.name == name }?.report)
        let page = PageInspection(ReportPage.html(report))
        #expect(page.count("<figure class=\"chart\"") == expected.count)
        #expect(page.bodyAttribute("data-chart-count") == "\(expected.count)")
        #expect(page.chartKinds == expected)
        // Each figure: a caption, the SVG, and the same data as a table.
        #expect(page.count("<figcaption>") == expected.count)
        #expect(page.count("<details><summary>Data as a table</summary>") == expected.count)
        #expect(page.svgFragments.count == expected.count)
    }

    @Test("the models table has one body row per model, and the body says how many")
    func modelRows() throws {
        for (report, count) in [(SampleReports.classification, 6), (SampleReports.regression(), 4), (SampleReports.binary, 2)] {
            let page = PageInspection(ReportPage.html(report))
            let table = try #require(page.fragment(from: "<table id=\"models\">", to: "</table>"))
            let body = try #require(PageInspection(table).fragment(from: "<tbody>", to: "</tbody>"))
            #expect(PageInspection(body).count("<tr") == count)
            #expect(page.bodyAttribute("data-model-count") == "\(count)")
            // The deployed model reads "deployed" as text inside its badge.
            #expect(PageInspection(body).count("<span class=\"badge\">deployed</span>") == report.models.filter(\.deployed).count)
        }
        let registry = PageInspection(ReportPage.html(SampleReports.registry))
        let body = try #require(registry.fragment(from: "<table id=\"models\">", to: "</table>").flatMap { PageInspection($0).fragment(from: "<tbody>", to: "</tbody>") })
        #expect(PageInspection(body).count("<tr") == 12)
        #expect(registry.bodyAttribute("data-model-count") == "12")
        #expect(registry.bodyAttribute("data-chart-count") == "0")
    }

    @Test("the grid table and the runs table list every combination and every run")
    func gridAndRuns() throws {
        let page = PageInspection(ReportPage.html(SampleReports.classification))
        let grid = try #require(page.fragment(from: "<table id=\"combinations\">", to: "</table>"))
        #expect(PageInspection(grid).count("<tr") == 1 + SampleReports.combinations.count)
        let runs = try #require(page.fragment(from: "<table id=\"runs\">", to: "</table>"))
        #expect(PageInspection(runs).count("<tr") == 1 + 3)
    }

    @Test("a file has no script; a live page exactly one, listening to the events path")
    func scripts() {
        for (report, name) in Self.pipelines.map({ ($0.report, $0.name) }) {
            let file = ReportPage.html(report)
            #expect(!file.lowercased().contains("<script"), "\(name)")
            let live = PageInspection(ReportPage.html(report, options: .init(liveEvents: #"/events?pipeline="a"&b"#)))
            #expect(live.count("<script") == 1, "\(name)")
            #expect(live.html.contains("new EventSource(path)"))
            #expect(live.html.contains(#"data-events="/events?pipeline=&quot;a&quot;&amp;b""#))
            #expect(live.count("<noscript>") == 1)
        }
        #expect(!ReportPage.html(SampleReports.registry).contains("<script"))
        #expect(PageInspection(ReportPage.html(SampleReports.registry, options: .init(liveEvents: "/events"))).count("<script") == 1)
    }

    @Test("no page refers to the network")
    func noNetwork() {
        for (name, html) in Self.allPages {
            #expect(!html.contains("http://") && !html.contains("https://"), "\(name)")
            #expect(!html.contains("<link") && !html.contains("<img") && !html.contains("@import") && !html.contains("url("), "\(name)")
        }
    }

    @Test("every SVG is an image with a title and a description it is labelled by, and parses as XML")
    func svgAccessibilityAndWellFormedness() {
        for (name, html) in Self.allPages {
            for svg in PageInspection(html).svgFragments {
                let tag = PageInspection.openingTag(svg)
                #expect(tag.contains("role=\"img\""), "\(name): \(tag)")
                #expect(tag.contains("aria-labelledby=\""), "\(name)")
                #expect(svg.contains("<title id=\"") && svg.contains("<desc id=\""), "\(name)")
                let (ok, error) = parsesAsXML(svg)
                #expect(ok, "\(name): \(error)")
            }
        }
    }

    @Test("chart ids are unique on a page")
    func uniqueIDs() {
        for (name, html) in Self.allPages {
            let ids = html.components(separatedBy: " id=\"").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
            #expect(Set(ids).count == ids.count, "\(name)")
        }
    }

    @Test("names with <, & and \" appear escaped and never raw")
    func escaping() {
        let pipelinePage = ReportPage.html(SampleReports.classification)
        let registryPage = ReportPage.html(SampleReports.registry, options: .init { repository, name in "/pipelines/\(name)?r=\(repository)" })
        for page in [pipelinePage, registryPage] {
            for raw in [SampleReports.trickyPipeline, SampleReports.trickyRepository, SampleReports.trickyParameter] {
                #expect(!page.contains(raw), "\(raw)")
            }
            #expect(page.contains("Iris &lt;&quot;beta&quot;&gt; &amp; co"))
            #expect(page.contains("Lab &quot;A&quot; &amp; &lt;B&gt;"))
            #expect(page.contains("criterion=criterion=&quot;gini&quot;&amp;&lt;x&gt;"))
        }
        // Class and feature names in the charts and their tables.
        #expect(!pipelinePage.contains(SampleReports.trickyClass) && pipelinePage.contains("set&lt;osa&gt;&amp;"))
        #expect(!pipelinePage.contains(SampleReports.trickyFeature) && pipelinePage.contains("petal &lt;length&gt; &amp; &quot;width&quot;"))
        // An error message of the grid.
        #expect(pipelinePage.contains("fit failed: &quot;singular&quot; &lt;matrix&gt; &amp; more"))
        // The link's path in an attribute.
        #expect(registryPage.contains(#"<a href="/pipelines/Iris &lt;&quot;beta&quot;&gt; &amp; co?r=Lab &quot;A&quot; &amp; &lt;B&gt;">"#))
        // Something that already looks like an entity is still escaped (shown as typed).
        var report = SampleReports.empty
        report.pipeline = "R&amp;D"
        #expect(ReportPage.html(report).contains("R&amp;amp;D"))
    }

    @Test("the registry links pipelines only when the options give links")
    func registryLinks() {
        let file = ReportPage.html(SampleReports.registry)
        #expect(!file.contains("<a href=\"/pipelines"))
        let served = PageInspection(ReportPage.html(SampleReports.registry, options: .init { _, name in "/pipelines/\(name)" }))
        #expect(served.count("<a href=\"/pipelines/") == 3)
        #expect(served.html.contains("<a href=\"/pipelines/Churn\">Churn</a>"))
    }

    @Test("sections come in order, and an empty pipeline says what is missing")
    func emptyStates() {
        let page = PageInspection(ReportPage.html(SampleReports.empty))
        #expect(page.sectionHeadings == ["Models", "Scores across versions", "Tuning grid", "Diagnostics", "Feature importances", "Deployments", "Runs"])
        #expect(page.html.contains("No models yet — run the pipeline&#39;s training job."))
        #expect(page.html.contains("No tuning grid"))
        #expect(page.html.contains("No deployments yet"))
        #expect(page.html.contains("No runs yet"))
        #expect(!page.html.contains("<table id=\"models\">"))
        #expect(page.bodyAttribute("data-model-count") == "0")
        #expect(page.bodyAttribute("data-chart-count") == "0")

        let untested = ReportPage.html(SampleReports.withoutTestingSet)
        #expect(untested.contains("No testing set: diagnostics need the testing job&#39;s rows."))

        let registry = ReportPage.html(SampleReports.emptyRegistry)
        #expect(registry.contains("No pipelines yet") && registry.contains("No models yet"))
    }

    @Test("diagnostics say which model and why; importances are cut to the top 20")
    func diagnosticsText() {
        let page = ReportPage.html(SampleReports.binary)
        #expect(page.contains("Model v2 (RandomForestClassifier) on 200 testing rows. Why this model: best testing score."))
        #expect(page.contains("top 20 of 30"))
        let features = PageInspection(page).fragment(from: "data-chart=\"feature-importances\"", to: "</figure>") ?? ""
        #expect(PageInspection(features).count("<th scope=\"row\">feature_") == 20)
        let regression = ReportPage.html(SampleReports.regression())
        #expect(regression.contains("Why this model: deployed.") && regression.contains("RMSE 1.5, MAE 1.125, R² 0.93"))
        // ROC legend shows the AUC; PR legend the average precision.
        #expect(page.contains("yes (AUC 0.95)") && page.contains("yes (average precision 0.9)"))
    }

    @Test("a page is light and dark: colours are custom properties with a dark block, charts draw in currentColor")
    func styling() {
        let page = ReportPage.html(SampleReports.classification)
        #expect(PageInspection(page).count("<style>") == 1)
        #expect(page.contains("@media (prefers-color-scheme: dark)"))
        #expect(page.contains("stroke: currentColor"))
        for svg in PageInspection(page).svgFragments {
            #expect(!svg.contains("fill=\"#") && !svg.contains("stroke=\"#"))
        }
    }

    @Test("a regression of 2,000 rows and a pipeline of 500 models draw in well under a second")
    func largeInputs() {
        let report = SampleReports.regression(rows: 2000, modelCount: 500)
        let clock = ContinuousClock()
        var html = ""
        // The best of three, so that a loaded machine's pauses do not count.
        let elapsed = (0..<3).map { _ in clock.measure { html = ReportPage.html(report) } }.min() ?? .zero
        let page = PageInspection(html)
        #expect(page.bodyAttribute("data-model-count") == "500")
        #expect(page.count("data-chart=\"predicted-vs-true\"") == 1)
        #expect(elapsed < .seconds(1), "took \(elapsed)")
        for svg in page.svgFragments {
            #expect(parsesAsXML(svg).0)
        }
    }

    @Test("odd values (NaN, ragged matrices, missing durations, a single version) draw without failing, as well-formed SVG")
    func oddValues() {
        var report = SampleReports.classification
        report.diagnostics = ModelDiagnostics(
            modelVersion: 9, reason: "best testing score", rows: 0,
            kind: .classification(ClassificationDiagnostics(
                classes: ["a", "b", "c"], confusion: [[1], [], [0, 0, 0, 7]],
                roc: [Curve(label: "", x: [0, .nan, 1], y: [0, 0.5], area: .nan)],
                precisionRecall: [])),
            importances: .init(kind: "coefficient", features: ["x"], series: [.init(label: "", values: [.infinity, 0, 0])]))
        report.scoreHistory = [ScorePoint(configurationVersion: 3, modelVersion: 1, validation: .nan, testing: 0.5)]
        report.runs = [RunRow(id: "r", configurationVersion: 1, origin: "manual", status: "cancelled", startedAt: SampleReports.start,
                              jobs: [JobRow(job: "training", status: "cancelled", seconds: nil)])]
        report.deployments = [DeploymentChangeRow(at: SampleReports.start, modelVersion: nil, previousVersion: nil)]
        let page = PageInspection(ReportPage.html(report))
        #expect(page.chartKinds == ["score-history", "confusion-matrix", "roc", "feature-importances", "deployments", "runs"])
        #expect(page.bodyAttribute("data-chart-count") == "6")
        #expect(!page.html.contains("nan\"") && !page.html.contains("=\"inf"))
        for svg in page.svgFragments {
            #expect(parsesAsXML(svg).0)
        }

        var regression = SampleReports.regression(rows: 1)
        regression.diagnostics?.kind = .regression(RegressionDiagnostics(truth: [2, .nan], predicted: [2, 3, 4]))
        let regressionPage = PageInspection(ReportPage.html(regression))
        #expect(regressionPage.chartKinds.contains("predicted-vs-true") && regressionPage.chartKinds.contains("residuals"))
        for svg in regressionPage.svgFragments {
            #expect(parsesAsXML(svg).0)
        }
    }
}
