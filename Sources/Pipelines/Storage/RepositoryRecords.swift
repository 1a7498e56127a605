public import Foundation

/// A stored repository: a named container of pipelines.
public struct RepositoryRecord: Sendable, Hashable, Codable {
    /// The repository's identifier.
    public var id: RepositoryID
    /// The name, unique among repositories.
    public var name: String
    /// A free-text description.
    public var description: String
    /// The Git working tree pipeline configurations are committed to, if connected.
    public var git: GitConnection?
    /// When it was created.
    public var createdAt: Date
    /// When its name, description or connection last changed.
    public var updatedAt: Date

    /// A repository record.
    public init(id: RepositoryID = RepositoryID(), name: String, description: String = "", git: GitConnection? = nil,
                createdAt: Date, updatedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.description = description
        self.git = git
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}

/// A stored pipeline: its identity, name and current configuration version. The
/// configurations themselves are ``ConfigurationRecord``s, one per version.
public struct PipelineRecord: Sendable, Hashable, Codable {
    /// The pipeline's identifier.
    public var id: PipelineID
    /// The repository that holds it.
    public var repositoryID: RepositoryID
    /// The name, unique within its repository.
    public var name: String
    /// The latest configuration version (0 for a new pipeline that was never configured).
    public var configurationVersion: Int
    /// When it was created.
    public var createdAt: Date
    /// When it was last renamed or configured.
    public var updatedAt: Date

    /// A pipeline record.
    public init(id: PipelineID = PipelineID(), repositoryID: RepositoryID, name: String, configurationVersion: Int = 0,
                createdAt: Date, updatedAt: Date? = nil) {
        self.id = id
        self.repositoryID = repositoryID
        self.name = name
        self.configurationVersion = configurationVersion
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}

/// One saved version of a pipeline's configuration. Versions start at 1 and every saved
/// change adds the next one; none is ever overwritten.
public struct ConfigurationRecord: Sendable, Hashable, Codable {
    /// The pipeline.
    public var pipelineID: PipelineID
    /// The version, from 1.
    public var version: Int
    /// The configuration.
    public var configuration: PipelineConfiguration
    /// The SHA-256 of the configuration's canonical JSON (see
    /// ``PipelineConfiguration/contentHash()``), recorded in model lineage.
    public var hash: String
    /// When it was saved.
    public var savedAt: Date

    /// A configuration record.
    public init(pipelineID: PipelineID, version: Int, configuration: PipelineConfiguration, hash: String, savedAt: Date) {
        self.pipelineID = pipelineID
        self.version = version
        self.configuration = configuration
        self.hash = hash
        self.savedAt = savedAt
    }
}

/// A pipeline's ML datasets as stored after a successful dataset generation run.
public struct DatasetSnapshot: Sendable, Hashable, Codable {
    /// The pipeline.
    public var pipelineID: PipelineID
    /// Counts successful generation runs of this pipeline, from 1 (also after a reset, so
    /// a model's lineage names one snapshot unambiguously).
    public var generation: Int
    /// `MLDatasets.binaryEncoded()` ("MLDS" encoding, documented in Datasets.md).
    public var encoded: Data
    /// When the run finished.
    public var savedAt: Date

    /// A dataset snapshot.
    public init(pipelineID: PipelineID, generation: Int, encoded: Data, savedAt: Date) {
        self.pipelineID = pipelineID
        self.generation = generation
        self.encoded = encoded
        self.savedAt = savedAt
    }
}

/// A trigger that runs a pipeline's jobs on a schedule.
public struct TriggerRecord: Sendable, Hashable, Codable {
    /// The trigger's identifier.
    public var id: TriggerID
    /// The pipeline it runs.
    public var pipelineID: PipelineID
    /// When it fires.
    public var schedule: TriggerSchedule
    /// The jobs it runs, in order.
    public var jobs: [JobKind]
    /// When it was created.
    public var createdAt: Date

    /// A trigger record.
    public init(id: TriggerID = TriggerID(), pipelineID: PipelineID, schedule: TriggerSchedule,
                jobs: [JobKind] = JobKind.allCases, createdAt: Date) {
        self.id = id
        self.pipelineID = pipelineID
        self.schedule = schedule
        self.jobs = jobs
        self.createdAt = createdAt
    }
}
