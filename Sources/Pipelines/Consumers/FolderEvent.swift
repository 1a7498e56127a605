import Foundation

/// What a ``FolderWatcher`` did with one input file, or why its pass stopped.
public enum FolderEvent: Sendable, CustomStringConvertible {
    /// The file was predicted into the output folder and moved to the processed folder
    /// (the ledger entry: model, rows, ``FolderFileRecord/archivedAs``).
    case predicted(FolderFileRecord)
    /// The file cannot be predicted (``FolderFileRecord/error``): it was moved to the
    /// failed folder beside `NAME.error.txt`; no output was written for it.
    case failed(FolderFileRecord)
    /// The file's name, size and content were predicted before (`original`): it was moved
    /// to the failed folder (`movedTo`) beside an error file saying so, and not predicted again.
    case duplicate(name: String, movedTo: String, original: FolderFileRecord)
    /// The file was taken, then removed or replaced before it was predicted.
    case abandoned(FolderFileRecord)
    /// The pass stopped before the end for a reason that is not the files' (nothing
    /// deployed, the store, another watcher holding the folder, a folder that cannot be
    /// written); the files left are tried again at the next pass.
    case waiting(PipelineError)

    /// One line for people: `predicted a.csv: 120 rows (2 rejected) with model … version 3`.
    public var description: String {
        switch self {
        case .predicted(let entry):
            let rejected = (entry.rowsRejected ?? 0) > 0 ? " (\(entry.rowsRejected ?? 0) rejected)" : ""
            return "predicted \(entry.name): \(entry.rowsPredicted ?? 0) of \(entry.rowsRead ?? 0) rows\(rejected) with model "
                + "\(entry.model?.rawValue ?? "?") (version \(entry.modelVersion ?? 0)); input moved to \(entry.archivedAs ?? "?")"
        case .failed(let entry):
            return "failed \(entry.name): \(entry.error ?? "?"); input moved to \(entry.archivedAs ?? "?")"
        case let .duplicate(name, movedTo, original):
            return "duplicate \(name): the same content was predicted at \(original.updatedAt); moved to \(movedTo)"
        case .abandoned(let entry):
            return "abandoned \(entry.name): \(entry.error ?? "removed before it was predicted")"
        case .waiting(let error):
            return "waiting: \(error)"
        }
    }

    /// The input file's name, when the event is about one.
    public var fileName: String? {
        switch self {
        case .predicted(let entry), .failed(let entry), .abandoned(let entry): return entry.name
        case .duplicate(let name, _, _): return name
        case .waiting: return nil
        }
    }
}

extension Pipeline {
    /// A watcher for each folder consumer of the pipeline's current configuration, in
    /// order (keys default to the dataset step's; relative folders from the workspace's
    /// ``Workspace/baseDirectory``).
    ///
    /// ```swift
    /// for watcher in try await pipeline.folderWatchers() {
    ///     Task { await watcher.run { event in print(event) } }
    /// }
    /// ```
    ///
    /// - Parameter lease: How long a watcher's lease on its folder lasts (nil: the
    ///   workspace's ``Workspace/runLease``).
    /// - Throws: ``PipelineError/notFound(_:)`` when the pipeline is gone; a storage error;
    ///   ``PipelineError/invalidBatch(_:)`` for a consumer saved before its checks existed.
    public func folderWatchers(lease: RunLeasePolicy? = nil) async throws(PipelineError) -> [FolderWatcher] {
        let configuration = try await configuration().configuration
        var watchers: [FolderWatcher] = []
        for consumer in configuration.deployment.consumers.compactMap(\.folder) {
            watchers.append(try FolderWatcher(deployment: deployment, consumer: consumer, defaultKeys: configuration.dataset.keys, lease: lease))
        }
        return watchers
    }
}
