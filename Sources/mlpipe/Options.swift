import ArgumentParser
import Foundation
import Logging
import Pipelines
import PipelinesPostgres
import PipelinesSQLite

/// The options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "The store: an SQLite file path or sqlite:PATH (created on first use), or a postgres://USER@HOST/DATABASE URL (password from the URL or PGPASSWORD).")
    var store: String = ".mlpipe/store.sqlite"

    @Flag(help: "Print machine-readable JSON on stdout.")
    var json = false

    @Flag(help: "Log the SDK's routine events (debug level) and job details on stderr.")
    var verbose = false

    /// The workspace on the SQLite store at `--store`. The SDK logs routine events at
    /// `debug`: `--verbose` shows them; by default only warnings and errors are shown.
    /// `clock` drives schedules and stamps records (the store keeps the system clock, which
    /// times leases). Workspaces given one `sourceCache` parse each data source once between them.
    func workspace(
        baseDirectory: URL? = nil, clock: any WallClock = SystemWallClock(), sourceCache: SourceCache = SourceCache(),
        runLease: RunLeasePolicy = .standard
    ) async throws -> Workspace {
        Workspace(
            store: try await openStore(), clock: clock, logger: logger(),
            baseDirectory: baseDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            runLease: runLease, sourceCache: sourceCache)
    }

    /// Where `--store` points.
    var location: StoreLocation { StoreLocation(store) }

    /// The store `--store` names, opened (an SQLite file is created when missing; a
    /// PostgreSQL database gets its schema).
    func openStore() async throws -> any PipelineStorage {
        try await Self.openStore(location, logger: logger())
    }

    /// The store `location` names, opened as `--store` is (`mlpipe store copy` opens two).
    static func openStore(_ location: StoreLocation, logger: Logger) async throws -> any PipelineStorage {
        switch location {
        case .sqlite(let path): return try SQLiteStore(path: path)
        case .postgres(let url): return try await PostgresStore(url: url, logger: logger)
        }
    }

    /// The SDK's messages on stderr: `debug` and above with `--verbose`, else warnings and errors.
    func logger() -> Logger { Self.logger(verbose: verbose) }

    /// The SDK's messages on stderr: `debug` and above when `verbose`, else warnings and errors.
    static func logger(verbose: Bool) -> Logger {
        var logger = Logger(label: "mlpipe") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }
}

/// A failure of a command, said in one message.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Finds a pipeline by name (in `repository` when given); several pipelines of that name
/// in different repositories ask for `--repository`.
func findPipeline(_ name: String, repository: String?, in workspace: Workspace) async throws -> Pipeline {
    do {
        return try await workspace.pipeline(named: name, in: repository)
    } catch PipelineError.ambiguousName(_, _, let matches) {
        throw CommandFailure("\(matches) pipelines are named '\(name)': say which with --repository")
    }
}

/// `--pipeline NAME [--repository NAME]`: the pipeline a command acts on.
struct PipelineOption: ParsableArguments {
    @Option(help: "The pipeline.") var pipeline: String
    @Option(help: "The pipeline's repository, when several hold a pipeline of that name.") var repository: String?

    /// The pipeline.
    func find(in workspace: Workspace) async throws -> Pipeline {
        try await findPipeline(pipeline, repository: repository, in: workspace)
    }
}

/// `--pipeline NAME [--repository NAME]` or `--line NAME`: whose one deployed model a
/// deployment command reads or changes.
struct DeploymentTarget: ParsableArguments {
    @Option(help: "The pipeline.") var pipeline: String?
    @Option(help: "The pipeline's repository, when several hold a pipeline of that name.") var repository: String?
    @Option(help: "A standalone model line (an imported model's name), instead of a pipeline.") var line: String?

    func validate() throws {
        guard (pipeline == nil) != (line == nil) else {
            throw ValidationError("name a pipeline with --pipeline or a standalone model line with --line (one of the two)")
        }
        if line != nil && repository != nil { throw ValidationError("--repository goes with --pipeline, not --line") }
    }

