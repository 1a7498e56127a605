/// The layout shared by the charts: the plot area inside the margins, the axes with their
/// ticks, labels and titles, the legend, and the series colours.
///
/// Colours are CSS classes, never fills in the markup: a series' group carries `s0`…`s7`
/// (the stylesheet gives each an Okabe–Ito colour through `color`) and its shapes draw in
/// `currentColor`; axes and text use the page's text colour. So the charts follow the
/// page into dark mode.
enum Palette {
    /// How many series colours there are before they repeat.
    static let count = 8

    /// The class of series `index`'s colour.
    static func series(_ index: Int) -> String {
        "s\(((index % count) + count) % count)"
    }
}

/// Where the data is drawn, in SVG coordinates.
struct PlotArea {
    var left: Double
    var top: Double
    var width: Double
    var height: Double

    var right: Double { left + width }
    var bottom: Double { top + height }
}

/// One entry of a chart's legend.
struct LegendItem {
    /// How the entry's swatch is drawn.
    enum Mark {
        case line, lineAndPoint, point, hollowPoint, dashed, swatch
    }

    var label: String
    /// The series colour (``Palette/series(_:)``); nil for the text colour.
    var series: Int?
    var mark: Mark
}

/// A chart's canvas: its size, its plot area and its legend (above the plot area).
struct ChartFrame {
    /// Roughly how wide a character of the charts' 12 px text is.
    static let characterWidth = 6.8

    var width: Double
    var height: Double
    var area: PlotArea
    var legend: [SVGContent]

    /// A frame `width` wide whose plot area is `plotHeight` high, with room above it for
    /// the legend (none for fewer than `minimumLegendItems` items).
    init(
        width: Double, plotHeight: Double, left: Double, right: Double = 20, bottom: Double = 52,
        legend items: [LegendItem] = [], minimumLegendItems: Int = 2
    ) {
        let shown = items.count >= minimumLegendItems ? items : []
        let (legend, legendHeight) = Self.layoutLegend(shown, x: left, y: 12, width: width - left - right)
        let top = 14 + legendHeight
        self.width = width
        self.height = top + plotHeight + bottom
        self.area = PlotArea(left: left, top: top, width: width - left - right, height: plotHeight)
        self.legend = legend
    }

    /// The left margin that fits tick labels like `labels` and the axis title beside them.
    static func leftMargin(for labels: [String], minimum: Double = 56) -> Double {
        let widest = labels.map(\.count).max() ?? 0
        return max(minimum, Double(widest) * characterWidth + 36)
    }

    /// `text` cut to `limit` characters with an ellipsis.
    static func truncated(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(1, limit - 1))) + "…"
    }

    // MARK: Axes

    /// The bottom axis: its line, tick marks and labels at `ticks`' positions, optional
    /// vertical grid lines, and its title.
    func bottomAxis(_ ticks: [(position: Double, label: String)], title: String, grid: Bool = true) -> SVGContent {
        var content: [SVGContent] = []
        if grid {
            content += ticks.map { .line(x1: $0.position, y1: area.top, x2: $0.position, y2: area.bottom, class: "grid") }
        }
        content.append(.line(x1: area.left, y1: area.bottom, x2: area.right, y2: area.bottom, class: "axis-line"))
        for tick in ticks {
            content.append(.line(x1: tick.position, y1: area.bottom, x2: tick.position, y2: area.bottom + 5, class: "axis-line"))
            content.append(.label(tick.label, x: tick.position, y: area.bottom + 18, anchor: "middle", class: "tick"))
        }
        content.append(.label(title, x: area.left + area.width / 2, y: area.bottom + 40, anchor: "middle", class: "axis-title"))
        return .group(class: "axis axis-x", content)
    }

    /// The left axis, as ``bottomAxis(_:title:grid:)`` with horizontal grid lines.
    func leftAxis(_ ticks: [(position: Double, label: String)], title: String, grid: Bool = true) -> SVGContent {
        var content: [SVGContent] = []
        if grid {
            content += ticks.map { .line(x1: area.left, y1: $0.position, x2: area.right, y2: $0.position, class: "grid") }
        }
        content.append(.line(x1: area.left, y1: area.top, x2: area.left, y2: area.bottom, class: "axis-line"))
        for tick in ticks {
            content.append(.line(x1: area.left - 5, y1: tick.position, x2: area.left, y2: tick.position, class: "axis-line"))
            content.append(.label(tick.label, x: area.left - 8, y: tick.position + 4, anchor: "end", class: "tick"))
        }
        let widest = Double(ticks.map(\.label.count).max() ?? 0) * Self.characterWidth
        let titleX = max(12, area.left - widest - 22)
        content.append(.label(title, x: titleX, y: area.top + area.height / 2, anchor: "middle", class: "axis-title", rotate: -90))
        return .group(class: "axis axis-y", content)
    }

    /// Ticks placed by a scale and labelled by the ticks' shared decimals.
    static func placed(_ ticks: Ticks, _ scale: LinearScale) -> [(position: Double, label: String)] {
        ticks.values.map { (scale($0), ticks.label($0)) }
    }

    // MARK: Legend

    private static func layoutLegend(_ items: [LegendItem], x: Double, y: Double, width: Double) -> ([SVGContent], Double) {
        guard !items.isEmpty else { return ([], 0) }
        let rowHeight = 18.0
        var content: [SVGContent] = []
        var cursor = 0.0, row = 0.0
        for item in items {
            let label = truncated(item.label, to: 48)
            let itemWidth = 26 + Double(label.count) * characterWidth + 16
            if cursor > 0, cursor + itemWidth > width {
                cursor = 0
                row += 1
            }
            let left = x + cursor, middle = y + row * rowHeight + 6
            content.append(.group(class: "legend-item " + (item.series.map(Palette.series) ?? "fg"), swatch(item.mark, x: left, y: middle)))
            content.append(.label(label, x: left + 24, y: middle + 4, class: "legend-label", tooltip: label == item.label ? nil : item.label))
            cursor += itemWidth
        }
        return ([.group(class: "legend", content)], (row + 1) * rowHeight + 4)
    }

    private static func swatch(_ mark: LegendItem.Mark, x: Double, y: Double) -> [SVGContent] {
        switch mark {
        case .line: [.line(x1: x, y1: y, x2: x + 18, y2: y, class: "series-line")]
        case .dashed: [.line(x1: x, y1: y, x2: x + 18, y2: y, class: "reference-line")]
        case .lineAndPoint: [.line(x1: x, y1: y, x2: x + 18, y2: y, class: "series-line"), .circle(cx: x + 9, cy: y, r: 3.5, class: "series-point")]
        case .point: [.circle(cx: x + 9, cy: y, r: 4, class: "series-point")]
        case .hollowPoint: [.circle(cx: x + 9, cy: y, r: 4, class: "hollow-point")]
        case .swatch: [.rect(x: x + 2, y: y - 6, width: 14, height: 12, class: "series-fill")]
        }
    }
}

/// One chart, ready for the page: what it is (`data-chart`), its SVG, its caption, and the
/// same numbers as a table for screen readers and text browsers.
struct ChartFigure {
    /// The chart's kind, e.g. `score-history` (the figure's `data-chart`).
    var kind: String
    var svg: SVGMarkup
    var caption: String
    var table: DataTable
}

/// A table of text cells: headers and rows.
struct DataTable {
    var headers: [String]
    var rows: [[String]]
}

/// Hands out ids unique within a page, for the charts' titles and descriptions.
struct ChartIDs {
    private var next = 1

    mutating func make() -> String {
        defer { next += 1 }
        return "chart-\(next)"
    }
}
