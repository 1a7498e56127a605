/// Chart 2: the confusion matrix as a heat map, with the count in every cell, the true
/// class on the rows and the predicted class on the columns.
enum ConfusionMatrixChart {
    /// The chart, or nil without classes.
    static func figure(_ diagnostics: ClassificationDiagnostics, id: String) -> ChartFigure? {
        let classes = diagnostics.classes
        let n = classes.count
        guard n > 0 else { return nil }
        let counts: [[Int]] = (0..<n).map { truth in
            let row = truth < diagnostics.confusion.count ? diagnostics.confusion[truth] : []
            return (0..<n).map { predicted in predicted < row.count ? max(0, row[predicted]) : 0 }
        }
        let rowTotals = counts.map { $0.reduce(0, +) }
        let total = rowTotals.reduce(0, +)
        let correct = (0..<n).reduce(0) { $0 + counts[$1][$1] }

        let cell = min(64, max(16, (480 / Double(n)).rounded(.down)))
        let labels = classes.map { ChartFrame.truncated($0, to: 16) }
        let widest = Double(labels.map(\.count).max() ?? 1) * ChartFrame.characterWidth
        let rotate = widest > cell - 4
        let bottom = rotate ? 46 + widest * 0.7 : 52
        let left = max(60, widest + 40)
        let frame = ChartFrame(width: left + cell * Double(n) + 20, plotHeight: cell * Double(n), left: left, bottom: bottom)
        let area = frame.area

        var cells: [SVGContent] = []
        cells.reserveCapacity(n * n * 2)
        let countClass = cell < 28 ? "count small" : "count"
        for truth in 0..<n {
            for predicted in 0..<n {
                let count = counts[truth][predicted]
                let share = rowTotals[truth] > 0 ? Double(count) / Double(rowTotals[truth]) : 0
                let x = area.left + Double(predicted) * cell, y = area.top + Double(truth) * cell
                cells.append(.rect(
                    x: x, y: y, width: cell, height: cell, class: truth == predicted ? "cell diagonal" : "cell",
                    tooltip: "true \(classes[truth]), predicted \(classes[predicted]): \(Format.count(count)) rows (\(Format.percent(share)) of \(classes[truth]))",
                    extra: [("fill-opacity", Format.fixed(0.06 + 0.94 * share, decimals: 2))]))
                cells.append(.label(
                    Format.count(count), x: x + cell / 2, y: y + cell / 2 + 4, anchor: "middle",
                    class: share > 0.5 ? countClass + " on-heat" : countClass))
            }
        }
        var axis: [SVGContent] = []
        for (index, label) in labels.enumerated() {
            let middle = Double(index) * cell + cell / 2
            axis.append(.label(label, x: area.left - 6, y: area.top + middle + 4, anchor: "end", class: "tick", tooltip: label == classes[index] ? nil : classes[index]))
            axis.append(rotate
                ? .label(label, x: area.left + middle + 4, y: area.bottom + 12, anchor: "end", class: "tick", rotate: -40, tooltip: label == classes[index] ? nil : classes[index])
                : .label(label, x: area.left + middle, y: area.bottom + 18, anchor: "middle", class: "tick"))
        }
        axis.append(.label("Predicted class", x: area.left + area.width / 2, y: frame.height - 10, anchor: "middle", class: "axis-title"))
        axis.append(.label("True class", x: 14, y: area.top + area.height / 2, anchor: "middle", class: "axis-title", rotate: -90))

        let accuracy = total > 0 ? Double(correct) / Double(total) : 0
        let description = "Confusion matrix of \(n) classes on \(Format.count(total)) testing rows: "
            + "\(Format.count(correct)) on the diagonal (correct), \(Format.percent(accuracy)). Rows are the true class, columns the predicted class."
        let svg = SVGDocument(
            width: frame.width, height: frame.height, id: id, title: "Confusion matrix (true class × predicted class)",
            description: description, content: [.group(class: "heat", cells), .group(class: "axis", axis)])
        let table = DataTable(
            headers: ["True \\ predicted"] + classes + ["Total"],
            rows: (0..<n).map { [classes[$0]] + counts[$0].map(Format.count) + [Format.count(rowTotals[$0])] })
        return ChartFigure(
            kind: "confusion-matrix", svg: svg.markup,
            caption: "Confusion matrix on the testing set: each row is a true class, each column the predicted class; a cell's shade is its share of the true class's rows. "
                + "\(Format.count(correct)) of \(Format.count(total)) rows are on the diagonal (\(Format.percent(accuracy))).",
            table: table)
    }
}
