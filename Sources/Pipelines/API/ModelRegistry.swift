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

/// A standalone model line: imported versions under one name, or one orphaned model.
public struct ModelLine: Sendable, Hashable {
    /// The line's identifier: its first model's.
    public let id: ModelID
    /// The imported models' name, or the orphaned model's former pipeline name.
    public let name: String
    /// The line's one deployed model.
    public let deployment: Deployment
}

/// Every model of every repository: listing with filters and paging, testing on demand,
/// export and import, erasure, standalone model lines, events.
///
/// ```swift
/// let registry = workspace.registry
/// let page = try await registry.models(ModelFilter(pipelineID: pipeline.id), offset: 0, limit: 20)
/// let archive = try await registry.export(page.models[0].id)
/// let copy = try await registry.importModel(archive: archive, name: "iris-copy")
/// try await registry.line(named: "iris-copy").deployment.deploy(copy.id)
/// ```
public struct ModelRegistry: Sendable {
    let workspace: Workspace

    private var store: any PipelineStorage { workspace.store }

    /// A page of the models matching `filter` (deployed only, by repository, by pipeline,
    /// by former pipeline, standalone…), oldest first.
    ///
    /// ```swift
    /// let live = try await workspace.registry.models(.deployedOnly)
    /// ```
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func models(_ filter: ModelFilter = ModelFilter(), offset: Int = 0, limit: Int = 100) async throws(PipelineError) -> ModelPage {
        let page = try await storage { try await store.modelPage(matching: filter, offset: offset, limit: limit) }
        return ModelPage(models: page.models, total: page.total, offset: offset)
    }

    /// The model with this identifier.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` with ``Lookup/model(_:)``.
    public func model(_ id: ModelID) async throws(PipelineError) -> ModelRecord {
        guard let record = try await storage({ try await store.model(id) }) else { throw .notFound(.model(id)) }
        return record
    }

    /// Events about models from now on: saved, scored, rejected, deployed, erased.
    ///
    /// ```swift
    /// for await event in workspace.registry.events() { print(event) }
    /// ```
    public func events() -> AsyncStream<ModelEvent> { workspace.events.subscribe() }

    /// Erases a model and frees its storage. A pipeline model's pipeline is left alone;
    /// an erased standalone model is gone for good. A deployed model cannot be erased:
    /// deploy another (or undeploy) first.
    ///
    /// - Throws: ``PipelineError/store(_:)`` with ``StoreError/modelDeployed(_:)``;
    ///   ``PipelineError/notFound(_:)``.
    public func erase(_ id: ModelID) async throws(PipelineError) {
        try await storage { try await store.deleteModel(id) }
        workspace.state.withLock { _ = $0.loaded.removeValue(forKey: id) }
        workspace.publish(.erased(id))
    }

    var tester: ModelTester {
        let workspace = workspace
        return ModelTester(store: store, estimators: workspace.estimators, scores: workspace.scores, clock: workspace.clock,
                           logger: workspace.logger, publish: { workspace.publish($0) })
    }

    /// Computes a pipeline model's testing scores now, on its pipeline's current testing
    /// set with the pipeline's scoring functions (a failed threshold rejects it, as the
    /// testing job does).
    ///
    /// - Throws: ``PipelineError/notReady(job:reason:)`` for a standalone model (use
    ///   ``test(_:on:scores:)``) or a pipeline without testing rows;
    ///   ``PipelineError/invalidArtifact(model:reason:)`` for a rejected model.
    @discardableResult
    public func test(_ id: ModelID) async throws(PipelineError) -> ModelRecord {
        let model = try await model(id)
        guard let pipelineID = model.origin.pipelineID else {
            throw .notReady(job: .testing, reason: "model \(id) is standalone: give it a testing table")
        }
        let testing = try await testingSet(of: pipelineID)
        let configuration = try await Pipeline(id: pipelineID, workspace: workspace).configuration().configuration
        let settings = TrainingJob.effectiveScores(configuration.training, task: model.task)
        return try await TestingJob.test(model, on: testing, settings: settings, tester: tester)
    }

    /// The testing set of `pipelineID`'s current datasets.
    ///
    /// - Throws: ``PipelineError/notReady(job:reason:)`` when it has no datasets or an
    ///   empty testing set.
    func testingSet(of pipelineID: PipelineID) async throws(PipelineError) -> Table {
        guard let snapshot = try await storage({ try await store.datasets(of: pipelineID, rows: .testing) }) else {
            throw .notReady(job: .testing, reason: "pipeline \(pipelineID) has no datasets yet")
        }
        let testing = try await offload { () throws(PipelineError) -> Table in try snapshot.decodedTesting() }
        guard testing.rowCount > 0 else { throw .notReady(job: .testing, reason: "the testing set is empty") }
        return testing
    }

