import Estimators
import Foundation

/// A run in progress: its progress events and, when it ends, its record.
public struct PipelineRun: Sendable {
    /// The run's identifier (its ``RunRecord`` is stored from the start).
    public let id: RunID
    /// Progress: job started, combination k of n, fold j of k, job and run finished. The
    /// sequence ends when the run does.
    public let events: AsyncStream<RunEvent>
    let task: Task<RunRecord, Never>

    /// Waits for the run to end and returns its final record.
    public func result() async -> RunRecord { await task.value }

    /// Cancels the run: the current job stops at its next check and is recorded as
    /// cancelled; later jobs are skipped.
    public func cancel() { task.cancel() }
}

extension Pipeline {
    /// Starts a run of `jobs` (in the fixed order dataset generation, training, testing,
    /// deployment, whatever order they are given in).
    ///
    /// The configuration is checked first: a run of an invalid or unfinished
    /// configuration is refused with **all** its problems and nothing is recorded. A
    /// failed job stops the run (later jobs are recorded as skipped); a job past its
    /// timeout (``Preferences/timeouts``) is cancelled cooperatively and recorded as timed
    /// out.
    ///
    /// ```swift
    /// let run = try await pipeline.run()
    /// for await event in run.events { print(event) }
    /// let record = await run.result()
    /// ```
    ///
    /// A pipeline never runs twice at once, even from several processes sharing the store:
    /// a run holds the pipeline's lease in the store (``RunLeasePolicy``), renewed while it
    /// runs and released when it ends; a lease left by a killed process expires. When the
    /// pipeline is running already, `ifRunning` says whether to refuse at once (the
    /// default) or to wait for it.
    ///
    /// - Parameters:
    ///   - jobs: The jobs to run; all four by default.
    ///   - origin: Manual, or the trigger that fired.
    ///   - ifRunning: Refuse (default), or wait up to a timeout, when the pipeline is running.
    ///   - configurationVersion: The saved configuration version to run; nil (the default)
    ///     runs the current one as it is when the run starts. Name the version you saved
    ///     when another process may save its own meanwhile (`mlpipe run` does).
    /// - Returns: The running run; ``PipelineRun/result()`` gives the final record.
    /// - Throws: ``PipelineError/alreadyRunning(pipeline:)`` (a pipeline never runs twice at
    ///   once), ``PipelineError/invalidConfiguration(pipeline:problems:)``,
    ///   ``PipelineError/notFound(_:)`` (also for an unknown configuration version).
    public func run(
        jobs: [JobKind] = JobKind.allCases, origin: RunOrigin = .manual, ifRunning: IfRunning = .refuse,
        configurationVersion: Int? = nil
    ) async throws(PipelineError) -> PipelineRun {
        try await workspace.startRun(of: self, jobs: jobs, origin: origin, ifRunning: ifRunning, version: configurationVersion)
    }

    /// The pipeline's runs, newest first.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` when the pipeline is gone.
    public func runs() async throws(PipelineError) -> [RunRecord] {
        _ = try await record()
        return try await storage { try await workspace.store.runs(of: id) }
    }
}

extension Workspace {
    /// Claims the pipeline (its run lease), checks its configuration and starts the run's
    /// task, which renews the lease while it runs and releases it at the end.
    func startRun(
        of handle: Pipeline, jobs: [JobKind], origin: RunOrigin, ifRunning: IfRunning = .refuse, version: Int? = nil
    ) async throws(PipelineError) -> PipelineRun {
        let id = handle.id
        let pipeline = try await handle.record()
        let claim = try await claim(pipeline, ifRunning: ifRunning)
        do throws(PipelineError) {
            let ordered = Array(Set(jobs)).sorted()
            let configuration = try await configurationToRun(of: handle, version: version, pipeline: pipeline)
            // Only dataset generation reads the sources (once, or the table a check kept).
            let (problems, sources) = try await checkedForRun(configuration, of: handle, jobs: ordered)
            guard problems.isEmpty else { throw .invalidConfiguration(pipeline: pipeline.name, problems: problems) }
            let record = RunRecord(
                pipelineID: id, configurationVersion: configuration.version, origin: origin, jobs: ordered, status: .running,
                startedAt: clock.now)
            try await storage { try await store.insertRun(record) }
            let (events, continuation) = AsyncStream.makeStream(of: RunEvent.self, bufferingPolicy: .unbounded)
            // The run's memory holds the sources until dataset generation takes them.
            let memory = RunMemory(sources: sources)
            let task = Task { [self] in
                var (final, lost) = await runningClaimed(claim) { [self] in
                    await execute(
                        record, pipeline: pipeline, configuration: configuration, memory: memory, emit: { continuation.yield($0) })
                }
                if let lost, final.status == .cancelled {
                    final.error = lost
                    let noted = final
                    do { try await uncancelled { [store] in try await store.updateRun(noted) } } catch {
                        logger.error("pipeline '\(pipeline.name)': run \(noted.id) lost its lease, which was not recorded: \(error)")
                    }
                }
                await release(claim)
                continuation.finish()
                return final
            }
            return PipelineRun(id: record.id, events: events, task: task)
        } catch {
            await release(claim)
            throw error
        }
    }

    /// The configuration a run executes: `version`, or the current one when nil.
    private func configurationToRun(
        of handle: Pipeline, version: Int?, pipeline: PipelineRecord
    ) async throws(PipelineError) -> ConfigurationRecord {
        let current = try await handle.configuration()
        guard let version, version != current.version else { return current }
        guard let stored = try await storage({ try await store.configuration(of: handle.id, version: version) }) else {
            throw .notFound(.other(kind: "configuration version", id: "\(version) of pipeline '\(pipeline.name)'"))
        }
        return stored
    }

