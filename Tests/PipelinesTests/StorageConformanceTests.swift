import Foundation
import Pipelines
import PipelinesPostgres
import PipelinesSQLite
import PipelinesTesting
import Testing

/// A storage backend the conformance suite runs against.
enum StorageBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// ``InMemoryStore``.
    case inMemory
    /// ``SQLiteStore`` on a fresh temporary file per check.
    case sqlite
    /// ``PostgresStore`` in a fresh schema of the test server per check.
    case postgres

    var testDescription: String {
        switch self {
        case .inMemory: return "in-memory"
        case .sqlite: return "SQLite"
        case .postgres: return "PostgreSQL"
        }
    }

    /// A fresh empty store stamping deployments with `clock`; SQLite files go to `directory`.
    func makeStore(clock: ManualWallClock, in directory: TemporaryDirectory) async throws -> any PipelineStorage {
        switch self {
        case .inMemory: return InMemoryStore(clock: clock)
        case .sqlite: return try SQLiteStore(path: directory.newPath(), clock: clock)
        case .postgres: return try await PostgresTestServer.freshStore(clock: clock)
        }
    }

    /// The backends whose tests run here (PostgreSQL only with a test server).
    static var available: [StorageBackend] { allCases.filter { $0 != .postgres || PostgresTestServer.available } }
}

@Suite("Storage conformance")
struct StorageConformanceTests {
    @Test("the store passes every check", arguments: StorageBackend.available)
    func storePasses(_ backend: StorageBackend) async throws {
        let directory = try TemporaryDirectory("conformance-\(backend.rawValue)")
        defer { directory.remove() }
        let report = try await StorageConformance.run { clock in try await backend.makeStore(clock: clock, in: directory) }
        for failure in report.failures {
            Issue.record("\(failure)")
        }
        #expect(report.passed == StorageConformance.checkNames)
        #expect(report.passed.count >= 50)
    }

    @Test("check(makeStore:) returns quietly for a conforming store")
    func checkPassesQuietly() async throws {
        try await StorageConformance.check { clock in InMemoryStore(clock: clock) }
    }

