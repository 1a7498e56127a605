import Plot

// The page's building blocks on top of Plot's DSL: escaped text and attributes, sections
// with their empty states, chart figures and data tables.
//
// Plot escapes `<`, `>` and `&` in text but leaves what looks like an entity as it is (so
// a name `R&amp;D` would show as `R&D`) and does not escape attribute values at all. Text
// and attribute values from the report therefore go through ``Escape/markup(_:)`` first:
// its output holds only complete entities, which Plot passes through unchanged, so the
// page shows every name exactly as it is.

extension Node {
    /// Text from the report, escaped exactly.
    static func plain(_ text: String) -> Node {
        .text(Escape.markup(text))
    }

    /// An attribute whose value is escaped (kept even when empty).
    static func attr(_ name: String, _ value: String) -> Node {
        .attribute(named: name, value: Escape.markup(value), ignoreIfValueIsEmpty: false)
    }
}

extension Node where Context == HTML.BodyContext {
    /// A page section, `<section id="NAME-section">`, labelled by its `<h2>` (the plain
    /// ids belong to the tables: `models`, `runs`, `pipelines`).
    static func reportSection(id: String, title: String, _ content: [Node]) -> Node {
        .section(
            .id("\(id)-section"), .attr("aria-labelledby", "\(id)-heading"),
            .h2(.id("\(id)-heading"), .plain(title)),
            .group(content))
    }

    /// What a section says when it has nothing to show.
    static func emptyState(_ text: String) -> Node {
        .p(.class("empty"), .plain(text))
    }

    /// A chart: `<figure class="chart" data-chart>` with its caption, the SVG, and the
    /// same numbers as a table in a `<details>` right after the SVG.
    ///
    /// The caption comes first: HTML allows `<figcaption>` only as a figure's first or
    /// last child, and the table belongs right after the chart.
    static func chart(_ figure: ChartFigure) -> Node {
        .element(named: "figure", nodes: [
            .class("chart"), .attr("data-chart", figure.kind),
            .element(named: "figcaption", nodes: [.plain(figure.caption)]),
            // The one place raw markup enters the page: an SVG made by SVGDocument, which
            // escaped every attribute value and text in it.
            .raw(figure.svg.markup),
            .details(.summary("Data as a table"), .dataTable(figure.table)),
        ])
    }

    /// A group of charts laid out side by side where the page is wide enough.
    static func charts(_ figures: [ChartFigure]) -> Node {
        .div(.class("figures"), .group(figures.map(chart)))
    }
}

extension Node where Context: HTML.BodyContext {
    /// A table of text: a header row of column headers, one row per entry with its first
    /// cell as the row's header.
    static func dataTable(_ table: DataTable) -> Node {
        .div(.class("table-wrap"), .table(
            .class("data"),
            .thead(.tr(.group(table.headers.map { .th(.attr("scope", "col"), .plain($0)) }))),
            .tbody(.group(table.rows.map { row in
                .tr(.group(row.enumerated().map { index, cell in
                    index == 0 ? .th(.attr("scope", "row"), .plain(cell)) : .td(.plain(cell))
                }))
            }))))
    }

    /// A date as `<time datetime>` in ISO 8601 UTC.
    static func timestamp(_ text: String) -> Node {
        .time(.attr("datetime", text), .plain(text))
    }
}