    /// Computes a model's testing scores on `table` (which holds its features and label)
    /// with `scores` (the task's default when empty).
    ///
    /// - Throws: as ``test(_:)``, and ``PipelineError/data(_:)`` when the table lacks
    ///   a feature or the label.
    @discardableResult
    public func test(_ id: ModelID, on table: Table, scores settings: [ScoreSetting] = []) async throws(PipelineError) -> ModelRecord {
        let model = try await model(id)
        let effective = TrainingJob.effectiveScores(TrainingStep(scores: settings), task: model.task)
        return try await TestingJob.test(model, on: table, settings: effective, tester: tester)
    }

    // MARK: Export and import

    /// The model as the bytes of a portable archive (see ``ModelArchive``); write them
    /// anywhere, or use ``export(_:to:)``.
    ///
    /// - Throws: ``PipelineError/invalidArtifact(model:reason:)`` for a model without
    ///   artifact (rejected), ``PipelineError/notFound(_:)``.
    public func export(_ id: ModelID) async throws(PipelineError) -> Data {
        let model = try await model(id)
        guard let artifact = try await storage({ try await store.artifact(of: id) }) else {
            throw .invalidArtifact(model: id, reason: "the model has no artifact (it was rejected)")
        }
        let name: String
        switch model.origin {
        case .pipeline(let pipelineID): name = try await Pipeline(id: pipelineID, workspace: workspace).record().name
        case .orphaned(_, let former): name = former
        case .imported(let imported): name = imported
        }
        let manifest = ModelArchive.Manifest(
            modelID: id, name: name, version: model.version, estimator: model.estimator, task: model.task,
            hyperParameters: model.hyperParameters, schema: model.schema, validationScore: model.validationScore,
            testingScores: Dictionary(model.testingScores.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }),
            lineage: model.lineage, createdAt: model.createdAt, exportedAt: workspace.clock.now)
        return try ModelArchive(manifest: manifest, artifact: artifact).encoded()
    }

    /// Writes the model's portable archive file to `url` (atomically: a crash leaves no
    /// half-written file under that name).
    ///
    /// ```swift
    /// try await workspace.registry.export(model.id, to: URL(fileURLWithPath: "iris.mlmodel.json"))
    /// ```
    ///
    /// - Throws: as ``export(_:)``; ``PipelineError/fileWrite(path:reason:)`` when the file
    ///   cannot be written.
    public func export(_ id: ModelID, to url: URL) async throws(PipelineError) {
        let data = try await export(id)
        do { try data.write(to: url, options: .atomic) } catch {
            throw .fileWrite(path: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Imports the exported model in the archive file at `url`, as
    /// ``importModel(archive:name:)`` does.
    ///
    /// - Throws: ``PipelineError/invalidArchive(_:)`` for an unreadable, truncated, altered
    ///   or unknown-version file; as ``importModel(archive:name:)``.
    @discardableResult
    public func importModel(archiveAt url: URL, name: String? = nil) async throws(PipelineError) -> ModelRecord {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .invalidArchive("cannot read \(url.path): \(error)") }
        return try await importModel(archive: data, name: name)
    }

    /// Imports an exported model as a standalone model named `name` (the archive's name by
    /// default). A standalone line of that name gets it as its next version.
    ///
    /// - Throws: ``PipelineError/invalidName(kind:name:reason:)`` for a blank name;
    ///   ``PipelineError/invalidArchive(_:)`` for a truncated, altered or unknown-version file; ``PipelineError/invalidArtifact(model:reason:)`` when its
    ///   model cannot be decoded by this workspace's catalog. Nothing is stored then.
    @discardableResult
    public func importModel(archive data: Data, name: String? = nil) async throws(PipelineError) -> ModelRecord {
        let archive = try ModelArchive(decoding: data)
        let manifest = archive.manifest
        try Workspace.checkName(name ?? manifest.name, kind: "model line")
        let catalog = workspace.estimators
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
            testingScores: manifest.testingScores.sorted { $0.key < $1.key }.map { ScoreValue(name: $0.key, value: $0.value) },
            lineage: manifest.lineage, artifact: artifact)
    }

    /// Imports a model trained elsewhere, given as the payload of a model type registered
    /// in this workspace's catalog, with its X variables (see ``FeatureList``; all
    /// numeric) and Y variable.
    ///
    /// ```swift
    /// let features = try FeatureList.parse(try String(contentsOfFile: "features.txt", encoding: .utf8))
    /// let record = try await workspace.registry.importModel(payload: payload, name: "churn", features: features, label: "churned",
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
        try Workspace.checkName(name, kind: "model line")
        let model: any TrainedModel
        do { model = try workspace.estimators.decodeModel(payload) } catch {
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
            validationScore: nil, testingScores: [], lineage: nil, artifact: artifact)
    }

    private static func columnType(of value: Value) -> ColumnType {
        switch value {
        case .numeric, .missing: return .numeric
        case .integer: return .integer
        case .categorical: return .categorical
        case .boolean: return .boolean
        }
    }

    /// Stores an imported model as the next version of its standalone line. The version is
    /// the core's rule (``ModelRules/nextImport(into:newID:)``); the store refuses a taken
    /// one, and a concurrent import that took it makes this one retry with the next.
    private func storeImported(
        name: String, estimator: String, task: PredictionTask, hyperParameters: [String: HyperParameterValue],
        schema: FeatureSchema, validationScore: ScoreValue?, testingScores: [ScoreValue], lineage: ModelLineage?,
        artifact: Data
    ) async throws(PipelineError) -> ModelRecord {
        let id = ModelID()
        var lastConflict: StoreError?
        for _ in 0..<ModelRules.importAttempts {
            let line = try await importedLine(named: name)
            let (version, lineID) = ModelRules.nextImport(into: line, newID: id)
            let record = ModelRecord(
                id: id, origin: .imported(name: name), repositoryID: nil, version: version,
                estimator: estimator, task: task, hyperParameters: hyperParameters, status: .saved,
                validationScore: validationScore, testingScores: testingScores, trainingSeconds: 0, meanPredictionSeconds: nil,
                schema: schema, lineage: lineage, createdAt: workspace.clock.now, lineID: lineID)
            do {
                try await storage { try await store.insertModel(record, artifact: artifact) }
            } catch .store(let conflict) where Self.isVersionConflict(conflict) {
                lastConflict = conflict
                continue
            }
            workspace.logger.debug("imported model \(id) as version \(record.version) of '\(name)'")
            workspace.publish(.saved(record))
            return record
        }
        throw .store(lastConflict ?? .duplicateVersion(line: name, version: 0))
    }

    private static func isVersionConflict(_ error: StoreError) -> Bool {
        if case .duplicateVersion = error { return true }
        return false
    }

    /// The models imported under `name`, oldest first.
    private func importedLine(named name: String) async throws(PipelineError) -> [ModelRecord] {
        try await storage { try await store.models(matching: ModelFilter(standalone: true)) }.filter { $0.origin == .imported(name: name) }
    }

    /// The standalone line of models imported under `name`, with its deployment.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` with ``Lookup/modelLine(_:)``.
    public func line(named name: String) async throws(PipelineError) -> ModelLine {
        guard let root = try await importedLine(named: name).first?.lineID else { throw .notFound(.modelLine(name)) }
        return ModelLine(id: root, name: name, deployment: Deployment(scope: .standalone(root), workspace: workspace))
    }

    /// The standalone line a model belongs to (an imported model's line, or an orphaned
    /// model's own), with its deployment.
    ///
    /// - Throws: ``PipelineError/notFound(_:)``; ``PipelineError/notDeployable(model:reason:)``
    ///   for a pipeline model (its deployment is its pipeline's).
    public func line(of model: ModelID) async throws(PipelineError) -> ModelLine {
        let record = try await self.model(model)
        guard let root = record.lineID else {
            throw .notDeployable(model: model, reason: "it is a pipeline model; use its pipeline's deployment")
        }
        let name: String
        switch record.origin {
        case .imported(let imported): name = imported
        case .orphaned(_, let former): name = former
        case .pipeline(let id): name = id.rawValue
        }
        return ModelLine(id: root, name: name, deployment: Deployment(scope: .standalone(root), workspace: workspace))
    }

    /// A model ready to predict (decoded once, then cached; immutable, so concurrent
    /// predictions on it are safe and a redeploy never disturbs them).
    ///
    /// - Throws: ``PipelineError/invalidArtifact(model:reason:)``.
    public func loadedModel(_ modelID: ModelID) async throws(PipelineError) -> LoadedModel {
        if let cached = workspace.state.withLock({ $0.loaded[modelID] }) { return cached }
        guard let artifact = try await storage({ try await store.artifact(of: modelID) }) else {
            throw .invalidArtifact(model: modelID, reason: "the model has no artifact")
        }
        let catalog = workspace.estimators
        let loaded = try await offload { () throws(PipelineError) -> LoadedModel in
            try ModelBundle.load(artifact, model: modelID, catalog: catalog)
        }
        workspace.state.withLock { $0.loaded[modelID] = loaded }
        return loaded
    }
}
