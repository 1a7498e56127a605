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
    /// The fingerprints of its CSV sources as this version's check found them (nil for
    /// records saved before fingerprints, or without CSV sources). A later check or run
    /// whose source still matches its fingerprint does not parse the file again (see
    /// ``SourceFingerprint``). Not part of ``hash``.
    public var sources: [SourceFingerprint]?

    /// A configuration record.
    ///
    /// - Parameters:
    ///   - pipelineID: The pipeline.
    ///   - version: The version, from 1.
    ///   - configuration: The configuration.
    ///   - hash: The SHA-256 of the configuration's canonical JSON.
    ///   - savedAt: When it was saved.
    ///   - sources: The fingerprints of its CSV sources as checked, if known.
    public init(
        pipelineID: PipelineID, version: Int, configuration: PipelineConfiguration, hash: String, savedAt: Date,
        sources: [SourceFingerprint]? = nil
    ) {
        self.pipelineID = pipelineID
        self.version = version
        self.configuration = configuration
        self.hash = hash
        self.savedAt = savedAt
        self.sources = sources
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
