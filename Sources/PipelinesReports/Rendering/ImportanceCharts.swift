/// Chart 5: feature importances as horizontal bars sorted by size, at most
/// ``featureLimit`` features; coefficients may be negative (their bars go left of zero).
/// A multi-class linear model gets one chart per class.
enum ImportanceCharts {
    /// The most features a chart shows.
    static let featureLimit = 20

    /// One chart per series with at least one finite value.
    static func figures(_ importances: ModelDiagnostics.Importances, ids: inout ChartIDs) -> [ChartFigure] {
        importances.series.compactMap { series in
            figure(importances, series: series, ids: &ids)
        }
    }

    /// The chart of one series, or nil when it has no finite value.
    private static func figure(
        _ importances: ModelDiagnostics.Importances, series: ModelDiagnostics.Importances.Series, ids: inout ChartIDs
    ) -> ChartFigure? {
        let entries = series.values.enumerated()
            .filter { $0.element.isFinite }
            .map { (feature: $0.offset < importances.features.count ? importances.features[$0.offset] : "feature \($0.offset + 1)", value: $0.element) }
            .sorted { abs($0.value) != abs($1.value) ? abs($0.value) > abs($1.value) : $0.feature < $1.feature }
        guard !entries.isEmpty else { return nil }
        let shown = Array(entries.prefix(featureLimit))
        let cut = entries.count > shown.count ? "top \(featureLimit) of \(entries.count)" : nil
        let coefficient = importances.kind == "coefficient"
        let measure = coefficient ? "Coefficient" : importances.kind == "impurity" ? "Importance (mean decrease in impurity)" : "Importance (\(importances.kind))"
        var title = coefficient ? "Coefficients" : "Feature importances"
        if !series.label.isEmpty { title += " for class \(series.label)" }
        if let cut { title += " (\(cut) features)" }

        let values = shown.map(\.value)
        let ticks = Ticks.nice(min(0, values.min() ?? 0), max(0, values.max() ?? 0), count: 5)
        let labels = shown.map { ChartFrame.truncated($0.feature, to: 28) }
        let hasNegative = values.contains { $0 < 0 }
        let legend: [LegendItem] = hasNegative && values.contains { $0 > 0 }
            ? [LegendItem(label: "positive", series: 0, mark: .swatch), LegendItem(label: "negative", series: 1, mark: .swatch)] : []
        let rowHeight = 22.0
        let frame = ChartFrame(
            width: 720, plotHeight: Double(shown.count) * rowHeight + 6,
            left: max(60, Double(labels.map(\.count).max() ?? 1) * ChartFrame.characterWidth + 16), right: 70, legend: legend)
        let area = frame.area
        let x = LinearScale(ticks, to: (area.left, area.right))

        var content = frame.legend
        content.append(frame.bottomAxis(ChartFrame.placed(ticks, x), title: measure))
        var bars: [SVGContent] = []
        for (index, entry) in shown.enumerated() {
            let top = area.top + 3 + Double(index) * rowHeight
            let middle = top + rowHeight / 2
            let start = x(min(0, entry.value)), end = x(max(0, entry.value))
            bars.append(.label(labels[index], x: area.left - 8, y: middle + 4, anchor: "end", class: "tick", tooltip: labels[index] == entry.feature ? nil : entry.feature))
            bars.append(.group(class: "series " + Palette.series(entry.value < 0 ? 1 : 0), [
                .rect(x: start, y: top + 3, width: end - start, height: rowHeight - 6, class: "series-fill", tooltip: "\(entry.feature): \(Format.score(entry.value))")
            ]))
            bars.append(.label(Format.score(entry.value), x: entry.value < 0 ? x(0) + 4 : end + 4, y: middle + 4, class: "value"))
        }
        content.append(.group(class: "bars", bars))
        content.append(.line(x1: x(0), y1: area.top, x2: x(0), y2: area.bottom, class: "axis-line"))

        let list = shown.prefix(3).map { "\($0.feature) \(Format.score($0.value))" }.joined(separator: ", ")
        let svg = SVGDocument(
            width: frame.width, height: frame.height, id: ids.make(), title: title,
            description: "\(shown.count) features\(cut.map { " (\($0))" } ?? ""), sorted by size; the largest: \(list).",
            content: content)
        var caption = coefficient
            ? "The model's coefficients\(series.label.isEmpty ? "" : " for class \(series.label)"), largest in size first; a negative coefficient's bar goes left of zero."
            : "The features' importances to the model, largest first."
        if let cut { caption += " Showing the \(cut) features." }
        return ChartFigure(
            kind: "feature-importances", svg: svg.markup, caption: caption,
            table: DataTable(headers: ["Feature", measure], rows: shown.map { [$0.feature, Format.score($0.value)] }))
    }
}
