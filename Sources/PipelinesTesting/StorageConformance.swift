public import Pipelines

/// The executable contract of ``Pipelines/PipelineStorage``: every behaviour the SDK relies
/// on from a storage backend, checked against a real store.
///
/// Every backend (the in-memory one, the SQLite one, and any a host writes) must pass it.
/// Each check runs on a fresh store made by your closure, with its own
/// ``Pipelines/ManualWallClock`` that the store must use to stamp deployments, so checks
/// are independent and deterministic. Host tests usually call ``check(makeStore:)``:
///
/// ```swift
/// import PipelinesTesting
/// import Testing
///
/// @Test func myStoreConforms() async throws {
///     try await StorageConformance.check { clock in
///         try MySQLiteStore(path: temporaryFile(), clock: clock)
///     }
/// }
/// ```
///
/// The store offers transactional primitives and guards only its own integrity; the
/// rules (what may be deployed where, what an orphaned model looks like, which version an
/// import gets) live once in the core. So the suite checks the primitives — the
/// compare-and-swap and unconditional swap of ``Pipelines/DeploymentStore`` and the restore
/// of a whole deployment history with its own dates, the
/// orphaning closure applied to every model of a deleted pipeline, the configuration
/// versions appended from 1, the imported name + version uniqueness, the dataset
/// compare-and-swap, leases (exclusive under a race, taken over once expired by the
/// store's clock, renewed and released by their owner only), trigger firings claimed
/// once under a race, endpoint names unique across scopes (claimed and freed as a
/// set, freed with their tokens when they are dropped or their pipeline is deleted), and
/// the run queue (oldest first, each run claimed by one worker under a race, an expired
/// claim retried while attempts are left, a trigger firing queued once) —
/// and never asks a
/// store to refuse, or to accept, what only the core's rules decide (deploying a rejected
/// model, or a model of another pipeline or line).
///
/// What the suite demands beyond the protocol documentation:
/// - records read back **exactly** equal to what was written, dates included (no
///   millisecond rounding: store a `Date` as its `timeIntervalSinceReferenceDate`, not as
///   text), `1.0` stays a `.double`, never becoming the integer `1`, and testing scores
///   keep their order;
/// - refusals throw ``Pipelines/StoreError`` with the documented case; the associated
///   values checked are the ones callers use (the missing identifier, the duplicate
///   name, the number of pipelines, the versions and models of a conflict, the model
///   refused, the import name and version taken) — `kind` strings and `reason` texts are
///   free;
/// - a refused call changes nothing;
/// - `appendConfiguration` sets the pipeline's `updatedAt` to the configuration's
///   `savedAt`, and every deployment record — swaps and the undeploy record of a
///   deletion — is stamped with the store's clock;
/// - deletions store exactly what the orphaning closure returns, given each model's latest
///   record and the pipeline as stored at the deletion (the suite's closure keeps the
///   model's identifier).
public enum StorageConformance {
    /// The names of every check, in the order ``run(makeStore:)`` runs them.
    ///
    /// ```swift
    /// let report = try await StorageConformance.run { clock in InMemoryStore(clock: clock) }
    /// assert(report.passed == StorageConformance.checkNames)
    /// ```
    public static var checkNames: [String] { checks.map(\.name) }

    /// Runs every check, each on a fresh store, and reports which passed and how the
    /// others failed.
    ///
    /// A store that cannot be made, or a check that stops on an unexpected error, is
    /// reported as a failure of that check; the other checks still run.
    ///
    /// ```swift
    /// let report = try await StorageConformance.run { clock in InMemoryStore(clock: clock) }
    /// for failure in report.failures { print(failure) }   // "[deploymentRaceOneWinner] …"
    /// ```
    ///
    /// - Parameter makeStore: Makes an empty store that stamps deployments with `clock`.
    /// - Returns: The names of the checks passed and every failure, in check order.
    /// - Throws: `CancellationError` when the calling task is cancelled.
    public static func run(
        makeStore: @Sendable (_ clock: ManualWallClock) async throws -> any PipelineStorage
    ) async throws -> ConformanceReport {
        var report = ConformanceReport(passed: [], failures: [])
        for check in checks {
            try Task.checkCancellation()
            let messages = await perform(check, makeStore: makeStore)
            if messages.isEmpty {
                report.passed.append(check.name)
            } else {
                report.failures += messages.map { ConformanceFailure(check: check.name, message: $0) }
            }
        }
        return report
    }

