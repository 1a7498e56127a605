public import Estimators
public import Foundation
import LinearAlgebra
import Scoring
public import Tabular

/// A page of the model registry.
public struct ModelPage: Sendable, Hashable {
    /// The models of this page, oldest first.
    public var models: [ModelRecord]
    /// How many models match the filter in all.
    public var total: Int
    /// Models skipped before this page.
    public var offset: Int
}

extension Workspace {
    /// The model registry: every model of every repository matching `filter` (deployed
    /// only, by repository, by pipeline, standalone…), a page at a time.
    ///
    /// ```swift
    /// let page = try await workspace.listModels(ModelFilter(deployedOnly: true), offset: 0, limit: 100)
    /// ```
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func listModels(_ filter: ModelFilter = ModelFilter(), offset: Int = 0, limit: Int = 100) async throws(PipelineError) -> ModelPage {
        let models = try await storage { try await store.models(matching: filter, offset: offset, limit: limit) }
        let total = try await storage { try await store.countModels(matching: filter) }
        return ModelPage(models: models, total: total, offset: offset)
    }

    /// Events about models from now on: saved, scored, rejected, deployed, erased.
    public func modelEvents() -> AsyncStream<ModelEvent> { events.subscribe() }

    /// Erases a model and frees its storage. A pipeline model's pipeline is left alone;
    /// an erased standalone model is gone for good. A deployed model cannot be erased:
    /// deploy another (or undeploy) first.
    ///
    /// - Throws: ``PipelineError/store(_:)`` with ``StoreError/modelDeployed(_:)`` or
    ///   ``StoreError/notFound(kind:id:)``.
    public func eraseModel(_ id: ModelID) async throws(PipelineError) {
        try await storage { try await store.deleteModel(id) }
        state.withLock { _ = $0.loaded.removeValue(forKey: id) }
        publish(.erased(id))
    }

    var tester: ModelTester {
        ModelTester(store: store, estimators: estimators, scores: scores, clock: clock, logger: logger,
                    publish: { [self] in publish($0) })
    }

    /// Computes a pipeline model's testing scores now, on its pipeline's current testing
    /// set with the pipeline's scoring functions (a failed threshold rejects it, as the
    /// testing job does).
    ///
    /// - Throws: ``PipelineError/notReady(job:reason:)`` for a standalone model (use
    ///   ``testModel(_:on:scores:)``) or a pipeline without testing rows;
    ///   ``PipelineError/invalidArtifact(model:reason:)`` for a rejected model.
    @discardableResult
    public func testModel(_ id: ModelID) async throws(PipelineError) -> ModelRecord {
        let model = try await model(id)
        guard let pipelineID = model.origin.pipelineID else {
            throw .notReady(job: .testing, reason: "model \(id) is standalone: give it a testing table")
        }
        guard let snapshot = try await storage({ try await store.datasets(of: pipelineID) }) else {
            throw .notReady(job: .testing, reason: "pipeline \(pipelineID) has no datasets yet")
        }
        let testing = try await offload { () throws(PipelineError) -> Table in
            do throws(TabularError) { return try MLDatasets(binaryEncoded: Array(snapshot.encoded)).testing } catch { throw .data(error) }
        }
        guard testing.rowCount > 0 else { throw .notReady(job: .testing, reason: "the testing set is empty") }
        let configuration = try await currentConfiguration(pipelineID).configuration
        let settings = TrainingJob.effectiveScores(configuration.training, task: model.task)
        return try await TestingJob.test(model, on: testing, settings: settings, tester: tester)
    }

    /// Computes a model's testing scores on `table` (which holds its features and label)
    /// with `scores` (the task's default when empty).
    ///
    /// - Throws: as ``testModel(_:)``, and ``PipelineError/data(_:)`` when the table lacks
    ///   a feature or the label.
    @discardableResult
    public func testModel(_ id: ModelID, on table: Table, scores settings: [ScoreSetting] = []) async throws(PipelineError) -> ModelRecord {
        let model = try await model(id)
        let effective = TrainingJob.effectiveScores(TrainingStep(scores: settings), task: model.task)
        return try await TestingJob.test(model, on: table, settings: effective, tester: tester)
    }

