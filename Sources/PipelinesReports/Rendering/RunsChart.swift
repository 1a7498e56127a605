/// Chart 7: each run's job durations as a horizontal stacked bar (a colour per job).
enum RunsChart {
    /// The most runs the chart shows (the newest).
    static let runLimit = 40

    /// The jobs in their pipeline order; others follow in the order they first appear.
    static let jobOrder = ["datasetGeneration", "training", "testing", "deployment"]

    /// The job names of `runs`, known ones first in pipeline order.
    static func jobs(of runs: [RunRow]) -> [String] {
        var names = jobOrder.filter { name in runs.contains { $0.jobs.contains { $0.job == name } } }
        for run in runs {
            for job in run.jobs where !names.contains(job.job) {
                names.append(job.job)
            }
        }
        return names
    }

    /// `datasetGeneration` → `dataset generation`.
    static func words(_ name: String) -> String {
        var text = ""
        for character in name {
            if character.isUppercase, !text.isEmpty { text += " " }
            text += character.lowercased()
        }
        return text
    }

    /// The chart, or nil without runs.
    static func figure(_ runs: [RunRow], id: String) -> ChartFigure? {
        guard !runs.isEmpty else { return nil }
        let shown = Array(runs.prefix(runLimit))
        let cut = runs.count > shown.count ? "the latest \(runLimit) of \(runs.count) runs" : nil
        let names = jobs(of: shown)
        let seconds: (JobRow) -> Double = { job in job.seconds.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? 0 }
        let totals = shown.map { $0.jobs.reduce(0) { $0 + seconds($1) } }
        let longest = totals.max() ?? 0
        let (unit, unitName): (Double, String) = longest >= 7200 ? (3600, "h") : longest >= 600 ? (60, "min") : (1, "s")
        let ticks = Ticks.nice(0, longest > 0 ? longest / unit : 1, count: 6)
        let labels = shown.map { ChartFrame.truncated($0.id, to: 14) }
        let rowHeight = 22.0
        let frame = ChartFrame(
            width: 720, plotHeight: Double(shown.count) * rowHeight + 6,
            left: max(60, Double(labels.map(\.count).max() ?? 1) * ChartFrame.characterWidth + 16), right: 140,
            legend: names.enumerated().map { LegendItem(label: words($0.element), series: $0.offset, mark: .swatch) })
        let area = frame.area
        let x = LinearScale(ticks, to: (area.left, area.right))

        var content = frame.legend
        content.append(frame.bottomAxis(ChartFrame.placed(ticks, x), title: "Duration (\(unitName))"))
        for (index, run) in shown.enumerated() {
            let top = area.top + 3 + Double(index) * rowHeight
            content.append(.label(labels[index], x: area.left - 8, y: top + rowHeight / 2 + 4, anchor: "end", class: "tick", tooltip: run.id))
            var offset = 0.0
            for job in run.jobs {
                let duration = seconds(job)
                guard duration > 0 else { continue }
                let series = names.firstIndex(of: job.job) ?? 0
                let left = x(offset / unit), right = x((offset + duration) / unit)
                content.append(.group(class: "series " + Palette.series(series), [
                    .rect(
                        x: left, y: top + 3, width: max(right - left, 0.5), height: rowHeight - 6, class: "series-fill segment",
                        tooltip: "run \(run.id): \(words(job.job)) \(Format.duration(duration)) (\(job.status))")
                ]))
                offset += duration
            }
            content.append(.label(Format.duration(totals[index]) + " · " + run.status, x: x(offset / unit) + 4, y: top + rowHeight / 2 + 4, class: "value"))
        }
        let description = "Job durations of \(shown.count) runs\(cut.map { " (\($0))" } ?? ""), newest first; the longest took \(Format.duration(longest))."
        let svg = SVGDocument(width: frame.width, height: frame.height, id: id, title: "Run durations by job", description: description, content: content)
        return ChartFigure(
            kind: "runs", svg: svg.markup,
            caption: "How long each run's jobs took, newest run first, one colour per job.\(cut.map { " Showing \($0)." } ?? "")",
            table: DataTable(
                headers: ["Run", "Status"] + names.map(words) + ["Total"],
                rows: zip(shown, totals).map { run, total in
                    [run.id, run.status] + names.map { name in
                        run.jobs.first { $0.job == name }.map { job in job.seconds.map(Format.duration) ?? "did not run" } ?? "–"
                    } + [Format.duration(total)]
                }))
    }
}
