/// Chart 4: a regressor's predictions against the truth (with the line y = x), and the
/// residuals (true − predicted) against the prediction (with the line y = 0).
enum RegressionCharts {
    /// The rows with a finite truth and prediction.
    private static func pairs(_ diagnostics: RegressionDiagnostics) -> [(truth: Double, predicted: Double)] {
        zip(diagnostics.truth, diagnostics.predicted).filter { $0.0.isFinite && $0.1.isFinite }.map { (truth: $0.0, predicted: $0.1) }
    }

    /// The error scores on the testing set (computed by `Scoring` when the report was
    /// gathered), as text: `RMSE 1.2, MAE 0.8, R² 0.97`.
    static func summary(_ diagnostics: RegressionDiagnostics) -> String? {
        let names = ["rmse": "RMSE", "mae": "MAE", "r2": "R²"]
        let parts = diagnostics.scores.map { "\(names[$0.name] ?? $0.name) \(Format.score($0.value))" }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// Predicted against true values, or nil without rows.
    static func predictedVersusTrue(_ diagnostics: RegressionDiagnostics, id: String) -> ChartFigure? {
        let rows = pairs(diagnostics)
        guard !rows.isEmpty else { return nil }
        let all = rows.flatMap { [$0.truth, $0.predicted] }
        let ticks = Ticks.nice(all.min() ?? 0, all.max() ?? 1, count: 6)
        let labels = ticks.values.map(ticks.label)
        let frame = ChartFrame(
            width: 520, plotHeight: 400, left: ChartFrame.leftMargin(for: labels),
            legend: [LegendItem(label: "testing rows", series: 0, mark: .point), LegendItem(label: "y = x (exact)", series: nil, mark: .dashed)])
        let area = frame.area
        let x = LinearScale(ticks, to: (area.left, area.right))
        let y = LinearScale(ticks, to: (area.bottom, area.top))
        var content = frame.legend
        content.append(frame.bottomAxis(ChartFrame.placed(ticks, x), title: "True value"))
        content.append(frame.leftAxis(ChartFrame.placed(ticks, y), title: "Predicted value"))
        content.append(.line(x1: x(ticks.lower), y1: y(ticks.lower), x2: x(ticks.upper), y2: y(ticks.upper), class: "reference-line"))
        content.append(.group(class: "series " + Palette.series(0), [
            .path(rows.map { (x: x($0.truth), y: y($0.predicted)) }, dots: true, class: "dots")
        ]))
        let metrics = summary(diagnostics).map { " " + $0 + "." } ?? ""
        let svg = SVGDocument(
            width: frame.width, height: frame.height, id: id, title: "Predicted against true values",
            description: "\(Format.count(rows.count)) testing rows, true values from \(Format.score(rows.map(\.truth).min() ?? 0)) "
                + "to \(Format.score(rows.map(\.truth).max() ?? 0)).\(metrics)",
            content: content)
        return ChartFigure(
            kind: "predicted-vs-true", svg: svg.markup,
            caption: "Predicted against true value for \(Format.count(rows.count)) testing rows; a point on the dashed line y = x is predicted exactly.\(metrics)",
            table: DataTable(
                headers: ["Row", "True", "Predicted"],
                rows: rows.enumerated().map { ["\($0.offset + 1)", Format.score($0.element.truth), Format.score($0.element.predicted)] }))
    }

    /// Residuals (true − predicted) against the prediction, or nil without rows.
    static func residuals(_ diagnostics: RegressionDiagnostics, id: String) -> ChartFigure? {
        let rows = pairs(diagnostics)
        guard !rows.isEmpty else { return nil }
        let residuals = rows.map { $0.truth - $0.predicted }
        let predicted = rows.map(\.predicted)
        let xTicks = Ticks.nice(predicted.min() ?? 0, predicted.max() ?? 1, count: 6)
        let yTicks = Ticks.nice(min(0, residuals.min() ?? 0), max(0, residuals.max() ?? 0), count: 5)
        let frame = ChartFrame(
            width: 520, plotHeight: 320, left: ChartFrame.leftMargin(for: yTicks.values.map(yTicks.label)),
            legend: [LegendItem(label: "testing rows", series: 0, mark: .point), LegendItem(label: "y = 0 (exact)", series: nil, mark: .dashed)])
        let area = frame.area
        let x = LinearScale(xTicks, to: (area.left, area.right))
        let y = LinearScale(yTicks, to: (area.bottom, area.top))
        var content = frame.legend
        content.append(frame.bottomAxis(ChartFrame.placed(xTicks, x), title: "Predicted value"))
        content.append(frame.leftAxis(ChartFrame.placed(yTicks, y), title: "Residual (true − predicted)"))
        content.append(.line(x1: area.left, y1: y(0), x2: area.right, y2: y(0), class: "reference-line"))
        content.append(.group(class: "series " + Palette.series(0), [
            .path(zip(predicted, residuals).map { (x: x($0.0), y: y($0.1)) }, dots: true, class: "dots")
        ]))
        let largest = residuals.map(abs).max() ?? 0
        let svg = SVGDocument(
            width: frame.width, height: frame.height, id: id, title: "Residuals against predicted values",
            description: "\(Format.count(rows.count)) testing rows; residuals from \(Format.score(residuals.min() ?? 0)) to \(Format.score(residuals.max() ?? 0)).",
            content: content)
        return ChartFigure(
            kind: "residuals", svg: svg.markup,
            caption: "Residual (true − predicted) against the prediction for \(Format.count(rows.count)) testing rows; points above the dashed line y = 0 are under-predicted, "
                + "below it over-predicted. The largest residual is \(Format.score(largest)) in size.",
            table: DataTable(
                headers: ["Row", "Predicted", "Residual"],
                rows: zip(predicted, residuals).enumerated().map { ["\($0.offset + 1)", Format.score($0.element.0), Format.score($0.element.1)] }))
    }
}
