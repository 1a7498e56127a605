import Foundation
import Pipelines
import Synchronization

/// An ``InMemoryStore`` with one flaw, to prove the conformance suite catches it. Each
/// flaw breaks one promise of the store contract a backend could plausibly get wrong.
struct FlawedStore: ForwardingStore {
    enum Flaw: CaseIterable, Sendable {
        /// `swapDeployment(…, expecting: .current(x))` swaps whatever is deployed, whatever `x` says.
        case ignoresExpectedDeployment
        /// `repositories()` lists by descending name.
        case unsortedRepositories
        /// `model(_:)` and `models(matching:)` round model dates to the millisecond.
        case millisecondModelDates
        /// A swap to the model already deployed is not a no-op: it undeploys and deploys the
        /// model again, appending two records and answering `changed`.
        case unchangedSwapAppends
        /// An `.anyModel` swap does not read what it replaces: its record names no previous model.
        case anyModelForgetsPrevious
        /// Deletions ignore the core's orphaning closure and apply the store's own rule
        /// (the pre-closure one: the former pipeline's name only, no identifier).
        case ignoresOrphaning
        /// `insertModel` accepts an imported model whose name and version are taken.
        case acceptsDuplicateImportedVersion
        /// `saveDatasets` replaces whatever generation is stored (no compare-and-swap).
        case datasetsIgnoreGeneration
        /// `acquireLease` takes a lease another owner holds, expired or not.
        case leaseIgnoresHolder
        /// `acquireLease` never takes over an expired lease of another owner.
        case leaseNeverExpires
        /// `renewLease` by another owner takes the lease over instead of being refused.
        case renewsAnyLease
        /// `releaseLease` by another owner removes the holder's lease.
        case releasesAnyLease
        /// `claimFiring` claims every firing, even one claimed already.
        case claimsEveryFiring
        /// `claimQueuedRun` with nothing claimable hands out a run another worker holds.
        case queueIgnoresLeases
        /// `setEndpoints` takes a name another scope holds away from it.
        case endpointsNotUnique
        /// `revokeToken` answers with the call's date, even for a token revoked already.
        case revocationOverwritten
        /// `token(_:)` answers a revoked token as if it were not revoked.
        case tokenLookupIgnoresRevocation
        /// `takeFolderFile` knows a file by folder and name only: new bytes under a known
        /// name answer `known`.
        case ledgerKeyedByName
        /// `takeFolderFile` replaces a stored entry and answers `taken` again.
        case ledgerRetakesKnownFile
    }

    /// Records of `.anyModel` swaps, which ``Flaw/anyModelForgetsPrevious`` reports
    /// without their previous model; and a counter for placeholder versions.
    private final class Memory: Sendable {
        let anyModelRecords = Mutex(Set<DeploymentRecord>())
        let placeholders = Mutex(0)
    }

    let base: InMemoryStore
    let flaw: Flaw
    private let clock: ManualWallClock
    private let memory = Memory()

    init(clock: ManualWallClock, flaw: Flaw) {
        base = InMemoryStore(clock: clock)
        self.clock = clock
        self.flaw = flaw
    }

    // Repositories
    func repositories() async throws -> [RepositoryRecord] {
        let sorted = await base.repositories()
        return flaw == .unsortedRepositories ? sorted.sorted { $0.name > $1.name } : sorted
    }
    func deleteRepository(_ id: RepositoryID, includingPipelines: Bool, orphaning: ModelOrphaning) async throws {
        if flaw == .ignoresOrphaning {
            try await base.deleteRepository(id, includingPipelines: includingPipelines, orphaning: Self.ownOrphaning)
        } else {
            try await base.deleteRepository(id, includingPipelines: includingPipelines, orphaning: orphaning)
        }
    }

    // Pipelines
    func deletePipeline(_ id: PipelineID, orphaning: ModelOrphaning) async throws {
        if flaw == .ignoresOrphaning {
            try await base.deletePipeline(id, orphaning: Self.ownOrphaning)
        } else {
            try await base.deletePipeline(id, orphaning: orphaning)
        }
    }

