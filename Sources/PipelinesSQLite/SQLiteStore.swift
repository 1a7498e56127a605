public import Foundation
import GRDB
public import Pipelines

/// A ``Pipelines/PipelineStorage`` in one SQLite file: the embedded, durable backend.
///
/// Every protocol method is one SQLite transaction, so a crash at any instant leaves the
/// file consistent: a model is stored with its artifact or not at all, a dataset snapshot
/// completely or not at all, and no deployment ever names a missing model. Mutations are
/// `IMMEDIATE` write transactions that read, check and write inside the same transaction
/// (the deployment and dataset compare-and-swaps, leases and firing claims included), so
/// they stay correct when several processes share the file; reads run concurrently on
/// snapshot-isolated connections.
///
/// The file uses WAL journaling with `synchronous = NORMAL` (a committed transaction
/// survives a crash of the process; an operating-system crash or power loss may lose the
/// last commits, never consistency) and a busy timeout of ``busyTimeout`` seconds, so
/// writers of other processes wait for each other instead of failing.
///
/// Dataset parts of 64 KiB and more (a pipeline's training and testing rows) are kept as
/// files in a `-parts` folder beside the database, written and flushed before the row that
/// refers to them commits and memory-mapped when read: a job loads 80 MB of training rows
/// in tens of milliseconds instead of pushing them through SQLite's pages twice. The store
/// is the database file with its `-wal`, `-shm` and `-parts` companions: copy them together.
///
/// ```swift
/// let store = try SQLiteStore(path: "/var/lib/ml/pipelines.sqlite")
/// let workspace = Workspace(store: store)
/// ```
///
/// Close the store by releasing it (the last reference closes the file).
public final class SQLiteStore: PipelineStorage {
    /// How long, in seconds, a write waits for another connection's write lock (another
    /// process, or another store on the same file) before failing with
    /// ``Pipelines/StoreError/backend(_:)``.
    public static let busyTimeout: TimeInterval = 5

    /// The database file's path.
    public let path: String
    /// The connections: one writer, several readers.
    let pool: DatabasePool
    /// Large dataset parts, as files beside the database.
    let partFiles: DatasetPartFiles
    /// Stamps deployment records.
    let clock: any WallClock

    /// Opens the store in the SQLite file at `path`, creating the file (and its
    /// directory) when missing and bringing its schema up to date.
    ///
    /// Several stores, in one process or several, may open the same file.
    ///
    /// ```swift
    /// let store = try SQLiteStore(path: "/var/lib/ml/pipelines.sqlite")
    /// let test = try SQLiteStore(path: temporaryPath, clock: ManualWallClock(now: .now))
    /// ```
    ///
    /// - Parameters:
    ///   - path: The database file. Its companions `-wal`, `-shm` and the `-parts` folder
    ///     (large dataset parts) live beside it.
    ///   - clock: Stamps deployment records (``Pipelines/DeploymentRecord/deployedAt``).
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the directory cannot be created,
    ///   the file cannot be opened as an SQLite database, its migration fails, or it was
    ///   written by a newer version of this module.
    public init(path: String, clock: any WallClock = SystemWallClock()) throws {
        self.path = path
        self.clock = clock
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.backend("creating the directory \(directory.path) of \(path): \(error)")
        }
        var configuration = Configuration()
        configuration.label = "PipelinesSQLite"
        configuration.foreignKeysEnabled = true  // PRAGMA foreign_keys = ON on every connection
        configuration.busyMode = .timeout(Self.busyTimeout)
        pool = try Self.open(path, configuration)
        partFiles = DatasetPartFiles(databasePath: path)
        try Schema.migrate(pool, path: path)
        // Part files left by a process killed between writing them and committing, or
        // between a commit and removing the files it replaced.
        do {
            partFiles.sweep(keeping: try pool.read(Self.referencedPartFiles))
        } catch {
            throw StoreError.backend("reading the dataset part files referenced by \(path): \(error)")
        }
    }

    /// Opens the pool. Processes opening a new file at the same moment race to switch it
    /// to WAL, which SQLite answers with `SQLITE_BUSY` without waiting: the loser tries
    /// again, every 50 ms for up to ``busyTimeout``.
    private static func open(_ path: String, _ configuration: Configuration) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            } catch {
                throw StoreError.backend("opening \(path) as an SQLite database: \(error)")
            }
        }
    }

    /// The schema migrations applied to the file, oldest first (`["v1", "v2", "v3", "v4", "v5"]` for this
    /// version).
    ///
    /// ```swift
    /// let store = try SQLiteStore(path: path)
    /// print(try store.appliedMigrations())   // ["v1", "v2", "v3", "v4", "v5"]
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file cannot be read.
    public func appliedMigrations() throws -> [String] {
        do {
            return try pool.read { db in try Schema.migrator.appliedMigrations(db) }
        } catch {
            throw backendError(error, "reading the applied migrations")
        }
    }

    // MARK: Transactions

    /// Runs `body` in one write transaction (`BEGIN IMMEDIATE`), committed when it
    /// returns and rolled back when it throws. Store errors pass through; others become
    /// ``Pipelines/StoreError/backend(_:)`` naming `what`.
    func write<T: Sendable>(_ what: @autoclosure () -> String,
                            _ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw backendError(error, what())
        }
    }

    /// Runs `body` in one read transaction on a snapshot of the last commit.
    func read<T: Sendable>(_ what: @autoclosure () -> String,
                           _ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw backendError(error, what())
        }
    }

    /// `error` unchanged when it is a ``Pipelines/StoreError`` or a cancellation, else a
    /// ``Pipelines/StoreError/backend(_:)`` saying what failed where.
    func backendError(_ error: any Error, _ what: String) -> any Error {
        if error is StoreError || error is CancellationError { return error }
        return StoreError.backend("\(what) in \(path): \(error)")
    }
}

// MARK: - Lookups shared by several stores

extension SQLiteStore {
    /// Whether a row of `table` has this `id`.
    static func exists(_ db: Database, _ table: String, id: String, column: String = "id") throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table) WHERE \(column) = ?)", arguments: [id]) ?? false
    }

    /// Throws `notFound` unless the pipeline exists.
    static func requirePipeline(_ db: Database, _ id: PipelineID) throws {
        guard try exists(db, "pipelines", id: id.rawValue) else {
            throw StoreError.notFound(kind: "pipeline", id: id.rawValue)
        }
    }

    /// The pipeline with this identifier, if any.
    static func fetchPipeline(_ db: Database, _ id: PipelineID) throws -> PipelineRecord? {
        try RecordCoding.decodeOne(PipelineRecord.self, db, sql: "SELECT record FROM pipelines WHERE id = ?",
                                   arguments: [id.rawValue], "pipeline \(id)")
    }

    /// The model currently deployed in `scope` (nil when none, or never deployed).
    static func currentModel(_ db: Database, in scope: DeploymentScope) throws -> ModelID? {
        let key = ScopeKey(scope)
        return try String.fetchOne(
            db, sql: "SELECT model_id FROM deployment_current WHERE scope_kind = ? AND scope_id = ?",
            arguments: [key.kind, key.id]
        ).map(ModelID.init)
    }

    /// Whether the model is deployed now in any scope.
    static func isDeployed(_ db: Database, _ id: ModelID) throws -> Bool {
        try exists(db, "deployment_current", id: id.rawValue, column: "model_id")
    }
}
