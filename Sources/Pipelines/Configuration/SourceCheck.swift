import Foundation
import Logging
import Synchronization
import Tabular

/// What checking a configuration's sources found.
struct SourceCheck: Sendable {
    /// Every problem (reading the sources first, then the validator's).
    var problems: [ConfigurationProblem]
    /// The sources as read, when the check was asked for them (a run's dataset generation).
    var sources: SourceTables
    /// The fingerprints of its CSV sources as checked, to store with a saved configuration.
    var fingerprints: [SourceFingerprint]
}

extension Workspace {
    /// Every problem of `configuration`, checking its sources through ``sourceCache``: a CSV
    /// source with an unchanged fingerprint (in the cache, or among `known`: those stored
    /// with the pipeline's configuration) is not parsed; one that is parsed is read with the
    /// datasets' `schema`, and a missing feature under the `error` policy, or a missing label
    /// under the `refuse` policy, is a problem naming its file and line.
    ///
    /// - Parameters:
    ///   - configuration: The configuration to check.
    ///   - schema: The datasets' schema (nil before the first generation).
    ///   - known: Fingerprints stored with the pipeline's configuration.
    ///   - readsTables: Whether the caller needs the tables (a run's dataset generation):
    ///     then each source is taken from the cache or parsed, once.
    func checkedSources(
        of configuration: PipelineConfiguration, schema: Schema? = nil, known: [SourceFingerprint] = [], readsTables: Bool = false
    ) async -> SourceCheck {
        let checker = SourceChecker(
            dataset: configuration.dataset, baseDirectory: baseDirectory, schema: schema, known: known, cache: sourceCache,
            readsTables: readsTables, logger: logger)
        let outcomes = await offload { () -> [SourceOutcome] in
            [("dataset.training", configuration.dataset.training), ("dataset.testing", configuration.dataset.testing)].map { path, source in
                source.map { checker.check($0, at: path) } ?? SourceOutcome()
            }
        }
        let (training, testing) = (outcomes[0], outcomes[1])
        let validator = ConfigurationValidator(estimators: estimators, scores: scores)
        let problems = validator.problems(in: configuration, training: training.summary, testing: testing.summary)
        return SourceCheck(
            problems: outcomes.flatMap(\.problems) + problems,
            sources: readsTables
                ? SourceTables(
                    training: training.table, testing: testing.table, readSeconds: training.readSeconds + testing.readSeconds,
                    notes: training.notes + testing.notes)
                : SourceTables(),
            fingerprints: outcomes.compactMap(\.fingerprint))
    }

    /// The problems that refuse a run of `jobs`, and the sources its dataset generation reads.
    ///
    /// Only dataset generation reads sources: it checks them (each read once, or taken from
    /// the table a check kept) and gets the tables. The other jobs use the stored datasets,
    /// so a run without dataset generation reads no source: its dataset step is checked
    /// against the datasets' schema. A deployment-only run checks nothing here.
    func checkedForRun(
        _ configuration: ConfigurationRecord, of pipeline: Pipeline, jobs: [JobKind]
    ) async throws(PipelineError) -> (problems: [ConfigurationProblem], sources: SourceTables) {
        guard jobs.contains(where: { $0 != .deployment }) else { return ([], SourceTables()) }
        let schema = try await pipeline.datasetSchema()
        guard jobs.contains(.datasetGeneration) else {
            let validator = ConfigurationValidator(estimators: estimators, scores: scores)
            return (validator.problems(in: configuration.configuration, datasets: schema), SourceTables())
        }
        let check = await checkedSources(
            of: configuration.configuration, schema: schema, known: configuration.sources ?? [], readsTables: true)
        return (check.problems, check.sources)
    }
}

/// One source's check.
struct SourceOutcome: Sendable {
    /// The table, when it was read or taken from the cache.
    var table: Table?
    /// What the validator needs, when the source could be read.
    var summary: SourceSummary?
    /// The CSV source's fingerprint, when it is known.
    var fingerprint: SourceFingerprint?
    /// Reading it or its rows went wrong.
    var problems: [ConfigurationProblem] = []
    /// The seconds spent parsing it, here or by the check whose table it took (0 when it
    /// was not parsed).
    var readSeconds: Double = 0
    /// What reading it left out, for the generation's summary (image files).
    var notes: [String] = []
}