    /// Runs the jobs in order, recording each outcome.
    private func execute(
        _ initial: RunRecord, pipeline: PipelineRecord, configuration: ConfigurationRecord, memory: RunMemory,
        emit: @escaping @Sendable (RunEvent) -> Void
    ) async -> RunRecord {
        var record = initial
        emit(.runStarted(record.id, jobs: record.jobs))
        logger.debug("pipeline '\(pipeline.name)': run \(record.id) started (\(record.jobs.map(\.rawValue).joined(separator: ", ")))")
        var stopped = false
        for job in record.jobs {
            if stopped {
                record.outcomes.append(JobOutcome(job: job, status: .skipped, startedAt: nil, finishedAt: nil))
                continue
            }
            emit(.jobStarted(job))
            let context = JobContext(
                store: store, estimators: estimators, scores: scores, clock: clock, logger: logger, baseDirectory: baseDirectory,
                pipeline: pipeline, configuration: configuration,
                threads: configuration.configuration.preferences.threads[job] ?? 1,
                cancellation: FitCancellation(timeout: configuration.configuration.preferences.timeouts[job].map { .seconds($0) }), memory: memory, phases: PhaseClock(), emit: emit, publish: { [self] in publish($0) }, workspace: self)
            let startedAt = clock.now
            let result = await Self.runWithTimeout(job, timeout: configuration.configuration.preferences.timeouts[job], context: context)
            var outcome = JobOutcome(
                job: job, status: .succeeded, startedAt: startedAt, finishedAt: clock.now, phases: context.phases.recorded)
            switch result {
            case .finished(.success(let done)):
                outcome.summary = done.summary
                record.combinations += done.combinations
                if let model = done.savedModel { record.savedModels.append(model) }
                if let failure = done.failure {
                    outcome.status = .failed
                    outcome.error = failure.description
                }
            case .finished(.failure(let error)):
                let cancelled: Bool
                switch error {
                case .cancelled, .estimator(.cancelled): cancelled = true
                default: cancelled = false
                }
                outcome.status = cancelled ? .cancelled : .failed
                outcome.error = error.description
            case .timedOut(let seconds):
                outcome.status = .timedOut
                outcome.error = "\(job.rawValue) passed its timeout of \(seconds) s and was cancelled"
            }
            if outcome.status != .succeeded {
                stopped = true
                record.status = outcome.status
                record.error = outcome.error
                logger.error("pipeline '\(pipeline.name)': \(job.rawValue) \(outcome.status.rawValue): \(outcome.error ?? "")")
            }
            record.outcomes.append(outcome)
            emit(.jobFinished(job, status: outcome.status, summary: outcome.summary))
            let snapshot = record
            do { try await store.updateRun(snapshot) } catch {
                // The run goes on; its final record is written again at the end.
                logger.warning("pipeline '\(pipeline.name)': the progress of run \(snapshot.id) was not stored: \(error)")
            }
        }
        if !stopped { record.status = .succeeded }
        record.finishedAt = clock.now
        let final = record
        // Stored even when the run was cancelled (a cancelled task's store calls may be refused).
        do { try await uncancelled { [store] in try await store.updateRun(final) } } catch {
            logger.error("pipeline '\(pipeline.name)': run \(final.id) finished but its record was not stored: \(error)")
        }
        emit(.runFinished(record.id, status: record.status))
        logger.debug("pipeline '\(pipeline.name)': run \(record.id) \(record.status.rawValue)")
        return final
    }

    /// What one job produced.
    struct JobResult: Sendable {
        var summary: String
        var combinations: [CombinationScore] = []
        var savedModel: ModelID?
        var failure: PipelineError?
    }

    enum JobEnd: Sendable {
        case finished(Result<JobResult, PipelineError>)
        case timedOut(Double)
    }

    /// Runs a job, cancelling it cooperatively when it passes `timeout` seconds (real time).
    private static func runWithTimeout(_ job: JobKind, timeout: Double?, context: JobContext) async -> JobEnd {
        enum Race: Sendable {
            case job(Result<JobResult, PipelineError>)
            case timer
        }
        return await withTaskGroup(of: Race?.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    do throws(PipelineError) {
                        return .job(.success(try await body(job, context)))
                    } catch {
                        return .job(.failure(error))
                    }
                } onCancel: {
                    context.cancellation.cancel()
                }
            }
            if let timeout {
                group.addTask {
                    do { try await Task.sleep(for: .seconds(timeout)) } catch { return nil }
                    return .timer
                }
            }
            var timedOut = false
            while let next = await group.next() {
                switch next {
                case .timer?:
                    timedOut = true
                    context.cancellation.cancel()
                case .job(let result)?:
                    group.cancelAll()
                    // The deadline also stops the job by itself (the flag reads it), when
                    // the timer could not run in time: a failure past it is the timeout's.
                    if case .failure = result, context.cancellation.isPastDeadline { timedOut = true }
                    if timedOut, let timeout { return .timedOut(timeout) }
                    return .finished(result)
                case nil:
                    continue
                }
            }
            return .finished(.failure(.cancelled(job: job)))
        }
    }

    /// The job itself.
    private static func body(_ job: JobKind, _ context: JobContext) async throws(PipelineError) -> JobResult {
        switch job {
        case .datasetGeneration:
            return JobResult(summary: try await DatasetGenerationJob.run(context))
        case .training:
            let outcome = try await TrainingJob.run(context)
            return JobResult(
                summary: outcome.summary, combinations: outcome.combinations, savedModel: outcome.savedModel, failure: outcome.failure)
        case .testing:
            return JobResult(summary: try await TestingJob.run(context))
        case .deployment:
            return JobResult(summary: try await DeploymentJob.run(context))
        }
    }
}
