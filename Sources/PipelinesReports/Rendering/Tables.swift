import Plot

/// The page's own tables: models (`#models`), the tuning grid (`#combinations`), runs
/// (`#runs`) and the registry's pipelines (`#pipelines`).
enum Tables {
    /// The models table: one `<tbody>` row per model. `showOwner` adds the pipeline or
    /// line a model belongs to (the registry's table).
    static func models(_ models: [ModelRow], showOwner: Bool) -> Node<HTML.BodyContext> {
        var headers = ["Version", "Estimator", "Hyper-parameters", "Validation score", "Testing scores", "Status", "Deployed", "Created (UTC)"]
        if showOwner { headers.insert("Pipeline or line", at: 0) }
        return .div(.class("table-wrap"), .table(
            .id("models"),
            .thead(headerRow(headers, numeric: showOwner ? [1] : [0])),
            .tbody(.group(models.map { model in
                .tr(
                    .if(model.deployed, .class("deployed")),
                    .if(showOwner, .td(.plain(model.owner))),
                    .td(.class("number"), .plain("v\(model.version)")),
                    .td(.plain(model.estimator)),
                    .td(parameters(model.hyperParameters)),
                    .td(scores(model.validationScore.map { [$0] } ?? [])),
                    .td(scores(model.testingScores)),
                    .td(.plain(model.status)),
                    .td(.if(model.deployed, .span(.class("badge"), .text("deployed")))),
                    .td(.timestamp(Format.date(model.createdAt))))
            }))))
    }

    /// The tuning grid: one row per combination a run scored.
    static func combinations(_ combinations: [CombinationRow]) -> Node<HTML.BodyContext> {
        .div(.class("table-wrap"), .table(
            .id("combinations"),
            .thead(headerRow(["Run", "Configuration", "Hyper-parameters", "Mean score", "Fold scores", "Error"], numeric: [1, 3])),
            .tbody(.group(combinations.map { row in
                .tr(
                    .td(.code(.plain(row.run))),
                    .td(.class("number"), .plain("v\(row.configurationVersion)")),
                    .td(parameters(row.hyperParameters)),
                    .td(.class("number"), .plain(row.score.map(Format.score) ?? "failed")),
                    .td(.plain(row.foldScores.isEmpty ? "–" : row.foldScores.map(Format.score).joined(separator: ", "))),
                    .td(.plain(row.error ?? "")))
            }))))
    }

    /// The runs: one row per run with its jobs' durations.
    static func runs(_ runs: [RunRow]) -> Node<HTML.BodyContext> {
        .div(.class("table-wrap"), .table(
            .id("runs"),
            .thead(headerRow(["Run", "Configuration", "Origin", "Status", "Started (UTC)", "Jobs", "Total"], numeric: [1, 6])),
            .tbody(.group(runs.map { run in
                let total = run.jobs.reduce(0) { $0 + ($1.seconds.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? 0) }
                let jobs = run.jobs.map { job in
                    "\(RunsChart.words(job.job)) \(job.seconds.map(Format.duration) ?? "–") (\(job.status))"
                }
                return .tr(
                    .td(.code(.plain(run.id))),
                    .td(.class("number"), .plain("v\(run.configurationVersion)")),
                    .td(.plain(run.origin)),
                    .td(.plain(run.status)),
                    .td(.timestamp(Format.date(run.startedAt))),
                    .td(.plain(jobs.isEmpty ? "–" : jobs.joined(separator: "; "))),
                    .td(.class("number"), .plain(Format.duration(total))))
            }))))
    }

    /// The registry's pipelines, each linked to its own report where `link` gives a path.
    static func pipelines(_ pipelines: [PipelineSummary], link: (String, String) -> String?) -> Node<HTML.BodyContext> {
        .div(.class("table-wrap"), .table(
            .id("pipelines"),
            .thead(headerRow(["Repository", "Pipeline", "Models", "Deployed", "Deployed score"], numeric: [2])),
            .tbody(.group(pipelines.map { summary in
                let name: Node<HTML.BodyContext> = link(summary.repository, summary.pipeline).map { path in
                    .a(.attr("href", path), .plain(summary.pipeline))
                } ?? .plain(summary.pipeline)
                let deployedScore = summary.deployedScore.map { value in
                    summary.primaryScore.map { "\($0) \(Format.score(value))" } ?? Format.score(value)
                }
                return .tr(
                    .td(.plain(summary.repository)),
                    .td(name),
                    .td(.class("number"), .plain(Format.count(summary.modelCount))),
                    .td(.plain(summary.deployedVersion.map { "v\($0)" } ?? "none")),
                    .td(.plain(deployedScore ?? "–")))
            }))))
    }

    private static func headerRow(_ headers: [String], numeric: Set<Int>) -> Node<HTML.TableContext> {
        .tr(.group(headers.enumerated().map { index, header in
            .th(.attr("scope", "col"), .if(numeric.contains(index), .class("number")), .plain(header))
        }))
    }

    private static func parameters(_ values: [NamedValue]) -> Node<HTML.BodyContext> {
        guard !values.isEmpty else { return .plain("defaults") }
        return .span(.class("params"), .group(values.map { .code(.plain("\($0.name)=\($0.value)")) }))
    }

    /// Scores as `name value`, one unbroken line each.
    private static func scores(_ scores: [NamedScore]) -> Node<HTML.BodyContext> {
        guard !scores.isEmpty else { return .plain("–") }
        return .group(scores.enumerated().map { index, score in
            .group(.if(index > 0, .text(", ")), .span(.class("nowrap"), .plain("\(score.name) \(Format.score(score.value))")))
        })
    }
}