    // MARK: Export and import

    /// The model as a portable archive file (see ``ModelArchive``).
    ///
    /// - Throws: ``PipelineError/invalidArtifact(model:reason:)`` for a model without
    ///   artifact (rejected), ``PipelineError/notFound(kind:name:)``.
    public func exportModel(_ id: ModelID) async throws(PipelineError) -> Data {
        let model = try await model(id)
        guard let artifact = try await storage({ try await store.artifact(of: id) }) else {
            throw .invalidArtifact(model: id, reason: "the model has no artifact (it was rejected)")
        }
        let name: String
        switch model.origin {
        case .pipeline(let pipelineID): name = (try? await pipeline(pipelineID).name) ?? pipelineID.rawValue
        case .orphaned(let former): name = former
        case .imported(let imported): name = imported
        }
        let manifest = ModelArchive.Manifest(
            modelID: id, name: name, version: model.version, estimator: model.estimator, task: model.task,
            hyperParameters: model.hyperParameters, schema: model.schema, validationScore: model.validationScore,
            testingScores: model.testingScores, lineage: model.lineage, createdAt: model.createdAt, exportedAt: clock.now)
        return try ModelArchive(manifest: manifest, artifact: artifact).encoded()
    }

    /// Imports an exported model as a standalone model named `name` (the archive's name by
    /// default). A standalone line of that name gets it as its next version.
    ///
    /// - Throws: ``PipelineError/invalidArchive(_:)`` for a truncated, altered or
    ///   unknown-version file; ``PipelineError/invalidArtifact(model:reason:)`` when its
    ///   model cannot be decoded by this workspace's catalog. Nothing is stored then.
    @discardableResult
    public func importModel(archive data: Data, name: String? = nil) async throws(PipelineError) -> ModelRecord {
        let archive = try ModelArchive(decoding: data)
        let manifest = archive.manifest
        let catalog = estimators
        let artifact = archive.artifact
        let loaded = try await offload { () throws(PipelineError) -> LoadedModel in
            try ModelBundle.load(artifact, model: manifest.modelID, catalog: catalog)
        }
        guard loaded.bundle.schema == manifest.schema, loaded.model.estimatorName == manifest.estimator else {
            throw .invalidArchive("the manifest does not describe the model inside")
        }
        return try await storeImported(
            name: name ?? manifest.name, estimator: manifest.estimator, task: manifest.task,
            hyperParameters: manifest.hyperParameters, schema: manifest.schema, validationScore: manifest.validationScore,
            testingScores: manifest.testingScores, lineage: manifest.lineage, artifact: artifact)
    }

