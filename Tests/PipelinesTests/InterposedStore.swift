import Foundation
import Pipelines
import Synchronization

/// An ``InMemoryStore`` that runs a one-shot hook just before the next `saveDatasets` or
/// `appendConfiguration`: what another process would do between a caller's read and its
/// write, made deterministic.
struct InterposedStore: ForwardingStore {
    /// A hook run once, before the write it is set for.
    typealias Hook = @Sendable (InMemoryStore) async throws -> Void

    /// The pending hooks (a class: a struct cannot hold a `Mutex`).
    private final class Hooks: Sendable {
        let pending = Mutex<(datasets: Hook?, configuration: Hook?)>((nil, nil))
    }

    let base: InMemoryStore
    private let hooks = Hooks()

    init(clock: ManualWallClock) { base = InMemoryStore(clock: clock) }

    /// Runs `hook` on the base store before the next `saveDatasets`.
    func beforeNextDatasetSave(_ hook: @escaping Hook) { hooks.pending.withLock { $0.datasets = hook } }
    /// Runs `hook` on the base store before the next `appendConfiguration`.
    func beforeNextConfigurationSave(_ hook: @escaping Hook) { hooks.pending.withLock { $0.configuration = hook } }

    func saveDatasets(_ snapshot: DatasetSnapshot, replacing previous: Int?) async throws {
        let hook = hooks.pending.withLock { hooks in defer { hooks.datasets = nil }; return hooks.datasets }
        try await hook?(base)
        try await base.saveDatasets(snapshot, replacing: previous)
    }

    func appendConfiguration(_ configuration: ConfigurationRecord) async throws {
        let hook = hooks.pending.withLock { hooks in defer { hooks.configuration = nil }; return hooks.configuration }
        try await hook?(base)
        try await base.appendConfiguration(configuration)
    }
}
