import ArgumentParser
import Foundation
import Pipelines
import PipelinesReports

/// `mlpipe report`: a pipeline's (or the whole registry's) report as one self-contained
/// HTML file with inline SVG charts.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write a pipeline's report (or the registry's) as one self-contained HTML file.",
        discussion: """
            With --pipeline: its models, the tuning grid's scores, the primary score across \
            configuration versions, the deployed (or best) model's confusion matrix and ROC and \
            precision-recall curves (classifiers) or predicted-vs-true and residuals (regressors) \
            on the testing set, feature importances, the deployment timeline and the runs. \
            Without it: every pipeline and every model of the store. The file needs no network \
            and no JavaScript. With --json the report's values are written as JSON instead.
            """)
    @OptionGroup var options: GlobalOptions
    @Option(help: "The pipeline (the whole registry when left out).") var pipeline: String?
    @Option(help: "The pipeline's repository, when several hold a pipeline of that name.") var repository: String?
    @Option(help: "Where to write the report (`-` for stdout).") var output: String

    func validate() throws {
        if repository != nil && pipeline == nil { throw ValidationError("--repository goes with --pipeline") }
    }

    func run() async throws {
        let workspace = try await options.workspace()
        let builder = ReportBuilder(workspace: workspace)
        let text: String
        let summary: String
        if let pipeline {
            let found = try await findPipeline(pipeline, repository: repository, in: workspace)
            let report = try await builder.report(of: found)
            text = options.json ? try Self.json(report) : ReportPage.html(report)
            summary = "\(report.models.count) model(s)" + (report.diagnostics.map { ", diagnostics of version \($0.modelVersion) (\($0.reason))" } ?? "")
        } else {
            let report = try await builder.registryReport()
            text = options.json ? try Self.json(report) : ReportPage.html(report)
            summary = "\(report.pipelines.count) pipeline(s), \(report.models.count) model(s)"
        }
        if output == "-" {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let url = URL(fileURLWithPath: output)
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw CommandFailure("cannot write \(url.path): \(error.localizedDescription)")
        }
        FileHandle.standardError.write(Data("wrote \(url.path): \(summary)\n".utf8))
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