    /// The deployment, and how messages name its owner (`pipeline NAME`, `model line NAME`).
    func find(in workspace: Workspace) async throws -> (deployment: Deployment, label: String) {
        let found = try await resolve(in: workspace)
        return (found.deployment, found.label)
    }

    /// ``find(in:)``, and the pipeline itself when one is named.
    func resolve(in workspace: Workspace) async throws -> (deployment: Deployment, label: String, pipeline: Pipeline?) {
        if let line {
            let found = try await workspace.registry.line(named: line)
            return (found.deployment, "model line \(found.name)", nil)
        }
        let found = try await findPipeline(pipeline ?? "", repository: repository, in: workspace)
        return (found.deployment, "pipeline \(try await found.record().name)", found)
    }
}

/// `NAME [--repository NAME]`: the pipeline a `pipelines` subcommand acts on.
struct PipelineArgument: ParsableArguments {
    @Argument(help: "The pipeline's name.") var name: String
    @Option(help: "The repository, when several hold a pipeline of that name.") var repository: String?

    /// The pipeline.
    func find(in workspace: Workspace) async throws -> Pipeline {
        try await findPipeline(name, repository: repository, in: workspace)
    }
}

/// `--key`, `--map`, `--pass-through`, `--chunk-rows`, `--fail-on-bad-row`: the batch options
/// of `mlpipe predict` and `mlpipe watch`.
struct BatchFlags: ParsableArguments {
    @Option(name: .customLong("key"), help: "A key column copied to the output (repeat; default: the pipeline's dataset keys).")
    var keys: [String] = []
    @Option(name: .customLong("map"), help: "INPUT=FEATURE: read the model's feature FEATURE from the input column INPUT (repeat).")
    var mappings: [String] = []
    @Option(name: .customLong("pass-through"), help: "Another input column copied to the output (repeat).") var passThrough: [String] = []
    @Option(help: "Rows read and predicted at a time.") var chunkRows: Int = 65_536
    @Flag(help: "Stop at the first row that cannot be predicted (nothing is written for that input).") var failOnBadRow = false

    func validate() throws {
        guard chunkRows > 0 else { throw ValidationError("--chunk-rows must be positive") }
        for mapping in mappings where mapping.split(separator: "=", omittingEmptySubsequences: false).count != 2 {
            throw ValidationError("--map takes INPUT=FEATURE, not '\(mapping)'")
        }
    }

    /// Whether any of these flags was given.
    var isGiven: Bool { !keys.isEmpty || !mappings.isEmpty || !passThrough.isEmpty || chunkRows != 65_536 || failOnBadRow }

    /// The options; without --key, the pipeline's dataset keys (none for a model line).
    func options(pipeline: Pipeline?) async throws -> BatchOptions {
        var options = BatchOptions(passThrough: passThrough, chunkRows: chunkRows, badRows: failOnBadRow ? .fail : .reject)
        if keys.isEmpty, let pipeline {
            options.keys = try await pipeline.configuration().configuration.dataset.keys
        } else {
            options.keys = keys
        }
        for mapping in mappings {
            let parts = mapping.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
            options.columnMapping[parts[0]] = parts[1]
        }
        return options
    }
}

/// What `--store` names: an SQLite file (a path, or `sqlite:PATH`) or a PostgreSQL database
/// (`postgres://…` or `postgresql://…`).
enum StoreLocation: Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    init(_ text: String) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else if lowered.hasPrefix("sqlite://") {
            self = .sqlite(path: String(text.dropFirst("sqlite://".count)))
        } else if lowered.hasPrefix("sqlite:") {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else {
            self = .sqlite(path: text)
        }
    }

    /// Whether the store may hold pipelines already (an SQLite file that exists; a server,
    /// always): commands that only look something up open it only then.
    var mayHoldData: Bool {
        switch self {
        case .sqlite(let path): return FileManager.default.fileExists(atPath: path)
        case .postgres: return true
        }
    }
}
