public import Foundation
public import Tabular
import LinearAlgebra

extension Workspace {
    // MARK: Models

    /// The pipeline's models, oldest first.
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func models(of id: PipelineID) async throws(PipelineError) -> [ModelRecord] {
        try await storage { try await store.models(matching: ModelFilter(pipelineID: id)) }
    }

    /// The model with this identifier.
    ///
    /// - Throws: ``PipelineError/notFound(kind:name:)``.
    public func model(_ id: ModelID) async throws(PipelineError) -> ModelRecord {
        guard let record = try await storage({ try await store.model(id) }) else { throw .notFound(kind: "model", name: id.rawValue) }
        return record
    }

    // MARK: Deployment

    /// Deploys a model of the pipeline by hand: a compare-and-swap, so a concurrent
    /// deployment is never overwritten unseen.
    ///
    /// - Parameters:
    ///   - model: The model to deploy (saved or tested, with its artifact).
    ///   - id: Its pipeline.
    ///   - expected: The model you believe is deployed now (nil: none). Pass
    ///     ``deployedModelID(of:)``'s answer.
    /// - Returns: The new deployment record.
    /// - Throws: ``PipelineError/store(_:)`` with
    ///   ``StoreError/deploymentConflict(scope:expected:found:)`` when another deployment
    ///   happened meanwhile, or ``StoreError/notDeployable(model:reason:)``.
    @discardableResult
    public func deploy(_ model: ModelID, in id: PipelineID, expecting expected: ModelID?) async throws(PipelineError) -> DeploymentRecord {
        try await deploy(model, in: .pipeline(id), expecting: expected)
    }

    /// Deploys a model (or undeploys with nil) in a scope: a pipeline, or a standalone
    /// model line. A compare-and-swap done by the store in one transaction.
    ///
    /// - Throws: ``PipelineError/store(_:)`` with
    ///   ``StoreError/deploymentConflict(scope:expected:found:)`` or
    ///   ``StoreError/notDeployable(model:reason:)``.
    @discardableResult
    public func deploy(_ model: ModelID?, in scope: DeploymentScope, expecting expected: ModelID?) async throws(PipelineError) -> DeploymentRecord {
        let record = try await storage { try await store.deploy(model, in: scope, expecting: expected) }
        logger.info("\(scope): deployed model \(model?.rawValue ?? "none")")
        publish(.deployed(record))
        return record
    }

    /// The identifier of the pipeline's deployed model, if any.
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func deployedModelID(of id: PipelineID) async throws(PipelineError) -> ModelID? {
        try await storage { try await store.deployment(in: .pipeline(id)) }?.modelID
    }

    /// The pipeline's deployment history, oldest first: which model was deployed when.
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func deploymentHistory(of id: PipelineID) async throws(PipelineError) -> [DeploymentRecord] {
        try await storage { try await store.deploymentHistory(in: .pipeline(id)) }
    }

    /// The model deployed in a scope (a pipeline or a standalone line), if any.
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func deployedModelID(in scope: DeploymentScope) async throws(PipelineError) -> ModelID? {
        try await storage { try await store.deployment(in: scope) }?.modelID
    }

    /// The model that was deployed in `scope` at `date` (nil: none was), from the
    /// append-only history.
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func deployedModelID(in scope: DeploymentScope, at date: Date) async throws(PipelineError) -> ModelID? {
        let history = try await storage { try await store.deploymentHistory(in: scope) }
        return history.last { $0.deployedAt <= date }?.modelID
    }

    /// Undoes the scope's last deployment switch: deploys again the model that was
    /// deployed before the current one (a compare-and-swap like any deployment).
    ///
    /// - Throws: ``PipelineError/nothingToRollBack(_:)`` when there was no earlier model;
    ///   ``PipelineError/store(_:)`` when that model can no longer be deployed (erased or
    ///   rejected) or another deployment happened meanwhile.
    @discardableResult
    public func rollback(_ scope: DeploymentScope) async throws(PipelineError) -> DeploymentRecord {
        guard let current = try await storage({ try await store.deployment(in: scope) }), let previous = current.previousModelID else {
            throw .nothingToRollBack("\(scope)")
        }
        return try await deploy(previous, in: scope, expecting: current.modelID)
    }

    /// Predictions of the model deployed in `scope` for records of feature name → value.
    ///
    /// - Throws: as ``predict(_:with:)-(Table,_)``.
    public func predict(_ records: [[String: Value]], in scope: DeploymentScope) async throws(PipelineError) -> Predictions {
        let model = try await deployedModel(in: scope)
        return try model.predict(matrix: try RecordInput.matrix(records, for: model), withProbabilities: true)
    }

    /// The model deployed in `scope`, decoded once and then shared by every call.
    ///
    /// - Throws: ``PipelineError/nothingDeployed(_:)``, ``PipelineError/invalidArtifact(model:reason:)``.
    public func deployedModel(in scope: DeploymentScope) async throws(PipelineError) -> LoadedModel {
        let now = ContinuousClock.now
        let refresh = deploymentRefresh
        let cached = state.withLock { state -> (ModelID?, LoadedModel?)? in
            guard let entry = state.deployed[scope], now - entry.readAt < refresh else { return nil }
            return (entry.model, entry.model.flatMap { state.loaded[$0] })
        }
        if let loaded = cached?.1 { return loaded }
        let modelID: ModelID?
        if let cached {
            modelID = cached.0
        } else {
            modelID = try await deployedModelID(in: scope)
            state.withLock { $0.deployed[scope] = (modelID, now) }
        }
        guard let modelID else { throw .nothingDeployed("\(scope)") }
        return try await loadedModel(modelID)
    }

