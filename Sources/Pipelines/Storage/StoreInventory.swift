import Crypto
import Foundation
import Tabular

/// One store as ``StoreCopy`` reads it: every call's failure becomes
/// ``StoreCopyError/readFailed(side:kind:item:message:)`` naming the store and the item.
struct StoreInventory: Sendable {
    let store: any PipelineStorage
    let side: StoreCopySide

    /// Runs one or more reads of the store; any error but a cancellation is reported as
    /// reading `item` of `kind` from this side.
    func read<T>(_ kind: StoreCopyKind, _ item: @autoclosure () -> String, _ body: (any PipelineStorage) async throws -> T)
        async throws -> T
    {
        do {
            return try await body(store)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw StoreCopyError.readFailed(side: side, kind: kind, item: item(), message: "\(error)")
        }
    }

    // MARK: Listings

    /// Every pipeline, by identifier.
    func pipelines() async throws -> [PipelineRecord] {
        try await read(.pipelines, "the pipelines") { try await $0.pipelines(in: nil) }.sorted { $0.id < $1.id }
    }

    /// Every model, by identifier.
    func models() async throws -> [ModelRecord] {
        try await read(.models, "the models") { try await $0.models(matching: ModelFilter()) }.sorted { $0.id < $1.id }
    }

    /// Every endpoint, by name.
    func endpoints() async throws -> [EndpointRecord] {
        try await read(.endpoints, "the endpoints") { try await $0.endpoints() }.sorted { $0.name < $1.name }
    }

    /// The scopes that may have a deployment history, as the protocols let them be found:
    /// each pipeline's, each deleted pipeline's that an orphaned model remembers, each
    /// standalone line's, and each endpoint's; sorted by their storage columns.
    static func deploymentScopes(pipelines: [PipelineRecord], models: [ModelRecord], endpoints: [EndpointRecord]) -> [DeploymentScope] {
        var scopes = Set(pipelines.map { DeploymentScope.pipeline($0.id) })
        for model in models {
            if let pipeline = model.origin.pipelineID ?? model.origin.formerPipelineID { scopes.insert(.pipeline(pipeline)) }
            if model.origin.isStandalone { scopes.insert(.standalone(model.lineID ?? model.id)) }
        }
        scopes.formUnion(endpoints.map(\.scope))
        return scopes.sorted { $0.storageColumns < $1.storageColumns }
    }

    /// How many records of each kind the store holds that a copy would collide with (kinds
    /// without any left out): an empty store answers `[:]`.
    ///
    /// - Parameters:
    ///   - scopes: The scopes a copy will write histories into (the store's own are added).
    ///   - ledgerFolders: The folders whose ledger a copy will write.
    func contents(scopes: [DeploymentScope], ledgerFolders: [String]) async throws -> [StoreCopyKind: Int] {
        var counts: [StoreCopyKind: Int] = [:]
        let pipelines = try await pipelines(), models = try await models(), endpoints = try await endpoints()
        counts[.repositories] = try await read(.repositories, "the repositories") { try await $0.repositories().count }
        counts[.pipelines] = pipelines.count
        counts[.models] = models.count
        counts[.triggers] = try await read(.triggers, "the triggers") { try await $0.triggers(of: nil).count }
        counts[.endpoints] = endpoints.count
        counts[.tokens] = try await read(.tokens, "the tokens") { try await $0.tokens(of: nil).count }
        counts[.queuedRuns] = try await read(.queuedRuns, "the queued runs") { try await $0.queuedRuns(in: nil).count }
        let own = Self.deploymentScopes(pipelines: pipelines, models: models, endpoints: endpoints)
        var records = 0
        for scope in Set(scopes + own) {
            records += try await read(.deployments, "the deployment history of \(scope)") { try await $0.deploymentHistory(in: scope).count }
        }
        counts[.deployments] = records
        var entries = 0
        for folder in ledgerFolders {
            entries += try await read(.folderFiles, "the ledger of \(folder)") { try await $0.folderFiles(in: folder, unfinishedOnly: false).count }
        }
        counts[.folderFiles] = entries
        return counts.filter { $0.value > 0 }
    }

    // MARK: Checksums

