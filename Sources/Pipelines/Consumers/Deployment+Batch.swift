public import Foundation
import Estimators
public import Tabular

extension Deployment {
    /// Predicts a table into a table with the model deployed now, a chunk at a time: memory
    /// grows with ``BatchOptions/chunkRows``, not with the input.
    ///
    /// The model is taken once: a deploy during the batch does not change the model of any
    /// row (the summary names the one that predicted them all). Each output row holds the
    /// key and pass-through columns as read, `prediction` (labels in their original form),
    /// and for classifiers one `probability_<class>` per class. A row that cannot be
    /// predicted (a value of the wrong type, a missing value the model does not impute, an
    /// unknown category, a record with too few or too many fields) goes to `rejects` with its
    /// line and reason, or stops the batch (``BadRowPolicy/fail``). Both outputs appear under
    /// their final names only when the batch completes.
    ///
    /// ```swift
    /// let summary = try await pipeline.deployment.predictBatch(
    ///     from: try CSVBatchSource(URL(fileURLWithPath: "patients.csv")),
    ///     to: CSVBatchSink(URL(fileURLWithPath: "predicted.csv")),
    ///     rejects: CSVBatchSink(URL(fileURLWithPath: "rejected.csv")),
    ///     options: BatchOptions(keys: ["id"]))
    /// print(summary.rowsPredicted, summary.rowsRejected, summary.model)
    /// ```
    ///
    /// - Parameters:
    ///   - source: The input (``CSVBatchSource`` or a host's).
    ///   - output: Where predictions go (``CSVBatchSink`` or a host's).
    ///   - rejects: Where rows that cannot be predicted go (nil: they are only counted).
    ///   - options: Keys, column mapping, pass-through, chunk size, bad-row policy.
    ///   - progress: Called after each chunk.
    /// - Returns: Rows read, predicted and rejected; the model and its version; the time.
    /// - Throws: ``PipelineError/nothingDeployed(_:)``, ``PipelineError/invalidBatch(_:)``
    ///   (a column missing from the input; nothing written),
    ///   ``PipelineError/badBatchRow(location:reason:)``, ``PipelineError/data(_:)`` for an
    ///   input that cannot be read, ``PipelineError/fileWrite(path:reason:)``,
    ///   ``PipelineError/cancelled(job:)`` (job `deployment`) when the task is cancelled
    ///   (the batch stops within a slice of 8,192 rows; nothing is written).
    /// - Complexity: O(rows × features) plus the model's prediction cost.
    public func predictBatch(
        from source: any BatchTableSource, to output: any BatchTableSink, rejects: (any BatchTableSink)? = nil,
        options: BatchOptions = BatchOptions(), progress: (@Sendable (BatchProgress) -> Void)? = nil
    ) async throws(PipelineError) -> BatchSummary {
        let model = try await loadedModel()
        let version = try await workspace.registry.model(model.id).version
        let run = try BatchRun(model: model, version: version, source: source, options: options)
        // Cancelling the task (a job's timeout, the host) stops the batch at its next slice.
        let cancellation = FitCancellation()
        let result: Result<BatchSummary, PipelineError> = await withTaskCancellationHandler {
            do throws(PipelineError) {
                return .success(try await offload { () throws(PipelineError) -> BatchSummary in
                    try run.predict(to: output, rejects: rejects, progress: progress, cancellation: cancellation)
                })
            } catch {
                return .failure(error)
            }
        } onCancel: {
            cancellation.cancel()
        }
        let summary = try result.get()
        workspace.logger.debug(
            "\(scope): batch from \(source.name): \(summary.rowsPredicted) predicted, \(summary.rowsRejected) rejected, model \(summary.model) (version \(summary.modelVersion))")
        return summary
    }

    /// Predicts a CSV file into another (see ``predictBatch(from:to:rejects:options:progress:)``).
    ///
    /// - Parameters:
    ///   - input: The CSV to predict.
    ///   - output: The CSV to write (replaced only when the batch completes).
    ///   - rejects: Where rows that cannot be predicted go (nil: only counted).
    ///   - options: Keys, column mapping, pass-through, chunk size, bad-row policy.
    ///   - csv: How the files are read and written (delimiter, missing-value tokens).
    ///   - progress: Called after each chunk.
    /// - Throws: As ``predictBatch(from:to:rejects:options:progress:)``;
    ///   ``PipelineError/invalidBatch(_:)`` when two of the files are the same.
    public func predictCSV(
        input: URL, output: URL, rejects: URL? = nil, options: BatchOptions = BatchOptions(), csv: CSVOptions = CSVOptions(),
        progress: (@Sendable (BatchProgress) -> Void)? = nil
    ) async throws(PipelineError) -> BatchSummary {
        let files: [URL] = [input, output] + (rejects.map { [$0] } ?? [])
        let paths = files.map { $0.standardizedFileURL.resolvingSymlinksInPath().path }
        guard Set(paths).count == paths.count else {
            throw .invalidBatch("the input, the output and the rejects file must be three different files (\(paths.joined(separator: ", ")))")
        }
        return try await predictBatch(
            from: try CSVBatchSource(input, options: csv), to: CSVBatchSink(output, options: csv),
            rejects: rejects.map { CSVBatchSink($0, options: csv) }, options: options, progress: progress)
    }
}

extension Pipeline {
    /// Runs the table consumers of the pipeline's current configuration, one batch each, in
    /// order, with the model deployed now: each input predicted into its output (relative
    /// paths from the workspace's ``Workspace/baseDirectory``; keys default to the dataset
    /// step's). See ``Deployment/predictBatch(from:to:rejects:options:progress:)``. The
    /// deployment job runs them too, after its automatic deployment.
    ///
    /// - Parameter progress: Called after each chunk, with the consumer's index.
    /// - Returns: One summary per table consumer, in the configuration's order (none: empty).
    /// - Throws: The first batch's error; the batches before it are complete, the ones after
    ///   it are not run.
    public func runTableConsumers(
        progress: (@Sendable (_ consumer: Int, BatchProgress) -> Void)? = nil
    ) async throws(PipelineError) -> [BatchSummary] {
        let configuration = try await configuration().configuration
        return try await deployment.runTableConsumers(
            configuration.deployment.consumers.compactMap(\.table), datasetKeys: configuration.dataset.keys,
            baseDirectory: workspace.baseDirectory, progress: progress)
    }
}

extension Deployment {
    /// `tables`, one batch each, in order (keys default to `datasetKeys`; relative paths
    /// from `baseDirectory`).
    func runTableConsumers(
        _ tables: [TableConsumer], datasetKeys: [String], baseDirectory: URL,
        progress: (@Sendable (_ consumer: Int, BatchProgress) -> Void)? = nil
    ) async throws(PipelineError) -> [BatchSummary] {
        var summaries: [BatchSummary] = []
        for (index, table) in tables.enumerated() {
            var options = table.options
            if options.keys.isEmpty { options.keys = datasetKeys }
            let files = table.urls(relativeTo: baseDirectory)
            var report: (@Sendable (BatchProgress) -> Void)?
            if let progress { report = { progress(index, $0) } }
            let summary = try await predictCSV(
                input: files.input, output: files.output, rejects: files.rejects, options: options, progress: report)
            summaries.append(summary)
        }
        return summaries
    }
}
