/// Chart 3: ROC curves (with the chance diagonal; the legend gives each curve's AUC) and
/// precision-recall curves (the legend gives each curve's average precision).
enum CurveCharts {
    /// The most points per curve in a chart's table (an even sample of longer curves).
    static let tablePointLimit = 101

    /// The ROC chart, or nil without a curve.
    static func roc(_ curves: [Curve], id: String) -> ChartFigure? {
        chart(
            curves, id: id, kind: "roc", title: "ROC curves", areaName: "AUC",
            xTitle: "False positive rate", yTitle: "True positive rate", diagonal: true,
            caption: "Receiver operating characteristic on the testing set: the true positive rate against the false positive rate as the threshold falls; "
                + "the dashed diagonal is a classifier that guesses.")
    }

    /// The precision-recall chart, or nil without a curve.
    static func precisionRecall(_ curves: [Curve], id: String) -> ChartFigure? {
        chart(
            curves, id: id, kind: "precision-recall", title: "Precision-recall curves", areaName: "average precision",
            xTitle: "Recall", yTitle: "Precision", diagonal: false,
            caption: "Precision against recall on the testing set as the threshold falls.")
    }

    private static func chart(
        _ curves: [Curve], id: String, kind: String, title: String, areaName: String, xTitle: String, yTitle: String, diagonal: Bool,
        caption: String
    ) -> ChartFigure? {
        guard !curves.isEmpty else { return nil }
        let pointsOf: [[(x: Double, y: Double)]] = curves.map { curve in
            zip(curve.x, curve.y).filter { $0.0.isFinite && $0.1.isFinite }.map { (x: $0.0, y: $0.1) }
        }
        let areas = curves.map { "\($0.label.isEmpty ? "curve" : $0.label) (\(areaName) \(Format.score($0.area)))" }
        var legend = areas.enumerated().map { LegendItem(label: $0.element, series: $0.offset, mark: .line) }
        if diagonal { legend.append(LegendItem(label: "chance", series: nil, mark: .dashed)) }
        let ticks = Ticks.unit
        let frame = ChartFrame(width: 520, plotHeight: 400, left: ChartFrame.leftMargin(for: ["0.0"]), legend: legend, minimumLegendItems: 1)
        let area = frame.area
        let x = LinearScale(ticks, to: (area.left, area.right))
        let y = LinearScale(ticks, to: (area.bottom, area.top))

        var content = frame.legend
        content.append(frame.bottomAxis(ChartFrame.placed(ticks, x), title: xTitle))
        content.append(frame.leftAxis(ChartFrame.placed(ticks, y), title: yTitle))
        if diagonal {
            content.append(.line(x1: x(0), y1: y(0), x2: x(1), y2: y(1), class: "reference-line"))
        }
        for (index, points) in pointsOf.enumerated() where !points.isEmpty {
            content.append(.group(class: "series " + Palette.series(index), [
                .path(points.map { (x: x(min(max($0.x, 0), 1)), y: y(min(max($0.y, 0), 1))) }, class: "series-line")
            ]))
        }

        let svg = SVGDocument(
            width: frame.width, height: frame.height, id: id, title: title,
            description: "\(curves.count == 1 ? "One curve" : "\(curves.count) curves, one per class against the rest"): \(areas.joined(separator: "; ")).",
            content: content)
        var rows: [[String]] = []
        var sampled = false
        for (curve, points) in zip(curves, pointsOf) {
            let shown = evenSample(points, limit: tablePointLimit)
            sampled = sampled || shown.count < points.count
            let label = curve.label.isEmpty ? "curve" : curve.label
            rows += shown.map { [label, Format.score($0.x), Format.score($0.y)] }
        }
        return ChartFigure(
            kind: kind, svg: svg.markup,
            caption: caption + " " + areas.joined(separator: "; ") + "." + (sampled ? " The table lists an even sample of at most \(tablePointLimit) points per curve." : ""),
            table: DataTable(headers: ["Curve", xTitle, yTitle], rows: rows))
    }

    /// At most `limit` of `points`, evenly spaced, keeping the first and the last.
    static func evenSample<T>(_ points: [T], limit: Int) -> [T] {
        guard points.count > limit, limit >= 2 else { return points }
        let last = points.count - 1
        return (0..<limit).map { points[Int((Double($0) * Double(last) / Double(limit - 1)).rounded())] }
    }
}