    /// The count and SHA-256 of every kind, read from the store: each record in its stored
    /// encoding (``StoredRecordCoding``), sorted by identifier; dataset parts and artifacts
    /// as their bytes.
    func tally(ledgerFolders: [String]) async throws -> [StoreCopyKind: KindDigest] {
        var digests = Dictionary(uniqueKeysWithValues: StoreCopyKind.allCases.map { ($0, KindDigest()) })
        func add<T: Encodable>(_ kind: StoreCopyKind, _ records: [T], _ what: (T) -> String) throws {
            for record in records { try digests[kind, default: KindDigest()].add(record, what(record)) }
        }
        let pipelines = try await pipelines(), models = try await models(), endpoints = try await endpoints()
        try await read(.repositories, "the repositories") { store in
            try add(.repositories, try await store.repositories().sorted { $0.id < $1.id }) { "repository \($0.id)" }
        }
        try add(.pipelines, pipelines) { "pipeline \($0.id)" }
        for pipeline in pipelines {
            try await read(.configurations, "the configurations of pipeline \(pipeline.id)") { store in
                try add(.configurations, try await store.configurations(of: pipeline.id).sorted { $0.version < $1.version }) {
                    "configuration \($0.version) of pipeline \($0.pipelineID)"
                }
            }
            try await read(.datasets, "the datasets of pipeline \(pipeline.id)") { store in
                guard var snapshot = try await store.datasets(of: pipeline.id, rows: .all) else { return }
                let parts = [snapshot.ledger, snapshot.training ?? ChunkedBytes(), snapshot.testing ?? ChunkedBytes()]
                (snapshot.ledger, snapshot.training, snapshot.testing) = (ChunkedBytes(), nil, nil)
                try digests[.datasets, default: KindDigest()].add(snapshot, "the datasets of pipeline \(pipeline.id)", chunked: parts)
            }
        }
        try add(.models, models) { "model \($0.id)" }
        for model in models {
            try await read(.artifacts, "the artifact of model \(model.id)") { store in
                guard let artifact = try await store.artifact(of: model.id) else { return }
                try digests[.artifacts, default: KindDigest()].add(model.id, "the artifact of model \(model.id)", bytes: [artifact])
            }
        }
        for scope in Self.deploymentScopes(pipelines: pipelines, models: models, endpoints: endpoints) {
            try await read(.deployments, "the deployment history of \(scope)") { store in
                try add(.deployments, try await store.deploymentHistory(in: scope)) { "a deployment record of \($0.scope)" }
            }
        }
        var runs: [RunRecord] = []
        for pipeline in pipelines {
            runs += try await read(.runs, "the runs of pipeline \(pipeline.id)") { try await $0.runs(of: pipeline.id) }
        }
        try add(.runs, runs.sorted { $0.id < $1.id }) { "run \($0.id)" }
        try await read(.triggers, "the triggers") { store in
            try add(.triggers, try await store.triggers(of: nil).sorted { $0.id < $1.id }) { "trigger \($0.id)" }
        }
        try await read(.queuedRuns, "the queued runs") { store in
            try add(.queuedRuns, try await store.queuedRuns(in: nil).sorted { $0.id < $1.id }) { "queued run \($0.id)" }
        }
        try add(.endpoints, endpoints) { "endpoint \($0.name)" }
        try await read(.tokens, "the tokens") { store in
            try add(.tokens, try await store.tokens(of: nil).sorted { $0.id < $1.id }) { "token \($0.id)" }
        }
        for folder in Set(ledgerFolders).sorted() {
            try await read(.folderFiles, "the ledger of \(folder)") { store in
                let entries = try await store.folderFiles(in: folder, unfinishedOnly: false)
                try add(.folderFiles, entries.sorted { ($0.name, $0.size, $0.sha256) < ($1.name, $1.size, $1.sha256) }) {
                    "the ledger entry \($0.key)"
                }
            }
        }
        return digests
    }
}

/// The running count and SHA-256 of one kind's records. Each value hashed is framed by its
/// length (8 bytes, little-endian), so no two sequences of records hash alike by accident.
struct KindDigest {
    private var hasher = SHA256()
    /// The records added.
    private(set) var count = 0

    /// Adds one record: its stored JSON, then `bytes` (an artifact) and `chunked` (dataset
    /// parts, hashed chunk by chunk).
    ///
    /// - Throws: ``StoreError/backend(_:)`` naming `what` when it cannot be encoded.
    mutating func add<T: Encodable>(
        _ record: T, _ what: @autoclosure () -> String, bytes: [Data] = [], chunked: [ChunkedBytes] = []
    ) throws {
        count += 1
        frame(Data(try StoredRecordCoding.encode(record, what()).utf8))
        for part in bytes { frame(part) }
        for part in chunked { frame(part) }
    }

    /// Hashes the size, then the bytes (so that parts cannot run into each other).
    private mutating func frame(_ bytes: Data) {
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { hasher.update(bufferPointer: $0) }
        hasher.update(data: bytes)
    }

    /// Hashes the size, then the bytes chunk by chunk (the same digest as the whole bytes).
    private mutating func frame(_ bytes: ChunkedBytes) {
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { hasher.update(bufferPointer: $0) }
        bytes.forEachChunk { hasher.update(bufferPointer: $0) }
    }

    /// The SHA-256 so far, 64 lowercase hex digits.
    var checksum: String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
