/// How models are deployed automatically by the deployment job.
public enum AutoDeployCriterion: Sendable, Hashable, Codable {
    /// The tested model with the best primary testing score among those created within
    /// the window (seconds back from the run).
    case bestTestingScore(window: Double)
    /// The tested model with the lowest mean prediction time among those created within
    /// the window.
    case bestPredictionTime(window: Double)

    /// The window in seconds.
    public var window: Double {
        switch self {
        case .bestTestingScore(let window), .bestPredictionTime(let window): return window
        }
    }
}

/// Step 4: manual deployment (nil) or automatic deployment by a criterion.
public struct SelectionStep: Sendable, Hashable, Codable {
    /// The automatic deployment criterion; nil deploys only by hand.
    public var autoDeploy: AutoDeployCriterion?

    /// A selection step.
    public init(autoDeploy: AutoDeployCriterion? = nil) { self.autoDeploy = autoDeploy }
}

/// A consumer of the deployed model.
///
/// Encoded as `"inProcess"`, `{"endpoint": "NAME"}` for an API endpoint, `{"table": {…}}`
/// or `{"folder": {…}}`.
public enum DeploymentConsumer: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Calls of ``Deployment/predict(_:)-(Array<Dictionary<String,Value>>)`` and
    /// ``Deployment/predict(_:)-(Table)`` in the host process.
    case inProcess
    /// An HTTP API endpoint with this name (unique across the store; see
    /// ``EndpointName``), served by `PipelinesServer` to holders of its tokens.
    case endpoint(String)
    /// An input table predicted into an output table (``Pipeline/runTableConsumers(progress:)``).
    case table(TableConsumer)
    /// CSV files dropped into a folder predicted into another (``FolderWatcher``).
    case folder(FolderConsumer)

    /// The endpoint's name, for an endpoint consumer.
    public var endpointName: String? {
        if case .endpoint(let name) = self { return name }
        return nil
    }

    /// `inProcess` or `endpoint 'NAME'`.
    public var description: String {
        switch self {
        case .inProcess: return "inProcess"
        case .endpoint(let name): return "endpoint '\(name)'"
        case .table(let table): return "table '\(table.input)' → '\(table.output)'"
        case .folder(let folder): return "folder '\(folder.input)' → '\(folder.output)'"
        }
    }

    /// The table consumer, for a table consumer.
    public var table: TableConsumer? {
        if case .table(let table) = self { return table }
        return nil
    }

    /// The folder consumer, for a folder consumer.
    public var folder: FolderConsumer? {
        if case .folder(let folder) = self { return folder }
        return nil
    }

    private enum CodingKeys: String, CodingKey { case endpoint, table, folder }

    /// Decodes `"inProcess"`, `{"endpoint": "NAME"}`, `{"table": {…}}` or `{"folder": {…}}`.
    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {  // a bare name, or not a string
            guard name == "inProcess" else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath,
                    debugDescription: "unknown consumer '\(name)' (inProcess, {\"endpoint\": NAME}, {\"table\": {…}} or {\"folder\": {…}})"))
            }
            self = .inProcess
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let table = try container.decodeIfPresent(TableConsumer.self, forKey: .table) {
            self = .table(table)
        } else if let folder = try container.decodeIfPresent(FolderConsumer.self, forKey: .folder) {
            self = .folder(folder)
        } else {
            self = .endpoint(try container.decode(String.self, forKey: .endpoint))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .inProcess:
            var container = encoder.singleValueContainer()
            try container.encode("inProcess")
        case .endpoint(let name):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .endpoint)
        case .table(let table):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(table, forKey: .table)
        case .folder(let folder):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(folder, forKey: .folder)
        }
    }
}

/// The rule for endpoint names: 1 to 63 characters, lowercase letters, digits and `-`,
/// starting with a letter or digit (a URL path segment as it is, in any host's routes).
public enum EndpointName {
    /// Why `name` cannot name an endpoint, or nil when it can.
    public static func problem(_ name: String) -> String? {
        let scalars = Array(name.unicodeScalars)
        guard (1...63).contains(scalars.count) else { return "endpoint name '\(name)' must have 1 to 63 characters" }
        let allowed = scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        guard allowed, scalars[0] != "-" else {
            return "endpoint name '\(name)' may hold only lowercase letters, digits and '-', and must not start with '-'"
        }
        return nil
    }
}

/// Step 5: the consumers plugged into the deployed model.
public struct DeploymentStep: Sendable, Hashable, Codable {
    /// The consumers.
    public var consumers: [DeploymentConsumer]

    /// A deployment step.
    public init(consumers: [DeploymentConsumer] = [.inProcess]) { self.consumers = consumers }
}

/// The pipeline's preferences.
public struct Preferences: Sendable, Hashable, Codable {
    /// A free-text description.
    public var description: String
    /// Tags for finding the pipeline.
    public var tags: [String]
    /// The longest a job may run, in seconds, by job; a job past it is cancelled and
    /// recorded as timed out.
    public var timeouts: [JobKind: Double]
    /// Threads each job type may use (forests, histogram binning, BLAS); 1 when unset.
    public var threads: [JobKind: Int]

    /// Preferences.
    public init(description: String = "", tags: [String] = [], timeouts: [JobKind: Double] = [:], threads: [JobKind: Int] = [:]) {
        self.description = description
        self.tags = tags
        self.timeouts = timeouts
        self.threads = threads
    }
}
