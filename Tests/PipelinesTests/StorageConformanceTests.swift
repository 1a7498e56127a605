import Foundation
import Pipelines
import PipelinesSQLite
import PipelinesTesting
import Testing

/// A storage backend the conformance suite runs against.
enum StorageBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// ``InMemoryStore``.
    case inMemory
    /// ``SQLiteStore`` on a fresh temporary file per check.
    case sqlite

    var testDescription: String {
        switch self {
        case .inMemory: return "in-memory"
        case .sqlite: return "SQLite"
        }
    }

    /// A fresh empty store stamping deployments with `clock`; SQLite files go to `directory`.
    func makeStore(clock: ManualWallClock, in directory: TemporaryDirectory) throws -> any PipelineStorage {
        switch self {
        case .inMemory: return InMemoryStore(clock: clock)
        case .sqlite: return try SQLiteStore(path: directory.newPath(), clock: clock)
        }
    }
}

@Suite("Storage conformance")
struct StorageConformanceTests {
    @Test("the store passes every check", arguments: StorageBackend.allCases)
    func storePasses(_ backend: StorageBackend) async throws {
        let directory = try TemporaryDirectory("conformance-\(backend.rawValue)")
        defer { directory.remove() }
        let report = try await StorageConformance.run { clock in try backend.makeStore(clock: clock, in: directory) }
        for failure in report.failures {
            Issue.record("\(failure)")
        }
        #expect(report.passed == StorageConformance.checkNames)
        #expect(report.passed.count >= 31)
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
        #expect(Set(report.failures.map(\.check))
            == ["modelsRoundTrip", "modelsFilterAndOrder", "modelsPaging", "modelsUpdate", "modelsDelete",
                "modelsDeployedProtected", "deletePipelineCascade", "insertDuplicateIDRefused"])
        let roundTrip = report.failures.first { $0.check == "modelsRoundTrip" }
        #expect(roundTrip?.message.contains("createdAt: expected") == true)
        #expect(roundTrip?.message.contains("loses sub-millisecond precision") == true)
    }

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

// MARK: - A deliberately broken store

/// An ``InMemoryStore`` with one flaw, to prove the suite catches it.
private struct FlawedStore: PipelineStorage {
    enum Flaw {
        /// `deploy` replaces whatever is deployed, whatever `expected` says.
        case ignoresExpectedDeployment
        /// `repositories()` lists by descending name.
        case unsortedRepositories
        /// `model(_:)` and `models(matching:)` round model dates to the millisecond.
        case millisecondModelDates
    }

    let base: InMemoryStore
    let flaw: Flaw

    init(clock: ManualWallClock, flaw: Flaw) {
        base = InMemoryStore(clock: clock)
        self.flaw = flaw
    }

    // Repositories
    func insertRepository(_ repository: RepositoryRecord) async throws { try await base.insertRepository(repository) }
    func updateRepository(_ repository: RepositoryRecord) async throws { try await base.updateRepository(repository) }
    func repository(_ id: RepositoryID) async throws -> RepositoryRecord? { await base.repository(id) }
    func repositories() async throws -> [RepositoryRecord] {
        let sorted = await base.repositories()
        return flaw == .unsortedRepositories ? sorted.sorted { $0.name > $1.name } : sorted
    }
    func deleteRepository(_ id: RepositoryID, includingPipelines: Bool) async throws {
        try await base.deleteRepository(id, includingPipelines: includingPipelines)
    }

    // Pipelines
    func insertPipeline(_ pipeline: PipelineRecord, configuration: ConfigurationRecord) async throws {
        try await base.insertPipeline(pipeline, configuration: configuration)
    }
    func renamePipeline(_ id: PipelineID, to name: String, at date: Date) async throws -> PipelineRecord {
        try await base.renamePipeline(id, to: name, at: date)
    }
    func pipeline(_ id: PipelineID) async throws -> PipelineRecord? { await base.pipeline(id) }
    func pipelines(in repository: RepositoryID?) async throws -> [PipelineRecord] { await base.pipelines(in: repository) }
    func appendConfiguration(_ configuration: ConfigurationRecord) async throws { try await base.appendConfiguration(configuration) }
    func configuration(of pipeline: PipelineID, version: Int?) async throws -> ConfigurationRecord? {
        await base.configuration(of: pipeline, version: version)
    }
    func configurations(of pipeline: PipelineID) async throws -> [ConfigurationRecord] { await base.configurations(of: pipeline) }
    func deletePipeline(_ id: PipelineID) async throws { try await base.deletePipeline(id) }

    // Datasets
    func saveDatasets(_ snapshot: DatasetSnapshot) async throws { try await base.saveDatasets(snapshot) }
    func datasets(of pipeline: PipelineID) async throws -> DatasetSnapshot? { await base.datasets(of: pipeline) }

    // Models
    func insertModel(_ model: ModelRecord, artifact: Data?) async throws { try await base.insertModel(model, artifact: artifact) }
    func updateModel(_ model: ModelRecord, removingArtifact: Bool) async throws {
        try await base.updateModel(model, removingArtifact: removingArtifact)
    }
    func model(_ id: ModelID) async throws -> ModelRecord? { await base.model(id).map(degrade) }
    func models(matching filter: ModelFilter, offset: Int, limit: Int?) async throws -> [ModelRecord] {
        await base.models(matching: filter, offset: offset, limit: limit).map(degrade)
    }
    func countModels(matching filter: ModelFilter) async throws -> Int { await base.countModels(matching: filter) }
    func artifact(of model: ModelID) async throws -> Data? { await base.artifact(of: model) }
    func deleteModel(_ id: ModelID) async throws { try await base.deleteModel(id) }

    private func degrade(_ model: ModelRecord) -> ModelRecord {
        guard flaw == .millisecondModelDates else { return model }
        func milliseconds(_ date: Date) -> Date {
            Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1_000).rounded() / 1_000)
        }
        var degraded = model
        degraded.createdAt = milliseconds(model.createdAt)
        degraded.testedAt = model.testedAt.map(milliseconds)
        return degraded
    }

    // Deployments
    func deployment(in scope: DeploymentScope) async throws -> DeploymentRecord? { await base.deployment(in: scope) }
    func deploy(_ model: ModelID?, in scope: DeploymentScope, expecting expected: ModelID?) async throws -> DeploymentRecord {
        guard flaw == .ignoresExpectedDeployment else { return try await base.deploy(model, in: scope, expecting: expected) }
        while true {
            let current = await base.deployment(in: scope)?.modelID
            do {
                return try await base.deploy(model, in: scope, expecting: current)
            } catch StoreError.deploymentConflict {
                continue  // someone swapped in between: overwrite again
            }
        }
    }
    func deploymentHistory(in scope: DeploymentScope) async throws -> [DeploymentRecord] { await base.deploymentHistory(in: scope) }

    // Runs
    func insertRun(_ run: RunRecord) async throws { try await base.insertRun(run) }
    func updateRun(_ run: RunRecord) async throws { try await base.updateRun(run) }
    func run(_ id: RunID) async throws -> RunRecord? { await base.run(id) }
    func runs(of pipeline: PipelineID) async throws -> [RunRecord] { await base.runs(of: pipeline) }

    // Triggers
    func insertTrigger(_ trigger: TriggerRecord) async throws { try await base.insertTrigger(trigger) }
    func deleteTrigger(_ id: TriggerID) async throws { try await base.deleteTrigger(id) }
    func triggers(of pipeline: PipelineID?) async throws -> [TriggerRecord] { await base.triggers(of: pipeline) }
}
