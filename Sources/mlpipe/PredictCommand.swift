import ArgumentParser
import Foundation
import Pipelines
import Tabular

/// `mlpipe predict --pipeline NAME --input IN.csv --output OUT.csv`: a batch prediction,
/// streamed a chunk at a time (``Deployment/predictCSV(input:output:rejects:options:csv:progress:)``);
/// `--images DIR` in place of `--input` predicts a folder of images
/// (``Deployment/predictImages(in:output:rejects:progress:)``).
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Predict a CSV file (or a folder of images) with the deployed model, a chunk at a time.",
        discussion: """
            The output holds the key columns (the pipeline's dataset keys unless --key is given), the --pass-through \
            columns, `prediction`, and for classifiers one `probability_<class>` per class. Rows that cannot be \
            predicted go to the rejects file (OUTPUT with `.rejects.csv`, written every time: a header alone says \
            none) with their line and reason, unless \
            --fail-on-bad-row stops the batch at the first. Outputs appear only once the batch completes. \
            With --images DIR in place of --input, predicts every .png/.jpg/.jpeg file in DIR (and its subfolders) \
            with a model trained on images: the output holds `path` (relative to DIR), `prediction` and the \
            probabilities; files that cannot be decoded go to the rejects file with their reason. \
            Without --input and --output, runs the table consumers the pipeline's deployment step declares.
            """)
    @OptionGroup var options: GlobalOptions
    @OptionGroup var target: DeploymentTarget
    @Option(help: "The input CSV (a header row with the model's features, or columns mapped onto them).") var input: String?
    @Option(help: "A folder of images to predict (in place of --input), for a model trained on images.") var images: String?
    @Option(help: "The output CSV.") var output: String?
    @Option(help: "The rejects CSV (default: OUTPUT with .rejects.csv).") var rejects: String?
    @OptionGroup var batch: BatchFlags

    func validate() throws {
        if images != nil {
            guard input == nil else { throw ValidationError("give --input (a CSV) or --images (a folder), not both") }
            guard output != nil else { throw ValidationError("--images needs --output (the CSV of predictions)") }
            guard !batch.isGiven else { throw ValidationError("--key, --map, --pass-through, --chunk-rows and --fail-on-bad-row go with --input; an image's key is its path") }
            return
        }
        guard (input == nil) == (output == nil) else { throw ValidationError("give --input and --output together (or neither: the declared table consumers)") }
        if input == nil {
            guard target.pipeline != nil else { throw ValidationError("without --input and --output, name a --pipeline: its table consumers run") }
            guard !batch.isGiven, rejects == nil else {
                throw ValidationError("--key, --map, --pass-through, --chunk-rows, --rejects and --fail-on-bad-row go with --input; the table consumers declare their own")
            }
        }
    }

    func run() async throws {
        let workspace = try await options.workspace()
        let (deployment, label, pipeline) = try await target.resolve(in: workspace)
        if let images, let output { return try await predictImages(images, output: output, deployment: deployment, label: label) }
        guard let input, let output else {
            // validate() asks for --pipeline without --input and --output.
            guard let pipeline else { throw CommandFailure("name a --pipeline: its table consumers run") }
            return try await runConsumers(pipeline, label: label)
        }
        let batch = try await self.batch.options(pipeline: pipeline)
        let outputURL = URL(fileURLWithPath: output)
        let rejectsURL = URL(fileURLWithPath: rejects ?? Self.rejectsPath(for: output))
        try await runBatch(label: label, output: output, rejects: rejectsURL, unit: "rows") { progress throws(PipelineError) in
            try await deployment.predictCSV(
                input: URL(fileURLWithPath: input), output: outputURL, rejects: rejectsURL, options: batch, progress: progress)
        }
    }

    /// `--images DIR --output OUT.csv`: every image in the folder, with the deployed model.
    private func predictImages(_ folder: String, output: String, deployment: Deployment, label: String) async throws {
        let rejectsURL = URL(fileURLWithPath: rejects ?? Self.rejectsPath(for: output))
        try await runBatch(label: label, output: output, rejects: rejectsURL, unit: "images") { progress throws(PipelineError) in
            try await deployment.predictImages(
                in: URL(fileURLWithPath: folder), output: URL(fileURLWithPath: output), rejects: rejectsURL, progress: progress)
        }
    }

    /// Runs one batch with a progress bar on stderr, then reports it; "nothing deployed" is
    /// said with the pipeline's name (the SDK names it by its id).
    private func runBatch(
        label: String, output: String, rejects: URL, unit: String,
        _ predict: (@escaping @Sendable (BatchProgress) -> Void) async throws(PipelineError) -> BatchSummary
    ) async throws {
        let bar = BatchProgressBar(enabled: !options.json)
        let summary: BatchSummary
        do {
            summary = try await predict { progress in bar.show(progress) }
        } catch {
            bar.finish()
            guard case .nothingDeployed = error else { throw error }
            throw CommandFailure("\(label) has no deployed model")
        }
        bar.finish()
        try report(summary, output: output, rejects: rejects, unit: unit)
    }

    /// The batch's summary: one line, or a JSON object with `--json`.
    private func report(_ summary: BatchSummary, output: String, rejects: URL, unit: String) throws {
        if options.json {
            try printJSON([
                "rows": summary.rowsRead, "predicted": summary.rowsPredicted, "rejected": summary.rowsRejected, "output": output,
                "model": summary.model.rawValue, "version": summary.modelVersion, "seconds": summary.seconds, "rejects": rejects.path,
            ] as [String: Any])
        } else {
            print("predicted \(summary.rowsPredicted) of \(summary.rowsRead) \(unit) with model \(summary.model) (version \(summary.modelVersion)) into \(output)"
                + (summary.rowsRejected > 0 ? "; \(summary.rowsRejected) rejected into \(rejects.path)" : ""))
        }
    }

    /// `out.csv` → `out.rejects.csv` (the table consumer's rule).
    static func rejectsPath(for output: String) -> String {
        TableConsumer(input: "", output: output).rejectsPath
    }

    /// The pipeline's declared table consumers, one batch each.
    private func runConsumers(_ pipeline: Pipeline, label: String) async throws {
        let tables = try await pipeline.configuration().configuration.deployment.consumers.compactMap(\.table)
        guard !tables.isEmpty else {
            throw CommandFailure("\(label) declares no table consumer: give --input and --output, or add {\"table\": {…}} to deployment.consumers")
        }
        let bar = BatchProgressBar(enabled: !options.json)
        let summaries: [BatchSummary]
        do {
            summaries = try await pipeline.runTableConsumers { _, progress in bar.show(progress) }
        } catch {
            bar.finish()
            guard case .nothingDeployed = error else { throw error }
            throw CommandFailure("\(label) has no deployed model")
        }
        bar.finish()
        var objects: [[String: Any]] = []
        for (table, summary) in zip(tables, summaries) {
            objects.append([
                "input": table.input, "output": table.output, "rows": summary.rowsRead, "predicted": summary.rowsPredicted,
                "rejected": summary.rowsRejected, "model": summary.model.rawValue, "version": summary.modelVersion,
            ])
            if !options.json {
                print("\(table.input) → \(table.output): predicted \(summary.rowsPredicted) of \(summary.rowsRead) rows with model \(summary.model) (version \(summary.modelVersion))"
                    + (summary.rowsRejected > 0 ? "; \(summary.rowsRejected) rejected into \(table.rejectsPath)" : ""))
            }
        }
        if options.json { try printJSON(objects) }
    }
}

/// A batch's progress on stderr: a redrawn bar on a terminal, a line per ten per cent otherwise.
final class BatchProgressBar: @unchecked Sendable {
    // Called from the batch's one thread, then finished from the command's.
    private let enabled: Bool
    private let terminal = isatty(FileHandle.standardError.fileDescriptor) != 0
    private var drawn = false
    private var lastTenth = -1

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ progress: BatchProgress) {
        guard enabled else { return }
        let fraction = progress.fractionDone ?? 0
        let rate = "\(Int(progress.rowsPerSecond.rounded())) rows/s"
        if terminal {
            let width = 24, filled = min(width, Int(Double(width) * fraction))
            write("\r\u{1B}[Kpredict [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(progress.rowsDone) rows, \(rate)")
            drawn = true
        } else if Int(fraction * 10) > lastTenth {
            lastTenth = Int(fraction * 10)
            write("predict: \(progress.rowsDone) rows (\(Int(fraction * 100))%), \(rate)\n")
        }
    }

    func finish() {
        if drawn { write("\n") }
        drawn = false
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