/// Checks one source on a Dispatch thread (it may parse and hash files).
struct SourceChecker: Sendable {
    let dataset: DatasetStep
    let baseDirectory: URL
    let schema: Schema?
    let known: [SourceFingerprint]
    let cache: SourceCache
    let readsTables: Bool
    let logger: Logger

    /// The source's outcome: from a confirmed fingerprint or a kept table when it can be,
    /// else from reading it. `path` is the problem's key path.
    func check(_ source: DataSource, at path: String) -> SourceOutcome {
        guard case .csv(let file) = source else {
            let loaded: (table: Table, notes: [String])
            let started = ContinuousClock.now
            do { loaded = try SourceLoader.loadWithNotes(source, baseDirectory: baseDirectory, options: dataset.missing.csvOptions) } catch {
                return SourceOutcome(problems: [ConfigurationProblem(path, "cannot read \(source): \(error)")])
            }
            var outcome = checkedRows(of: loaded.table, source: source, at: path, fingerprint: nil)
            outcome.notes = loaded.notes
            if case .images = source { outcome.readSeconds = PhaseClock.seconds(since: started) }
            return outcome
        }
        let url = SourceLoader.url(of: file, baseDirectory: baseDirectory)
        let options = SourceLoader.options(dataset.missing.csvOptions, schema: schema)
        let reading = SourceFingerprint.Reading(options)
        let integers = schema?.columns.filter { $0.type == .integer }.map(\.name) ?? []
        let candidates = ([cache.fingerprint(ofFileAt: url.path)].compactMap { $0 } + known.filter { $0.path == url.path })
            .filter { $0.answers(path: url.path, reading: reading, integerColumns: integers) }
        if readsTables {
            if let kept = cache.takeTable(ofFileAt: url.path),
               kept.fingerprint.answers(path: url.path, reading: reading, integerColumns: integers),
               let confirmed = confirmed([kept.fingerprint], url: url)
            {
                cache.note(.reuse)
                logger.debug("\(url.path): the table read by the configuration's check, unchanged (\(confirmed.rowCount) rows)")
                var outcome = checkedRows(of: kept.table, source: source, at: path, fingerprint: confirmed)
                outcome.readSeconds = kept.readSeconds
                return outcome
            }
        } else if !candidates.isEmpty, let confirmed = confirmed(candidates, url: url), !confirmed.mayRefuseRows(of: dataset) {
            cache.note(.reuse)
            logger.debug("\(url.path): unchanged since it was read (\(confirmed.rowCount) rows, sha256 \(confirmed.sha256.prefix(12)))")
            return SourceOutcome(summary: SourceSummary(confirmed), fingerprint: confirmed)
        }
        return read(source, url: url, options: options, at: path)
    }

    /// The first of `candidates` (all of the file at `url`) that the file still matches: by
    /// its settled stamp, else by the SHA-256 of its bytes (then with the stamp refreshed).
    /// Nil when none does, or the file cannot be read.
    private func confirmed(_ candidates: [SourceFingerprint], url: URL) -> SourceFingerprint? {
        guard let stamp = SourceFingerprint.Stamp(ofFileAt: url.path) else { return nil }
        if let same = candidates.first(where: { $0.stamp == stamp && cache.isSettled($0) }) { return same }
        let stampedAt = SourceFingerprint.now()
        let started = ContinuousClock.now
        let digest: String
        do { digest = try SourceFingerprint.sha256(ofFileAt: url) } catch {
            // Not confirmed: the caller parses the file, which reports what is wrong with it.
            logger.debug("\(url.path): cannot hash it (\(error)); reading it instead")
            return nil
        }
        cache.note(.hash)
        logger.debug("\(url.path): hashed \(stamp.size) bytes in \(ContinuousClock.now - started)")
        // Changed while it was hashed: not confirmed.
        guard var match = candidates.first(where: { $0.sha256 == digest }), SourceFingerprint.Stamp(ofFileAt: url.path) == stamp else {
            return nil
        }
        match.stamp = stamp
        match.stampedAt = stampedAt
        cache.remember(match, table: nil)
        return match
    }