    /// Runs every check and throws if any failed: the one-line conformance test of a
    /// backend.
    ///
    /// ```swift
    /// @Test func inMemoryStoreConforms() async throws {
    ///     try await StorageConformance.check { clock in InMemoryStore(clock: clock) }
    /// }
    /// ```
    ///
    /// - Parameter makeStore: Makes an empty store that stamps deployments with `clock`.
    /// - Throws: ``ConformanceFailures`` listing every failure; `CancellationError` when
    ///   the calling task is cancelled.
    public static func check(
        makeStore: @Sendable (_ clock: ManualWallClock) async throws -> any PipelineStorage
    ) async throws {
        let report = try await run(makeStore: makeStore)
        if !report.failures.isEmpty {
            throw ConformanceFailures(failures: report.failures, passed: report.passed)
        }
    }

    // MARK: Running

    /// One named check.
    struct Check: Sendable {
        let name: String
        let body: @Sendable (CheckContext) async throws -> Void

        init(_ name: String, _ body: @escaping @Sendable (CheckContext) async throws -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Every check, in running order (each body is a static function of the same name).
    static let checks: [Check] = [
        Check("repositoriesInsertGetList", repositoriesInsertGetList),
        Check("repositoriesUpdate", repositoriesUpdate),
        Check("repositoriesDuplicateNameRefused", repositoriesDuplicateNameRefused),
        Check("repositoriesDelete", repositoriesDelete),
        Check("repositoriesDeleteWithPipelines", repositoriesDeleteWithPipelines),
        Check("pipelinesRequireRepository", pipelinesRequireRepository),
        Check("pipelinesNameUniqueWithinRepository", pipelinesNameUniqueWithinRepository),
        Check("pipelinesRename", pipelinesRename),
        Check("pipelinesListing", pipelinesListing),
        Check("configurationsFirstVersionIsOne", configurationsFirstVersionIsOne),
        Check("configurationsAppendInOrder", configurationsAppendInOrder),
        Check("configurationsOutOfOrderRefused", configurationsOutOfOrderRefused),
        Check("datasetsSaveReplaceRead", datasetsSaveReplaceRead),
        Check("datasetsCompareAndSwap", datasetsCompareAndSwap),
        Check("datasetsPartialReads", datasetsPartialReads),
        Check("datasetsInChunks", datasetsInChunks),
        Check("modelsRoundTrip", modelsRoundTrip),
        Check("modelsRequirePipeline", modelsRequirePipeline),
        Check("modelsFilterAndOrder", modelsFilterAndOrder),
        Check("modelsPaging", modelsPaging),
        Check("modelsTotalsFollowChanges", modelsTotalsFollowChanges),
        Check("modelsFilterLinesAndDeployment", modelsFilterLinesAndDeployment),
        Check("modelsFilterFormerPipeline", modelsFilterFormerPipeline),
        Check("modelsUpdate", modelsUpdate),
        Check("modelsDelete", modelsDelete),
        Check("modelsDeployedProtected", modelsDeployedProtected),
        Check("modelsImportedVersionUnique", modelsImportedVersionUnique),
        Check("modelsImportRaceOneVersion", modelsImportRaceOneVersion),
        Check("deploymentCompareAndSwap", deploymentCompareAndSwap),
        Check("deploymentAnyModel", deploymentAnyModel),
        Check("deploymentUnchangedSwap", deploymentUnchangedSwap),
        Check("deploymentNotDeployable", deploymentNotDeployable),
        Check("deploymentHistory", deploymentHistory),
        Check("deploymentStandaloneLines", deploymentStandaloneLines),
        Check("deploymentRaceOneWinner", deploymentRaceOneWinner),
        Check("deploymentConcurrentSwapChain", deploymentConcurrentSwapChain),
        Check("deploymentRaceAnyModel", deploymentRaceAnyModel),
        Check("deploymentRestoredHistory", deploymentRestoredHistory),
        Check("deploymentRestoreRefusals", deploymentRestoreRefusals),
        Check("deletePipelineCascade", deletePipelineCascade),
        Check("runsInsertUpdateList", runsInsertUpdateList),
        Check("triggersInsertListDelete", triggersInsertListDelete),
        Check("firingClaimsOnce", firingClaimsOnce),
        Check("firingClaimsRace", firingClaimsRace),
        Check("leasesAcquireRenewRelease", leasesAcquireRenewRelease),
        Check("leasesExclusiveUnderRace", leasesExclusiveUnderRace),
        Check("leasesExpiryTakeover", leasesExpiryTakeover),
        Check("leasesRenewByOwnerOnly", leasesRenewByOwnerOnly),
        Check("leasesReleaseByOwnerOnly", leasesReleaseByOwnerOnly),
        Check("insertDuplicateIDRefused", insertDuplicateIDRefused),
        Check("endpointsUniqueAcrossScopes", endpointsUniqueAcrossScopes),
        Check("endpointsReplaceExactly", endpointsReplaceExactly),
        Check("endpointsFreedByPipelineDeletion", endpointsFreedByPipelineDeletion),
        Check("tokensInsertListRevoke", tokensInsertListRevoke),
        Check("viewerTokens", viewerTokens),
        Check("folderLedgerTakeOnce", folderLedgerTakeOnce),
        Check("folderLedgerUpdate", folderLedgerUpdate),
        Check("folderLedgerTakeRace", folderLedgerTakeRace),
        Check("runQueueEnqueueClaimFinish", runQueueEnqueueClaimFinish),
        Check("runQueueExpiredClaimRetriedOnce", runQueueExpiredClaimRetriedOnce),
        Check("runQueueFiringQueuedOnce", runQueueFiringQueuedOnce),
        Check("runQueueClaimRace", runQueueClaimRace),
    ]

    /// Runs one check on a fresh store; returns its failure messages.
    private static func perform(
        _ check: Check, makeStore: @Sendable (_ clock: ManualWallClock) async throws -> any PipelineStorage
    ) async -> [String] {
        let clock = ManualWallClock(now: Fixture.clockStart)
        let store: any PipelineStorage
        do {
            store = try await makeStore(clock)
        } catch {
            return ["makeStore: expected a store, got \(Difference.describe(error: error))"]
        }
        let context = CheckContext(store: store, clock: clock)
        do {
            try await check.body(context)
        } catch is CheckAborted {
            // The reason is already recorded.
        } catch {
            context.fail("stopped by an unexpected error: \(Difference.describe(error: error))")
        }
        return context.failures
    }
}

/// What ``StorageConformance/run(makeStore:)`` found: the checks passed and every failure.
///
/// ```swift
/// let report = try await StorageConformance.run { clock in InMemoryStore(clock: clock) }
/// print("\(report.passed.count) passed, \(report.failures.count) failure(s)")
/// ```
public struct ConformanceReport: Sendable, Hashable {
    /// The names of the checks without any failure, in running order.
    public var passed: [String]
    /// Every failure, in running order (a check may fail several times).
    public var failures: [ConformanceFailure]

