/// Chart 1: the primary validation and testing scores of every model against the
/// configuration version that trained it (two series, points and lines).
enum ScoreHistoryChart {
    /// The chart, or nil when no point has a score.
    static func figure(_ points: [ScorePoint], scoreName: String?, id: String) -> ChartFigure? {
        let sorted = points.sorted { ($0.configurationVersion, $0.modelVersion) < ($1.configurationVersion, $1.modelVersion) }
        let validation = sorted.compactMap { point in point.validation.flatMap { $0.isFinite ? (point, $0) : nil } }
        let testing = sorted.compactMap { point in point.testing.flatMap { $0.isFinite ? (point, $0) : nil } }
        guard !validation.isEmpty || !testing.isEmpty else { return nil }
        let name = scoreName ?? "score"

        let versions = sorted.map { Double($0.configurationVersion) }
        let values = validation.map(\.1) + testing.map(\.1)
        let xTicks = Ticks.nice(versions.min() ?? 0, versions.max() ?? 1, count: 10, integers: true)
        let yTicks = Ticks.nice(values.min() ?? 0, values.max() ?? 1, count: 5)
        let yLabels = yTicks.values.map(yTicks.label)
        let series: [(label: String, points: [(ScorePoint, Double)])] = [("validation", validation), ("testing", testing)]
        let frame = ChartFrame(
            width: 720, plotHeight: 260, left: ChartFrame.leftMargin(for: yLabels),
            legend: series.enumerated().filter { !$0.element.points.isEmpty }.map { LegendItem(label: $0.element.label, series: $0.offset, mark: .lineAndPoint) })
        let area = frame.area
        let x = LinearScale(xTicks, to: (area.left + 8, area.right - 8))
        let y = LinearScale(yTicks, to: (area.bottom, area.top))

        var content = frame.legend
        content.append(frame.bottomAxis(ChartFrame.placed(xTicks, x), title: "Configuration version", grid: false))
        content.append(frame.leftAxis(ChartFrame.placed(yTicks, y), title: name))
        for (index, entry) in series.enumerated() where !entry.points.isEmpty {
            let coordinates = entry.points.map { (x: x(Double($0.0.configurationVersion)), y: y($0.1)) }
            var shapes: [SVGContent] = [.path(coordinates, class: "series-line")]
            for (point, value) in entry.points {
                shapes.append(.circle(
                    cx: x(Double(point.configurationVersion)), cy: y(value), r: 3.5, class: "series-point",
                    tooltip: "model v\(point.modelVersion), configuration v\(point.configurationVersion): \(entry.label) \(name) \(Format.score(value))"))
            }
            content.append(.group(class: "series " + Palette.series(index), shapes))
        }

        let summary = series.filter { !$0.points.isEmpty }.map { entry in
            let scores = entry.points.map(\.1)
            return "\(entry.label) from \(Format.score(scores.min() ?? 0)) to \(Format.score(scores.max() ?? 0))"
        }
        let description = "\(name) of \(Format.count(sorted.count)) models over configuration versions "
            + "\(sorted.first?.configurationVersion ?? 0) to \(sorted.last?.configurationVersion ?? 0): \(summary.joined(separator: "; "))."
        let svg = SVGDocument(
            width: frame.width, height: frame.height, id: id, title: "Primary score (\(name)) across configuration versions",
            description: description, content: content)
        let table = DataTable(
            headers: ["Configuration version", "Model version", "Validation \(name)", "Testing \(name)"],
            rows: sorted.map { point in
                ["\(point.configurationVersion)", "\(point.modelVersion)", point.validation.map(Format.score) ?? "–", point.testing.map(Format.score) ?? "–"]
            })
        return ChartFigure(
            kind: "score-history", svg: svg.markup,
            caption: "The primary score (\(name)) of every model, validation and testing, by the configuration version that trained it: \(summary.joined(separator: "; ")).",
            table: table)
    }
}