    /// Parses the source (hashing its bytes meanwhile, on another thread), checks its rows
    /// and remembers its fingerprint (and, for a check, the table, for a run to take).
    private func read(_ source: DataSource, url: URL, options: CSVOptions, at path: String) -> SourceOutcome {
        let stampedAt = SourceFingerprint.now()
        let stamp = SourceFingerprint.Stamp(ofFileAt: url.path)
        let started = ContinuousClock.now
        let results = Mutex<(table: Result<Table, PipelineError>?, digest: String?)>((nil, nil))
        let (base, schema) = (baseDirectory, self.schema)
        let missingOptions = dataset.missing.csvOptions
        DispatchQueue.concurrentPerform(iterations: stamp == nil ? 1 : 2) { index in
            if index == 0 {
                let table = Result { () throws(PipelineError) -> Table in
                    try SourceLoader.load(source, baseDirectory: base, options: missingOptions, schema: schema)
                }
                results.withLock { $0.table = table }
            } else {
                // Without a digest the file gets no fingerprint (the next check reads it again).
                let digest: String?
                do { digest = try SourceFingerprint.sha256(ofFileAt: url) } catch {
                    logger.debug("\(url.path): cannot hash it (\(error)); no fingerprint kept")
                    digest = nil
                }
                results.withLock { $0.digest = digest }
            }
        }
        cache.note(.read)
        let (loaded, digest) = results.withLock { ($0.table, $0.digest) }
        let table: Table
        switch loaded {
        case .success(let read)?:
            table = read
        case .failure(let error)?:
            let fixed = schema != nil && Self.isInvalidValue(error)
                ? " (the datasets' schema fixes each column's type until the datasets are reset)" : ""
            return SourceOutcome(problems: [ConfigurationProblem(path, "cannot read \(source): \(error)\(fixed)")])
        case nil:
            return SourceOutcome(problems: [ConfigurationProblem(path, "cannot read \(source)")])
        }
        logger.debug("\(url.path): read \(table.rowCount) rows × \(table.columns.count) columns in \(ContinuousClock.now - started)")
        var fingerprint: SourceFingerprint?
        // A file that changed while it was read gets no fingerprint: the next check reads it again.
        if let stamp, let digest, SourceFingerprint.Stamp(ofFileAt: url.path) == stamp {
            fingerprint = SourceFingerprint(
                path: url.path, stamp: stamp, stampedAt: stampedAt, sha256: digest, reading: SourceFingerprint.Reading(options),
                schema: table.schema, rowCount: table.rowCount,
                columnsWithMissingValues: table.columns.filter { !$0.missing.isEmpty }.map(\.name))
        }
        let seconds = PhaseClock.seconds(since: started)
        if let fingerprint { cache.remember(fingerprint, table: readsTables ? nil : table, readSeconds: seconds) }
        var outcome = checkedRows(of: table, source: source, at: path, fingerprint: fingerprint)
        outcome.readSeconds = seconds
        return outcome
    }

    /// The outcome of a table: a missing feature under the `error` policy, or rows without a
    /// label under the `refuse` policy, are problems (as at dataset generation).
    private func checkedRows(of table: Table, source: DataSource, at path: String, fingerprint: SourceFingerprint?) -> SourceOutcome {
        var outcome = SourceOutcome(table: table, summary: SourceSummary(table), fingerprint: fingerprint)
        let options = dataset.missing.csvOptions
        do throws(PipelineError) {
            try SourceRows.checkMissingFeatures(table, source: source, dataset: dataset, baseDirectory: baseDirectory)
            if dataset.missing.labels == .refuse, let label = dataset.label, table[label] != nil {
                _ = try MissingLabels.apply(.refuse, to: table, label: label, source: source, options: options, baseDirectory: baseDirectory)
            }
        } catch {
            outcome.problems.append(ConfigurationProblem(path, "\(error)"))
        }
        return outcome
    }

    /// Whether `error` is a CSV cell of another type than its column's.
    private static func isInvalidValue(_ error: PipelineError) -> Bool {
        guard case .data(let data) = error, case .csv(let located) = data, case .invalidValue = located.kind else { return false }
        return true
    }
}