    /// The pipeline's deployed model, decoded once and then shared by every call.
    ///
    /// - Throws: ``PipelineError/nothingDeployed(_:)``, ``PipelineError/invalidArtifact(model:reason:)``.
    public func deployedModel(of id: PipelineID) async throws(PipelineError) -> LoadedModel {
        try await deployedModel(in: .pipeline(id))
    }

    /// A model ready to predict (decoded once, then cached; immutable, so concurrent
    /// predictions on it are safe and a redeploy never disturbs them).
    ///
    /// - Throws: ``PipelineError/invalidArtifact(model:reason:)``.
    public func loadedModel(_ modelID: ModelID) async throws(PipelineError) -> LoadedModel {
        if let cached = state.withLock({ $0.loaded[modelID] }) { return cached }
        guard let artifact = try await storage({ try await store.artifact(of: modelID) }) else {
            throw .invalidArtifact(model: modelID, reason: "the model has no artifact")
        }
        let catalog = estimators
        let loaded = try await offload { () throws(PipelineError) -> LoadedModel in
            try ModelBundle.load(artifact, model: modelID, catalog: catalog)
        }
        state.withLock { $0.loaded[modelID] = loaded }
        return loaded
    }

    // MARK: Predictions

    /// Predictions of the pipeline's deployed model for a table holding its features
    /// (other columns are ignored).
    ///
    /// - Throws: ``PipelineError/nothingDeployed(_:)``, ``PipelineError/data(_:)`` for a
    ///   missing feature column or value.
    public func predict(_ table: Table, with id: PipelineID) async throws(PipelineError) -> Predictions {
        let model = try await deployedModel(of: id)
        return try model.predict(table)
    }

    /// Predictions of the pipeline's deployed model for records of feature name → value.
    ///
    /// ```swift
    /// let predictions = try await workspace.predict([["temperature": 21.5, "line": "red"]], with: pipeline.id)
    /// predictions.values       // labels in their original form
    /// ```
    ///
    /// - Throws: ``PipelineError/invalidInput(record:feature:reason:)`` naming the record
    ///   and feature of a missing, unknown, null or wrongly typed value;
    ///   ``PipelineError/nothingDeployed(_:)``.
    public func predict(_ records: [[String: Value]], with id: PipelineID) async throws(PipelineError) -> Predictions {
        let model = try await deployedModel(of: id)
        return try model.predict(matrix: try RecordInput.matrix(records, for: model), withProbabilities: true)
    }
}

/// Turns prediction records straight into the model's input rows, checking each value
/// against the feature schema (no intermediate table: one allocation for the matrix).
enum RecordInput {
    /// One row per record, encoded as the model's feature encoder does.
    ///
    /// - Throws: ``PipelineError/invalidInput(record:feature:reason:)`` for a missing,
    ///   unknown, null or wrongly typed feature, or an unknown category the encoder refuses.
    /// - Complexity: O(records × features).
    static func matrix(_ records: [[String: Value]], for model: LoadedModel) throws(PipelineError) -> Matrix {
        let encoder = model.bundle.featureEncoder
        let width = model.inputWidth
        var result = Matrix(rows: records.count, columns: width)
        var failure: PipelineError?
        result.withUnsafeMutableElements { out in
            for (index, record) in records.enumerated() {
                if record.count != encoder.features.count || record.keys.contains(where: { model.featureOffsets[$0] == nil }) {
                    if let unknown = record.keys.sorted().first(where: { model.featureOffsets[$0] == nil }) {
                        failure = .invalidInput(record: index, feature: unknown, reason: "not a feature of the model (features: \(encoder.features.map(\.name).joined(separator: ", ")))")
                        return
                    }
                }
                for feature in encoder.features {
                    guard let offset = model.featureOffsets[feature.name] else { continue }
                    guard let value = record[feature.name] else {
                        failure = .invalidInput(record: index, feature: feature.name, reason: "missing")
                        return
                    }
                    if let problem = write(value, of: feature, into: out, at: index * width + offset, unknown: encoder.unknownCategories) {
                        failure = .invalidInput(record: index, feature: feature.name, reason: problem)
                        return
                    }
                }
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Writes one encoded value; returns what is wrong with it, if anything.
    private static func write(
        _ value: Value, of feature: FeatureEncoder.Feature, into out: UnsafeMutableBufferPointer<Double>, at position: Int,
        unknown: FeatureEncoder.UnknownCategoryPolicy
    ) -> String? {
        switch (feature.encoding, value) {
        case (_, .missing):
            return "null"
        case (.numeric, .numeric(let x)) where feature.type == .numeric || feature.type == .integer:
            guard x.isFinite else { return "not a finite number" }
            out[position] = x
        case (.numeric, .integer(let x)) where feature.type == .numeric || feature.type == .integer:
            out[position] = Double(x)
        case (.numeric, .boolean(let b)) where feature.type == .boolean:
            out[position] = b ? 1 : 0
        case (.oneHot(let categories, _), .categorical(let category)):
            if let slot = categories.firstIndex(of: category) {
                out[position + slot] = 1
            } else if unknown == .error {
                return "unknown category '\(category)'"
            }
        default:
            return "expected a \(feature.type.rawValue) value, got \(value)"
        }
        return nil
    }
}