    /// Imports a model trained elsewhere, given as the payload of a model type registered
    /// in this workspace's catalog, with its X variables (see ``FeatureList``; all
    /// numeric) and Y variable.
    ///
    /// ```swift
    /// let features = try FeatureList.parse(try String(contentsOfFile: "features.txt", encoding: .utf8))
    /// let record = try await workspace.importModel(payload: payload, name: "churn", features: features, label: "churned",
    ///                                              classes: [false, true])
    /// ```
    ///
    /// - Parameters:
    ///   - payload: The model's payload (its kind must be registered).
    ///   - name: The standalone line; an existing line gets a new version.
    ///   - features: The feature names in the model's column order.
    ///   - label: The label's name.
    ///   - classes: A classifier's classes in class-index order (default: the integers
    ///     `0..<classCount`); ignored for regressors.
    /// - Throws: ``PipelineError/invalidArtifact(model:reason:)`` for a payload the catalog
    ///   refuses; ``PipelineError/invalidFeatureList(_:)`` when the names do not match the
    ///   model's feature count; ``PipelineError/data(_:)`` for bad classes.
    @discardableResult
    public func importModel(
        payload: ModelPayload, name: String, features: [String], label: String, classes: [Value]? = nil
    ) async throws(PipelineError) -> ModelRecord {
        try checkName(name, kind: "model")
        let model: any TrainedModel
        do { model = try estimators.decodeModel(payload) } catch {
            throw .invalidArtifact(model: ModelID("import"), reason: "\(error)")
        }
        let names = try FeatureList.check(features)
        guard names.count == model.featureCount else {
            throw .invalidFeatureList("the model reads \(model.featureCount) features, \(names.count) names were given")
        }
        let featureEncoder: FeatureEncoder
        var labelEncoder: LabelEncoder?
        var labelType = ColumnType.numeric
        do throws(TabularError) {
            let zeros = try Table(names.map { Column(name: $0, numeric: [0]) })
            featureEncoder = try FeatureEncoder.fit(zeros, features: names)
            if let classifier = model as? any TrainedClassifier {
                let given = classes ?? (0..<classifier.classCount).map { Value.integer($0) }
                guard given.count == classifier.classCount else {
                    throw .invalidArgument("the model has \(classifier.classCount) classes, \(given.count) were given")
                }
                labelType = Self.columnType(of: given.first ?? .integer(0))
                labelEncoder = try LabelEncoder(name: label, type: labelType, classes: given)
            }
        } catch {
            throw .data(error)
        }
        let schema = FeatureSchema(
            features: names.map { Schema.Field(name: $0, type: .numeric) }, label: label, labelType: labelType,
            classes: labelEncoder?.classes)
        let bundle = ModelBundle(payload: payload, featureEncoder: featureEncoder, labelEncoder: labelEncoder, schema: schema)
        let artifact = try bundle.encoded(model: ModelID("import"))
        return try await storeImported(
            name: name, estimator: payload.estimator, task: model.task, hyperParameters: [:], schema: schema,
            validationScore: nil, testingScores: [:], lineage: nil, artifact: artifact)
    }

    private static func columnType(of value: Value) -> ColumnType {
        switch value {
        case .numeric, .missing: return .numeric
        case .integer: return .integer
        case .categorical: return .categorical
        case .boolean: return .boolean
        }
    }

    /// Stores an imported model as the next version of its standalone line.
    private func storeImported(
        name: String, estimator: String, task: PredictionTask, hyperParameters: [String: HyperParameterValue],
        schema: FeatureSchema, validationScore: ScoreValue?, testingScores: [String: Double], lineage: ModelLineage?,
        artifact: Data
    ) async throws(PipelineError) -> ModelRecord {
        let line = try await storage { try await store.models(matching: ModelFilter(standalone: true)) }
            .filter { $0.origin == .imported(name: name) }
        let id = ModelID()
        let record = ModelRecord(
            id: id, origin: .imported(name: name), repositoryID: nil, version: (line.map(\.version).max() ?? 0) + 1,
            estimator: estimator, task: task, hyperParameters: hyperParameters, status: .saved,
            validationScore: validationScore, testingScores: testingScores, trainingSeconds: 0, meanPredictionSeconds: nil,
            schema: schema, lineage: lineage, createdAt: clock.now, lineID: line.first?.lineID ?? id)
        try await storage { try await store.insertModel(record, artifact: artifact) }
        logger.info("imported model \(id) as version \(record.version) of '\(name)'")
        publish(.saved(record))
        return record
    }

    /// The standalone line called `name` (imported models): its root identifier, the
    /// line's deployment scope.
    ///
    /// - Throws: ``PipelineError/notFound(kind:name:)``.
    public func modelLine(named name: String) async throws(PipelineError) -> ModelID {
        let line = try await storage { try await store.models(matching: ModelFilter(standalone: true)) }
            .first { $0.origin == .imported(name: name) }
        guard let root = line?.lineID else { throw .notFound(kind: "model line", name: name) }
        return root
    }
}
