/// The model life-cycle rules, written once above the stores: what may be deployed where,
/// what a model becomes when its pipeline is deleted, and how imported versions are
/// numbered. Stores only apply them inside their transactions.
enum ModelRules {
    /// Why `model` cannot be deployed in `scope`, or nil when it can.
    ///
    /// A model is deployable when it was not rejected in testing and belongs to the scope:
    /// a pipeline model in its own pipeline, a standalone model (imported or orphaned) in
    /// its own line. (That it still has its artifact is the store's integrity guarantee,
    /// checked inside the swap's transaction.)
    static func deploymentProblem(_ model: ModelRecord, in scope: DeploymentScope) -> String? {
        if model.status == .rejected { return "it was rejected in testing" }
        switch scope {
        case .pipeline(let pipelineID):
            if model.origin.pipelineID != pipelineID {
                return model.origin.isStandalone ? "it is a standalone model; deploy it in its model line" : "it belongs to another pipeline"
            }
        case .standalone(let line):
            guard model.origin.isStandalone else { return "it is a pipeline model; deploy it in its pipeline" }
            if model.lineID != line { return "it belongs to another model line" }
        }
        return nil
    }

    /// What a model becomes when its pipeline is deleted: a standalone model that
    /// remembers the pipeline (identifier and name), without repository, its own line.
    static let orphan: ModelOrphaning = { model, pipeline in
        var orphan = model
        orphan.origin = .orphaned(formerPipeline: pipeline.id, name: pipeline.name)
        orphan.repositoryID = nil
        orphan.lineID = model.id
        return orphan
    }

    /// The version an import into the line `existing` (the models imported under one
    /// name) gets, and the line it joins: the next version after the highest, in the line
    /// of the first version (a new line, rooted at `newID`, when there is none).
    static func nextImport(into existing: [ModelRecord], newID: ModelID) -> (version: Int, lineID: ModelID) {
        let first = existing.min { $0.version < $1.version }
        return ((existing.map(\.version).max() ?? 0) + 1, first?.lineID ?? newID)
    }

    /// How many times an import retries when a concurrent import took its version.
    static let importAttempts = 16
}