    /// A report.
    ///
    /// ```swift
    /// let empty = ConformanceReport(passed: [], failures: [])
    /// ```
    public init(passed: [String], failures: [ConformanceFailure]) {
        self.passed = passed
        self.failures = failures
    }
}

/// One failed expectation of a conformance check: the check's name and what differed
/// (expected versus actual).
///
/// ```swift
/// for failure in report.failures where failure.check == "deploymentRaceOneWinner" {
///     print(failure.message)   // "racing swapDeployment(…, expecting: .current(nil)): expected exactly 1 winner, got 8 …"
/// }
/// ```
public struct ConformanceFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The check's name (one of ``StorageConformance/checkNames``).
    public var check: String
    /// What was expected and what happened.
    public var message: String

    /// A failure of `check`.
    ///
    /// ```swift
    /// let failure = ConformanceFailure(check: "modelsRoundTrip", message: "model(m1): …")
    /// ```
    public init(check: String, message: String) {
        self.check = check
        self.message = message
    }

    /// `[check] message`.
    public var description: String { "[\(check)] \(message)" }
}

/// The error ``StorageConformance/check(makeStore:)`` throws: every failure of the run.
///
/// ```swift
/// do {
///     try await StorageConformance.check { clock in MyStore(clock: clock) }
/// } catch let error as ConformanceFailures {
///     print(error)   // "2 of 45 storage conformance checks failed: …"
/// }
/// ```
public struct ConformanceFailures: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every failure, in running order.
    public var failures: [ConformanceFailure]
    /// The checks that passed.
    public var passed: [String]

    /// The failures of a run.
    ///
    /// ```swift
    /// let error = ConformanceFailures(failures: report.failures, passed: report.passed)
    /// ```
    public init(failures: [ConformanceFailure], passed: [String]) {
        self.failures = failures
        self.passed = passed
    }

    /// The names of the failed checks, in running order, each once.
    public var failedChecks: [String] {
        var seen = Set<String>()
        return failures.map(\.check).filter { seen.insert($0).inserted }
    }

    /// A summary line, then every failure on its own line.
    public var description: String {
        let total = passed.count + failedChecks.count
        let lines = failures.map { "- \($0)" }
        return (["\(failedChecks.count) of \(total) storage conformance checks failed:"] + lines)
            .joined(separator: "\n")
    }
}