    /// The rule ``Flaw/ignoresOrphaning`` applies instead of the one it is given.
    private static let ownOrphaning: ModelOrphaning = { model, pipeline in
        var orphan = model
        orphan.origin = .orphaned(formerPipeline: nil, name: pipeline.name)
        orphan.repositoryID = nil
        orphan.lineID = model.id
        return orphan
    }

    // Datasets
    func saveDatasets(_ snapshot: DatasetSnapshot, replacing previous: Int?) async throws {
        let stored = await base.datasets(of: snapshot.pipelineID, rows: [])?.generation
        try await base.saveDatasets(snapshot, replacing: flaw == .datasetsIgnoreGeneration ? stored : previous)
    }

    // Models
    func insertModel(_ model: ModelRecord, artifact: Data?) async throws {
        do {
            try await base.insertModel(model, artifact: artifact)
        } catch StoreError.duplicateVersion where flaw == .acceptsDuplicateImportedVersion {
            // Slip it in under a free version, then give it the taken one (updates check nothing).
            var placeholder = model
            placeholder.version = Int.min + memory.placeholders.withLock { count in
                count += 1
                return count
            }
            try await base.insertModel(placeholder, artifact: artifact)
            try await base.updateModel(model, removingArtifact: false)
        }
    }
    func model(_ id: ModelID) async throws -> ModelRecord? { await base.model(id).map(degrade) }
    func models(matching filter: ModelFilter, offset: Int, limit: Int?) async throws -> [ModelRecord] {
        await base.models(matching: filter, offset: offset, limit: limit).map(degrade)
    }

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
    func deployment(in scope: DeploymentScope) async throws -> DeploymentRecord? { await base.deployment(in: scope).map(forget) }

    func swapDeployment(in scope: DeploymentScope, to model: ModelID?, expecting expected: DeploymentExpectation) async throws
        -> DeploymentSwap
    {
        switch (flaw, expected) {
        case (.ignoresExpectedDeployment, .current):
            while true {
                let current = await base.deployment(in: scope)?.modelID
                do {
                    return try await base.swapDeployment(in: scope, to: model, expecting: .current(current))
                } catch StoreError.deploymentConflict {
                    continue  // someone swapped in between: overwrite again
                }
            }
        case (.unchangedSwapAppends, _):
            let current = await base.deployment(in: scope)?.modelID
            guard let model, current == model else { return try await base.swapDeployment(in: scope, to: model, expecting: expected) }
            if case .current(let wanted) = expected, wanted != current {
                throw StoreError.deploymentConflict(scope: scope, expected: wanted, found: current)
            }
            _ = try await base.swapDeployment(in: scope, to: nil, expecting: .current(model))
            return try await base.swapDeployment(in: scope, to: model, expecting: .current(nil))
        case (.anyModelForgetsPrevious, .anyModel):
            let swap = try await base.swapDeployment(in: scope, to: model, expecting: .anyModel)
            if swap.changed, let record = swap.record { memory.anyModelRecords.withLock { _ = $0.insert(record) } }
            return DeploymentSwap(record: swap.record.map(forget), changed: swap.changed)
        default:
            let swap = try await base.swapDeployment(in: scope, to: model, expecting: expected)
            return DeploymentSwap(record: swap.record.map(forget), changed: swap.changed)
        }
    }

    func deploymentHistory(in scope: DeploymentScope) async throws -> [DeploymentRecord] {
        await base.deploymentHistory(in: scope).map(forget)
    }

    /// A record as ``Flaw/anyModelForgetsPrevious`` stored it.
    private func forget(_ record: DeploymentRecord) -> DeploymentRecord {
        guard flaw == .anyModelForgetsPrevious, memory.anyModelRecords.withLock({ $0.contains(record) }) else { return record }
        var forgotten = record
        forgotten.previousModelID = nil
        return forgotten
    }

