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
        // Sources parsed for this run (by its check, or by the check whose tables it took)
        // count as this job's reading.
        let preloaded = context.memory.takeSources()
        if preloaded.readSeconds > 0 { context.phases.add("read", seconds: preloaded.readSeconds) }
        // The ledger and the testing rows (training is rebuilt from the sources), read once.
        let previous = try await context.phases.time("load") { () async throws(PipelineError) -> RunMemory.Datasets? in
            let stored = try await context.datasets(rows: .testing, identities: true)
            // An image folder's summary says which images changed under a path seen before:
            // that needs the earlier training rows' paths and digests too.
            let imageSource = dataset.imagePreprocessing != nil
            guard let stored, stored.ledger.generationNeedsTrainingRows || imageSource else { return stored }
            return try await context.datasets(rows: .all, identities: true)
        }
        let validation: MLDatasets.ValidationPlan
        if case .holdout(let fraction, let seed) = context.configuration.configuration.training.validation {
            validation = .holdout(fraction: fraction, seed: seed)
        } else {
            validation = .none
        }
        let base = context.baseDirectory
        let phases = context.phases
        let (datasets, report, dropped, notes) = try await offload {
            () throws(PipelineError) -> (MLDatasets, MLDatasets.GenerationReport, Int, [String]) in
            var datasets = MLDatasets()
            if let previous, let testing = previous.testing {
                do throws(TabularError) {
                    datasets = try MLDatasets(ledger: previous.ledger, training: previous.training, testing: testing)
                } catch {
                    throw .data(error)
                }
            }
            // Each source as the run read it when it checked the configuration (read now only if
            // not), with the datasets' schema: a cell of another type is an error at its place.
            // A feature missing under the `error` policy is refused naming its file and line;
            // rows without a label are refused (nothing is stored) or dropped, by policy.
            let options = dataset.missing.csvOptions
            let schema = datasets.schema
            var notes = preloaded.notes
            func prepared(_ source: DataSource, _ read: Table?) throws(PipelineError) -> (table: Table, dropped: Int) {
                let table: Table
                if let read {
                    table = read
                } else {
                    let start = ContinuousClock.now
                    let loaded = try SourceLoader.loadWithNotes(source, baseDirectory: base, options: options, schema: schema)
                    (table, notes) = (loaded.table, notes + loaded.notes)
                    phases.add("read", seconds: PhaseClock.seconds(since: start))
                }
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
            let start = ContinuousClock.now
            defer { phases.add("generate", seconds: PhaseClock.seconds(since: start)) }
            do throws(TabularError) {
                let report: MLDatasets.GenerationReport
                if let testing {
                    report = try datasets.generate(training: training, testing: testing, selection: selection, validation: validation)
                } else {
                    report = try datasets.generate(
                        from: training, selection: selection, testFraction: dataset.split.testFraction, seed: dataset.split.seed,
                        validation: validation)
                }
                if dataset.imagePreprocessing != nil, let previous {
                    let changed = ImageRows.changedImages(
                        in: [training, testing].compactMap { $0 }, before: [previous.training, previous.testing].compactMap { $0 })
                    if changed > 0 {
                        notes.append("\(changed) image(s) changed under a path seen before, each a new row "
                            + "(an earlier version in testing stays there)")
                    }
                }
                return (datasets, report, dropped, notes)
            } catch {
                throw .data(error)
            }
        }
        try context.checkCancellation(.datasetGeneration)
        let generation = (previous?.generation ?? 0) + 1
        let now = context.clock.now
        let snapshot = await context.phases.time("encode") {
            await offload { DatasetSnapshot(pipelineID: context.pipeline.id, generation: generation, datasets: datasets, savedAt: now) }
        }
        try await context.phases.time("save") { () async throws(PipelineError) in
            try await context.workspace.saveDatasets(snapshot, replacing: previous?.generation, of: context.pipeline)
        }
        // The run's later jobs use these datasets as they are: no read, no decode.
        context.memory.remember(RunMemory.Datasets(
            generation: generation, ledger: DatasetLedger(of: datasets), training: datasets.training, testing: datasets.testing))
        return "generation \(generation): \(report.newRows) new of \(report.inputRows) input rows "
            + "(\(report.repeatedRows) rows identical to an earlier row, kept), "
            + "\(report.addedToTesting) added to testing; training \(report.trainingRows) rows (validation \(report.validationRows)), "
            + "testing \(datasets.testing.rowCount) rows"
            + (dropped > 0 ? "; \(dropped) row(s) without a label dropped" : "")
            + notes.map { "; " + $0 }.joined()
    }
}
