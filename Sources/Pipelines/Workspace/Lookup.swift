/// What was looked up and not found: the typed identifier or the name, as it was given.
///
/// ```swift
/// do { _ = try await workspace.pipeline(named: "Iris") }
/// catch .notFound(.pipelineNamed(let name, _)) { print("no pipeline \(name)") }
/// ```
public enum Lookup: Sendable, Hashable, CustomStringConvertible {
    /// A repository by identifier.
    case repository(RepositoryID)
    /// A repository by name.
    case repositoryNamed(String)
    /// A pipeline by identifier (also: a ``Pipeline`` handle whose pipeline was deleted).
    case pipeline(PipelineID)
    /// A pipeline by name, in a repository when one was named.
    case pipelineNamed(String, repository: String?)
    /// A model by identifier.
    case model(ModelID)
    /// A standalone model line by name.
    case modelLine(String)
    /// A run by identifier.
    case run(RunID)
    /// A trigger by identifier.
    case trigger(TriggerID)
    /// An API endpoint by name.
    case endpoint(String)
    /// An endpoint token by identifier.
    case token(TokenID)
    /// A record of a host store's own kind.
    case other(kind: String, id: String)

    /// The lookup a store's ``StoreError/notFound(kind:id:)`` names.
    init(storeKind kind: String, id: String) {
        switch kind {
        case "repository": self = .repository(RepositoryID(id))
        case "pipeline": self = .pipeline(PipelineID(id))
        case "model": self = .model(ModelID(id))
        case "run": self = .run(RunID(id))
        case "trigger": self = .trigger(TriggerID(id))
        case "endpoint": self = .endpoint(id)
        case "token": self = .token(TokenID(id))
        default: self = .other(kind: kind, id: id)
        }
    }

    public var description: String {
        switch self {
        case .repository(let id): return "no repository with id '\(id)'"
        case .repositoryNamed(let name): return "no repository named '\(name)'"
        case .pipeline(let id): return "no pipeline with id '\(id)'"
        case let .pipelineNamed(name, repository):
            return "no pipeline named '\(name)'" + (repository.map { " in repository '\($0)'" } ?? "")
        case .model(let id): return "no model with id '\(id)'"
        case .modelLine(let name): return "no model line named '\(name)'"
        case .run(let id): return "no run with id '\(id)'"
        case .trigger(let id): return "no trigger with id '\(id)'"
        case .endpoint(let name): return "no endpoint named '\(name)'"
        case .token(let id): return "no token with id '\(id)'"
        case let .other(kind, id): return "no \(kind) with id '\(id)'"
        }
    }
}
