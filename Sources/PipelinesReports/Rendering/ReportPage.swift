import Plot

/// Draws a ``PipelineReport`` or a ``RegistryReport`` as one self-contained HTML page:
/// tables, and charts as inline SVG with a table of the same numbers beside each; one
/// inline stylesheet (light and dark); no fonts, images, stylesheets or scripts fetched
/// from anywhere, and no script at all unless the page is served live.
///
/// ```swift
/// let report: PipelineReport = …            // gathered from the store
/// try ReportPage.html(report).write(to: URL(fileURLWithPath: "report.html"), atomically: true, encoding: .utf8)
///
/// // Served, reloading itself when the server sends an event:
/// let page = ReportPage.html(report, options: .init(liveEvents: "/pipelines/Iris/events"))
/// ```
public enum ReportPage {
    /// How a page is drawn: as a file (the defaults) or served by a server.
    ///
    /// ```swift
    /// let options = ReportPage.Options(
    ///     liveEvents: "/events",
    ///     pipelineLink: { _, pipeline in "/pipelines/\(pipeline)" })
    /// ```
    public struct Options: Sendable {
        /// The path of a server-sent events stream the page listens to, reloading itself
        /// on every message; nil (the default, for files) leaves the page without any
        /// `<script>`. Without JavaScript a live page simply does not reload.
        public var liveEvents: String?
        /// The link of a pipeline's own report on the registry page, from its repository
        /// and name; nil (the default) lists pipelines without links.
        public var pipelineLink: @Sendable (_ repository: String, _ pipeline: String) -> String?

        /// Options for a page.
        ///
        /// ```swift
        /// let file = ReportPage.Options()                                 // no script, no links
        /// let served = ReportPage.Options(liveEvents: "/events") { _, name in "/pipelines/\(name)" }
        /// ```
        ///
        /// - Parameters:
        ///   - liveEvents: The path of the events stream the page reloads on (nil: no script).
        ///   - pipelineLink: A pipeline's link on the registry page, from its repository and
        ///     name (nil: no link). Give a path, not an address on another host: the page
        ///     refers to nothing outside its server. The page escapes the link for HTML but
        ///     does not percent-encode it: encode the names within the path.
        public init(
            liveEvents: String? = nil,
            pipelineLink: @escaping @Sendable (_ repository: String, _ pipeline: String) -> String? = { _, _ in nil }
        ) {
            self.liveEvents = liveEvents
            self.pipelineLink = pipelineLink
        }
    }

    /// A pipeline's report as an HTML page: its models, its scores across configuration
    /// versions, the tuning grid, the diagnostics of the deployed (or chosen) model on the
    /// testing set, feature importances, deployments and runs.
    ///
    /// ```swift
    /// let html = ReportPage.html(report)        // a file: no script
    /// ```
    ///
    /// - Parameters:
    ///   - report: The pipeline's report.
    ///   - options: File (the default) or served page.
    /// - Returns: The page, a complete HTML document.
    public static func html(_ report: PipelineReport, options: Options = .init()) -> String {
        PipelinePage.html(report, options: options)
    }

    /// The registry's report as an HTML page: a line per pipeline (linked to its report
    /// where ``Options/pipelineLink`` gives a link) and every model of every repository.
    ///
    /// ```swift
    /// let html = ReportPage.html(registry, options: .init { _, name in "/pipelines/\(name)" })
    /// ```
    ///
    /// - Parameters:
    ///   - report: The registry's report.
    ///   - options: File (the default) or served page.
    /// - Returns: The page, a complete HTML document.
    public static func html(_ report: RegistryReport, options: Options = .init()) -> String {
        RegistryPage.html(report, options: options)
    }
}

/// The page around a report's content: head (charset, viewport, title, stylesheet), the
/// body's counts for browser checks, header, main, footer, and the live script.
enum PageShell {
    /// The script of a served page: listen to the events stream named by its own
    /// `data-events` attribute and reload on a message. Plain text with no `<`, `>` or `&`,
    /// so that Plot's text escaping leaves it as it is.
    static let liveScript = """
    (function () {
      var script = document.currentScript;
      var path = script ? script.getAttribute("data-events") : null;
      if (!path || !window.EventSource) { return; }
      var source = new EventSource(path);
      source.onmessage = function () { source.close(); window.location.reload(); };
    })();
    """

    static func html(
        title: String, modelCount: Int, chartCount: Int, generatedAt: String, options: ReportPage.Options,
        header: [Node<HTML.BodyContext>], main: [Node<HTML.BodyContext>]
    ) -> String {
        HTML(
            .lang(.english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .meta(.name("color-scheme"), .content("light dark")),
                .meta(.name("generator"), .content("swift-ml-pipelines")),
                .element(named: "title", nodes: [.plain(title)]),
                .style(Stylesheet.css)),
            .body(
                .attr("data-model-count", "\(modelCount)"),
                .attr("data-chart-count", "\(chartCount)"),
                .header(.group(header)),
                .main(.group(main)),
                .footer(.p(.plain("Generated \(generatedAt) by swift-ml-pipelines."))),
                .unwrap(options.liveEvents) { path in
                    .group(
                        .noscript(.p(.class("meta"), .plain("This page reloads itself when something changes; without JavaScript, reload it to see changes."))),
                        .script(.attr("data-events", path), .text(liveScript)))
                })
        ).render()
    }
}