    @Test("a store accepting stale deployments fails the compare-and-swap checks")
    func staleDeploymentsAreCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .ignoresExpectedDeployment) }
        let failed = Set(report.failures.map(\.check))
        // Whether the swap chain also catches it depends on how the racers interleave.
        #expect(failed.isSuperset(of: ["deploymentCompareAndSwap", "deploymentStandaloneLines", "deploymentRaceOneWinner"]))
        #expect(failed.isSubset(of: ["deploymentCompareAndSwap", "deploymentStandaloneLines", "deploymentRaceOneWinner",
                                     "deploymentConcurrentSwapChain"]))
        let race = report.failures.first { $0.check == "deploymentRaceOneWinner" }
        #expect(race?.message.contains("expected exactly 1 winner, got 8") == true)
    }

    @Test("a store listing repositories unsorted fails the listing check")
    func unsortedRepositoriesAreCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .unsortedRepositories) }
        #expect(Set(report.failures.map(\.check))
            == ["repositoriesInsertGetList", "repositoriesUpdate", "repositoriesDelete", "insertDuplicateIDRefused"])
        let names = report.failures.first { $0.message.hasPrefix("repositories() names") }
        #expect(names?.message == #"repositories() names, sorted by name: expected ["alpha", "beta", "gamma"], "#
            + #"got ["gamma", "beta", "alpha"]"#)
    }

    @Test("a store rounding model dates to the millisecond fails the model checks, with a hint")
    func truncatedDatesAreCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .millisecondModelDates) }
        // Every check that reads a model back and compares it with what it wrote.
        #expect(Set(report.failures.map(\.check))
            == ["modelsRoundTrip", "modelsFilterAndOrder", "modelsPaging", "modelsUpdate", "modelsDelete",
                "modelsDeployedProtected", "modelsImportedVersionUnique", "modelsImportRaceOneVersion", "deploymentNotDeployable",
                "deletePipelineCascade", "repositoriesDeleteWithPipelines", "insertDuplicateIDRefused"])
        let roundTrip = report.failures.first { $0.check == "modelsRoundTrip" }
        #expect(roundTrip?.message.contains("createdAt: expected") == true)
        #expect(roundTrip?.message.contains("loses sub-millisecond precision") == true)
    }

    @Test("a store whose swap to the deployed model appends records fails the no-op swap checks")
    func unchangedSwapAppendsIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .unchangedSwapAppends) }
        let failed = Set(report.failures.map(\.check))
        #expect(failed.contains("deploymentUnchangedSwap"))
        #expect(failed.isSubset(of: Self.deploymentChecks), "\(failed)")
        #expect(report.failures.contains { $0.message.hasPrefix("deploymentHistory(in: churn) after the no-op swaps: expected 1 element(s), got") })
    }

    @Test("a store whose .anyModel swaps record no previous model fails the swap checks")
    func anyModelForgetsPreviousIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .anyModelForgetsPrevious) }
        let failed = Set(report.failures.map(\.check))
        #expect(failed.isSuperset(of: ["deploymentAnyModel", "deploymentHistory"]), "\(failed)")
        #expect(failed.isSubset(of: Self.deploymentChecks), "\(failed)")
        let replaced = report.failures.first { $0.check == "deploymentAnyModel" }
        #expect(replaced?.message.contains("previousModelID: expected") == true)
    }

    @Test("a store ignoring the orphaning closure fails the deletion checks")
    func ignoredOrphaningIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .ignoresOrphaning) }
        #expect(Set(report.failures.map(\.check)) == ["deletePipelineCascade", "repositoriesDeleteWithPipelines", "modelsFilterFormerPipeline"])
        #expect(report.failures.contains { $0.message.contains("exactly what the orphaning closure returned") })
    }

    @Test("a store accepting a taken imported version fails the import version checks")
    func duplicateImportedVersionIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .acceptsDuplicateImportedVersion) }
        #expect(Set(report.failures.map(\.check)) == ["modelsImportedVersionUnique", "modelsImportRaceOneVersion"])
        #expect(report.failures.contains { $0.message.contains("expected StoreError.duplicateVersion(line: churn-model, version: 1), but it succeeded") })
    }

    @Test("a store replacing datasets whatever generation is stored fails the dataset compare-and-swap check")
    func unconditionalDatasetSaveIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .datasetsIgnoreGeneration) }
        #expect(Set(report.failures.map(\.check)) == ["datasetsCompareAndSwap"])
        #expect(report.failures.contains { $0.message.contains("expected StoreError.datasetConflict(pipeline: ") })
        #expect(report.failures.contains { $0.message.hasPrefix("racing saveDatasets(generation 2, replacing: 1) ×8: winners") })
    }

    @Test("a store handing out held leases fails the exclusivity checks")
    func sharedLeaseIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .leaseIgnoresHolder) }
        #expect(Set(report.failures.map(\.check)) == ["leasesAcquireRenewRelease", "leasesExclusiveUnderRace", "leasesExpiryTakeover"])
        #expect(report.failures.contains { $0.message.hasPrefix("racing acquireLease for a free lease ×8: expected exactly 1 winner") })
    }

    @Test("a store whose leases never expire fails the takeover checks")
    func immortalLeaseIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .leaseNeverExpires) }
        #expect(Set(report.failures.map(\.check)) == ["leasesExclusiveUnderRace", "leasesExpiryTakeover"])
        #expect(report.failures.contains { $0.message.hasPrefix("acquireLease(B) once A's lease expired: taken over") })
    }

    @Test("a store letting anyone renew a lease fails the renewal checks")
    func renewalByAnyoneIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .renewsAnyLease) }
        #expect(Set(report.failures.map(\.check)) == ["leasesRenewByOwnerOnly", "leasesExpiryTakeover"])
        #expect(report.failures.contains {
            $0.message == "renewLease(B) of A's lease: expected StoreError.leaseNotHeld(name: pipeline-run:churn, owner: B, holder: A), "
                + "but it succeeded"
        })
    }

    @Test("a store letting anyone release a lease fails the release checks")
    func releaseByAnyoneIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .releasesAnyLease) }
        #expect(Set(report.failures.map(\.check)) == ["leasesReleaseByOwnerOnly", "leasesExpiryTakeover"])
        #expect(report.failures.contains { $0.message.hasPrefix("releaseLease(B) of A's lease: expected false, got true") })
    }

    @Test("a store taking held endpoint names away fails the endpoint uniqueness check")
    func endpointsNotUniqueAreCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .endpointsNotUnique) }
        #expect(Set(report.failures.map(\.check)) == ["endpointsUniqueAcrossScopes"])
        #expect(report.failures.contains { $0.message.hasPrefix("setEndpoints([churn] of fraud): expected StoreError.endpointTaken(name: churn") })
    }

    @Test("a store overwriting a token's revocation date fails the token check")
    func revocationOverwrittenIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .revocationOverwritten) }
        #expect(Set(report.failures.map(\.check)) == ["tokensInsertListRevoke"])
        #expect(report.failures.contains { $0.message.hasPrefix("revokeToken(3) again: the first revocation date stays") })
    }

    @Test("a store answering a revoked token as valid when looked up by id fails the token check")
    func tokenLookupIgnoringRevocationIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .tokenLookupIgnoresRevocation) }
        #expect(Set(report.failures.map(\.check)) == ["tokensInsertListRevoke"])
        #expect(report.failures.contains { $0.message.hasPrefix("token(3) after its revocation") })
    }

    @Test("a store claiming every firing fails the firing claim checks")
    func firingClaimedTwiceIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .claimsEveryFiring) }
        #expect(Set(report.failures.map(\.check)) == ["firingClaimsOnce", "firingClaimsRace", "runQueueFiringQueuedOnce"])
        #expect(report.failures.contains { $0.message.hasPrefix("racing claimFiring(firing 0) ×8: schedulers that claimed it: expected 1, got 8") })
    }

    @Test("a store handing out queued runs another worker holds fails the queue checks")
    func queueIgnoringLeasesIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .queueIgnoresLeases) }
        #expect(Set(report.failures.map(\.check)) == ["runQueueEnqueueClaimFinish", "runQueueExpiredClaimRetriedOnce", "runQueueClaimRace"])
        #expect(report.failures.contains { $0.message.hasPrefix("racing claimQueuedRun ×8: workers that got nothing: expected 5, got 0") })
    }

    @Test("a store that knows folder files by name only fails the ledger check")
    func ledgerKeyedByNameIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .ledgerKeyedByName) }
        #expect(Set(report.failures.map(\.check)) == ["folderLedgerTakeOnce"])
        #expect(report.failures.contains { $0.message.hasPrefix("takeFolderFile(/data/inbox/a.csv (120 bytes, sha256 bbbbbbbbbbbb…))") })
    }

    @Test("a store that takes a known folder file again fails the ledger checks")
    func ledgerRetakingIsCaught() async throws {
        let report = try await StorageConformance.run { clock in FlawedStore(clock: clock, flaw: .ledgerRetakesKnownFile) }
        #expect(Set(report.failures.map(\.check)) == ["folderLedgerTakeOnce", "folderLedgerTakeRace"])
        #expect(report.failures.contains { $0.message.hasPrefix("racing takeFolderFile ×8: expected exactly 1 taken, got 8") })
    }

    /// Every check about deployments (a deployment flaw may show in any of them, never elsewhere).
    static let deploymentChecks: Set<String> = Set(StorageConformance.checkNames.filter { $0.hasPrefix("deployment") })
        .union(["modelsDeployedProtected", "modelsFilterLinesAndDeployment", "deletePipelineCascade"])

    @Test("check(makeStore:) throws every failure, and a store that cannot be made fails every check")
    func checkThrowsEveryFailure() async throws {
        struct Unavailable: Error {}
        let error = await #expect(throws: ConformanceFailures.self) {
            try await StorageConformance.check { _ in throw Unavailable() }
        }
        #expect(error?.failedChecks == StorageConformance.checkNames)
        #expect(error?.passed == [])
        #expect(error?.description.hasPrefix("\(StorageConformance.checkNames.count) of \(StorageConformance.checkNames.count) "
            + "storage conformance checks failed:") == true)
        #expect(error?.failures.first?.description.contains("makeStore: expected a store, got Unavailable") == true)
    }
}
