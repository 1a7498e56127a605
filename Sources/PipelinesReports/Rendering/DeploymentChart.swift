import Foundation

/// Chart 6: the deployed version over time as a step chart (no line while nothing is
/// deployed), with a point per change.
enum DeploymentChart {
    /// The chart, or nil without changes. The last step runs to `until` (the report's
    /// time) when that is later than the last change.
    static func figure(_ changes: [DeploymentChangeRow], until: Date, id: String) -> ChartFigure? {
        let sorted = changes.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        guard let first = sorted.first, let last = sorted.last else { return nil }
        let start = first.at.timeIntervalSince1970
        let end = max(last.at.timeIntervalSince1970, until.timeIntervalSince1970)
        let versions = sorted.compactMap(\.modelVersion).map(Double.init)
        // The axis starts below the lowest version deployed: its baseline, where the
        // undeploy points sit, reads "none".
        let yTicks = Ticks.nice((versions.min() ?? 1) - 1, versions.max() ?? 1, count: 5, integers: true)
        let versionLabel: (Double) -> String = { $0 <= yTicks.lower ? "none" : "v" + yTicks.label($0) }
        let xTicks = TimeTicks.nice(start, end, count: 5)
        let undeploys = sorted.contains { $0.modelVersion == nil }
        var legend = [LegendItem(label: "deployed version", series: 0, mark: .lineAndPoint)]
        if undeploys { legend.append(LegendItem(label: "undeployed", series: nil, mark: .hollowPoint)) }
        let frame = ChartFrame(
            width: 720, plotHeight: 220, left: ChartFrame.leftMargin(for: yTicks.values.map(versionLabel)), right: 64, legend: legend)
        let area = frame.area
        let x = LinearScale(domain: (xTicks.lower, xTicks.upper), range: (area.left + 6, area.right - 6))
        let y = LinearScale(yTicks, to: (area.bottom, area.top))

        var content = frame.legend
        content.append(frame.bottomAxis(xTicks.values.map { (x($0), xTicks.label($0)) }, title: "Time (UTC)"))
        content.append(frame.leftAxis(yTicks.values.map { (y($0), versionLabel($0)) }, title: "Deployed version"))

        // The steps: a horizontal run per deployed period, a vertical rise between two
        // deployed versions, a break (a new subpath) after a period with none.
        var data = ""
        var drawing = false
        for (index, change) in sorted.enumerated() {
            let from = x(change.at.timeIntervalSince1970)
            let to = x(index + 1 < sorted.count ? sorted[index + 1].at.timeIntervalSince1970 : end)
            guard let version = change.modelVersion else {
                drawing = false
                continue
            }
            let level = Format.coordinate(y(Double(version)))
            data += (drawing ? "V" + level : "M" + Format.coordinate(from) + " " + level) + "H" + Format.coordinate(to)
            drawing = true
        }
        var shapes: [SVGContent] = [.path(data: data, class: "series-line step")]
        var marks: [SVGContent] = []
        for change in sorted {
            let when = Format.date(change.at)
            let before = change.previousVersion.map { " (was v\($0))" } ?? ""
            if let version = change.modelVersion {
                shapes.append(.circle(cx: x(change.at.timeIntervalSince1970), cy: y(Double(version)), r: 4, class: "series-point", tooltip: "\(when): v\(version) deployed\(before)"))
            } else {
                marks.append(.circle(cx: x(change.at.timeIntervalSince1970), cy: area.bottom, r: 4, class: "hollow-point", tooltip: "\(when): undeployed\(before)"))
            }
        }
        content.append(.group(class: "series " + Palette.series(0), shapes))
        content.append(.group(class: "fg", marks))

        let deployedNow = last.modelVersion.map { "v\($0) is deployed" } ?? "nothing is deployed"
        let description = "\(sorted.count) deployment changes from \(Format.date(first.at)) to \(Format.date(last.at)); \(deployedNow)."
        let svg = SVGDocument(width: frame.width, height: frame.height, id: id, title: "Deployed version over time", description: description, content: content)
        return ChartFigure(
            kind: "deployments", svg: svg.markup,
            caption: "The deployed model's version over time (UTC), a point per change; where there is no line, nothing was deployed. \(description)",
            table: DataTable(
                headers: ["When (UTC)", "Deployed", "Before"],
                rows: sorted.map { [Format.date($0.at), $0.modelVersion.map { "v\($0)" } ?? "none", $0.previousVersion.map { "v\($0)" } ?? "none"] }))
    }
}