    // Triggers
    func claimFiring(trigger: TriggerID, scheduledAt: Date, owner: String) async throws -> FiringClaim {
        let claim = try await base.claimFiring(trigger: trigger, scheduledAt: scheduledAt, owner: owner)
        guard flaw == .claimsEveryFiring, case .taken = claim else { return claim }
        return .claimed(FiringClaimRecord(triggerID: trigger, scheduledAt: scheduledAt, owner: owner, claimedAt: clock.now))
    }

    // Run queue
    func claimQueuedRun(worker: String, for duration: TimeInterval, filter: QueuedRunFilter) async throws -> QueuedRunRecord? {
        if let claimed = await base.claimQueuedRun(worker: worker, for: duration, filter: filter) { return claimed }
        guard flaw == .queueIgnoresLeases,
              var held = await base.queuedRuns(in: [.claimed]).first(where: filter.admits) else { return nil }
        held.worker = worker
        held.attempts += 1
        held.leaseExpiresAt = clock.now.addingTimeInterval(duration)
        return held
    }

    // Leases
    func acquireLease(_ name: String, owner: String, for duration: TimeInterval) async throws -> LeaseAcquisition {
        let current = await base.lease(name)
        if flaw == .leaseNeverExpires, let current, current.owner != owner { return .held(current) }
        let acquisition = await base.acquireLease(name, owner: owner, for: duration)
        guard flaw == .leaseIgnoresHolder, case .held(let holder) = acquisition else { return acquisition }
        await base.releaseLease(name, owner: holder.owner)
        return await base.acquireLease(name, owner: owner, for: duration)
    }
    func renewLease(_ name: String, owner: String, for duration: TimeInterval) async throws -> LeaseRecord {
        if flaw == .renewsAnyLease, let holder = await base.lease(name)?.owner, holder != owner {
            await base.releaseLease(name, owner: holder)
            return await base.acquireLease(name, owner: owner, for: duration).lease
        }
        return try await base.renewLease(name, owner: owner, for: duration)
    }
    func releaseLease(_ name: String, owner: String) async throws -> Bool {
        guard flaw == .releasesAnyLease, let holder = await base.lease(name)?.owner else { return await base.releaseLease(name, owner: owner) }
        return await base.releaseLease(name, owner: holder)
    }

    // Endpoints
    func setEndpoints(_ names: Set<String>, of scope: DeploymentScope, at date: Date) async throws {
        if flaw == .endpointsNotUnique {
            for name in names.sorted() {
                guard let holder = await base.endpoint(named: name)?.scope, holder != scope else { continue }
                let theirs = Set(await base.endpoints().filter { $0.scope == holder }.map(\.name))
                try await base.setEndpoints(theirs.subtracting([name]), of: holder, at: date)
            }
        }
        try await base.setEndpoints(names, of: scope, at: date)
    }
    func token(_ id: TokenID) async throws -> TokenRecord? {
        guard var token = try await base.token(id) else { return nil }
        if flaw == .tokenLookupIgnoresRevocation { token.revokedAt = nil }
        return token
    }
    func revokeToken(_ id: TokenID, at date: Date) async throws -> TokenRecord {
        guard flaw == .revocationOverwritten, var token = await base.tokens(of: nil).first(where: { $0.id == id }) else {
            return try await base.revokeToken(id, at: date)
        }
        _ = try await base.revokeToken(id, at: date)  // answers with this call's date, as an overwriting store would
        token.revokedAt = date
        return token
    }

    // Folder ledger
    func takeFolderFile(_ entry: FolderFileRecord) async throws -> FolderFileTake {
        switch flaw {
        case .ledgerKeyedByName:
            if let stored = await base.folderFiles(in: entry.folder, unfinishedOnly: false).first(where: { $0.name == entry.name }) {
                return .known(stored)
            }
        case .ledgerRetakesKnownFile:
            if case .known = await base.takeFolderFile(entry) { try await base.updateFolderFile(entry) }
            return .taken(entry)
        default: break
        }
        return await base.takeFolderFile(entry)
    }
}
