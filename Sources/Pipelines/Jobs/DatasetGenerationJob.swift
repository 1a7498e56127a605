import Foundation
import Tabular

/// Job 1: applies the append-only rules of `MLDatasets` to the inputs (as the run read
/// them when it checked the configuration), then stores the new snapshot. A failure leaves
/// the stored datasets as they were.
enum DatasetGenerationJob {
    static func run(_ context: JobContext) async throws(PipelineError) -> String {
        let dataset = context.configuration.configuration.dataset
        guard let trainingSource = dataset.training, let selection = dataset.selection else {
            throw .notReady(job: .datasetGeneration, reason: "the dataset step has no source or no label")
        }
        let previous = try await storage { try await context.store.datasets(of: context.pipeline.id) }
        let validation: MLDatasets.ValidationPlan
        if case .holdout(let fraction, let seed) = context.configuration.configuration.training.validation {
            validation = .holdout(fraction: fraction, seed: seed)
        } else {
            validation = .none
        }
        let base = context.baseDirectory
        let preloaded = context.sources
        let (datasets, report, dropped) = try await offload { () throws(PipelineError) -> (MLDatasets, MLDatasets.GenerationReport, Int) in
            var datasets = MLDatasets()
            if let previous {
                do throws(TabularError) { datasets = try MLDatasets(binaryEncoded: Array(previous.encoded)) } catch { throw .data(error) }
            }
            // Each source as the run read it when it checked the configuration (read now only if
            // not), with the datasets' schema: a cell of another type is an error at its place.
            // A feature missing under the `error` policy is refused naming its file and line;
            // rows without a label are refused (nothing is stored) or dropped, by policy.
            let options = dataset.missing.csvOptions
            let schema = datasets.schema
            func prepared(_ source: DataSource, _ read: Table?) throws(PipelineError) -> (table: Table, dropped: Int) {
                let table: Table
                if let read { table = read } else { table = try SourceLoader.load(source, baseDirectory: base, options: options, schema: schema) }
                try SourceRows.checkMissingFeatures(table, source: source, dataset: dataset, baseDirectory: base)
                return try MissingLabels.apply(
                    dataset.missing.labels, to: table, label: selection.label, source: source, options: options, baseDirectory: base)
            }
            let (training, droppedFromTraining) = try prepared(trainingSource, preloaded.training)
            var testing: Table?
            var dropped = droppedFromTraining
            if let testingSource = dataset.testing {
                let (table, count) = try prepared(testingSource, preloaded.testing)
                testing = table
                dropped += count
            }
            do throws(TabularError) {
                let report: MLDatasets.GenerationReport
                if let testing {
                    report = try datasets.generate(training: training, testing: testing, selection: selection, validation: validation)
                } else {
                    report = try datasets.generate(
                        from: training, selection: selection, testFraction: dataset.split.testFraction, seed: dataset.split.seed,
                        validation: validation)
                }
                return (datasets, report, dropped)
            } catch {
                throw .data(error)
            }
        }
        try context.checkCancellation(.datasetGeneration)
        let snapshot = DatasetSnapshot(
            pipelineID: context.pipeline.id, generation: (previous?.generation ?? 0) + 1,
            encoded: Data(datasets.binaryEncoded()), savedAt: context.clock.now)
        try await context.workspace.saveDatasets(snapshot, replacing: previous?.generation, of: context.pipeline)
        return "generation \(snapshot.generation): \(report.newRows) new of \(report.inputRows) input rows "
            + "(\(report.repeatedRows) rows identical to an earlier row, kept), "
            + "\(report.addedToTesting) added to testing; training \(report.trainingRows) rows (validation \(report.validationRows)), "
            + "testing \(datasets.testing.rowCount) rows"
            + (dropped > 0 ? "; \(dropped) row(s) without a label dropped" : "")
    }
}
