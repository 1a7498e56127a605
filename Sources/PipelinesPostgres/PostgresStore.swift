import Foundation
public import Logging
public import Pipelines
import PostgresNIO

/// A ``Pipelines/PipelineStorage`` on a PostgreSQL server: the shared backend, for several
/// processes on several hosts using one set of pipelines and models.
///
/// Every protocol method is one transaction. Changes run at `SERIALIZABLE` isolation, so
/// the server itself keeps concurrent writers from interleaving: a transaction it cannot
/// serialize is rolled back and tried again, up to
/// ``PostgresStoreConfiguration/maximumAttempts`` times. The rules that must never break
/// are the database's too: one current deployment per scope (a primary key) naming an
/// existing model (a foreign key), a deployment history that triggers keep append-only,
/// unique names and versions. Model artifacts and dataset parts are stored in chunks of
/// 1 MiB, so no statement carries the whole of a large one.
///
/// ```swift
/// let store = try await PostgresStore(url: "postgres://ml@db.internal/registry")
/// let workspace = Workspace(store: store)
/// // …
/// await store.close()
/// ```
///
/// The store opens its connections lazily (at most
/// ``PostgresStoreConfiguration/maximumConnections``) and keeps them until ``close()``.
public final class PostgresStore: PipelineStorage {
    /// Where it connects (``PostgresStoreConfiguration/description`` never shows the password).
    public let configuration: PostgresStoreConfiguration
    let client: PostgresClient
    let clock: any WallClock
    let logger: Logger
    private let running: Task<Void, Never>

    /// Connects to the server and brings the database's schema up to date (processes
    /// starting at once take turns: the migration holds an advisory lock).
    ///
    /// - Parameters:
    ///   - configuration: The server, credentials, TLS and pool.
    ///   - clock: Stamps deployment records and times leases and claims (every host sharing
    ///     the database should keep its clock in sync).
    ///   - logger: The client's messages (`debug` and below are quiet by default).
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server cannot be reached,
    ///   refuses the login, or the schema was written by a newer version of this module.
    public init(
        configuration: PostgresStoreConfiguration, clock: any WallClock = SystemWallClock(),
        logger: Logger = Logger(label: "PipelinesPostgres")
    ) async throws {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        let client = PostgresClient(configuration: configuration.clientConfiguration(), backgroundLogger: logger)
        self.client = client
        // The client warns when leased from before `run()` began: wait until its task starts
        // (it calls `run()` with no suspension point after saying so).
        let (started, starting) = AsyncStream<Void>.makeStream()
        running = Task {
            starting.finish()
            await client.run()
        }
        for await _ in started {}
        do {
            try await PostgresSchema.migrate(self)
        } catch {
            running.cancel()
            throw error
        }
    }

    /// Connects to the server a `postgres://` URL names (see
    /// ``PostgresStoreConfiguration/init(url:environment:)``).
    ///
    /// - Throws: As ``init(configuration:clock:logger:)``, and for a URL it cannot read.
    public convenience init(url: String, clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "PipelinesPostgres")) async throws {
        try await self.init(configuration: try PostgresStoreConfiguration(url: url), clock: clock, logger: logger)
    }

    deinit { running.cancel() }

    /// Closes the connections. The store must not be used afterwards.
    public func close() async {
        running.cancel()
        await running.value
    }

    // MARK: Transactions

    /// Runs `body` in one `SERIALIZABLE` transaction (or `READ COMMITTED` when
    /// `rowLocked`: for a body that first locks what it changes, by `FOR UPDATE` or a
    /// transaction advisory lock), committed
    /// when it returns and rolled back when it throws; tried again (a fresh transaction)
    /// when the server could not serialize it or found a deadlock, up to
    /// ``PostgresStoreConfiguration/maximumAttempts`` times. Store errors pass through;
    /// others become ``Pipelines/StoreError/backend(_:)`` naming `what`.
    func write<T: Sendable>(
        _ what: @autoclosure () -> String, rowLocked: Bool = false, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let begin: PostgresQuery = rowLocked ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN ISOLATION LEVEL SERIALIZABLE"
        var attempt = 1
        while true {
            do {
                return try await client.withConnection { connection in
                    try await connection.query(begin, logger: logger)
                    do {
                        let result = try await body(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return result
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)  // the first error is the one thrown
                        throw error
                    }
                }
            } catch let error as PSQLError where Self.isRetryable(error) && attempt < configuration.maximumAttempts {
                attempt += 1
                // Exponential backoff with jitter (at most ~100 ms), so racing transactions spread out.
                try await Task.sleep(for: .microseconds(Int64.random(in: 0...(Int64(1) << min(attempt + 8, 17)))))
            } catch {
                throw backendError(error, what())
            }
        }
    }

    /// Runs `body` on one consistent snapshot (`REPEATABLE READ READ ONLY`).
    func read<T: Sendable>(_ what: @autoclosure () -> String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                do {
                    let result = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)  // the first error is the one thrown
                    throw error
                }
            }
        } catch {
            throw backendError(error, what())
        }
    }

    /// Runs `body`, which sends ONE statement, without `BEGIN` and `COMMIT`: a single
    /// statement reads one consistent snapshot by itself, so this answers as ``read(_:_:)``
    /// in one round trip to the server instead of three. For a read of several statements,
    /// use ``read(_:_:)``.
    func readStatement<T: Sendable>(_ what: @autoclosure () -> String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw backendError(error, what())
        }
    }

    /// Serialization failure (40001), deadlock (40P01), or a unique key inserted by a
    /// concurrent transaction after this one checked it was free (23505: every method checks
    /// its keys before inserting, so tried again it finds the other's row and answers as for
    /// any taken key): the transaction may simply be tried again.
    static func isRetryable(_ error: PSQLError) -> Bool {
        let state = error.serverInfo?[.sqlState]
        return state == "40001" || state == "40P01" || state == "23505"
    }

    /// `error` unchanged when it is a ``Pipelines/StoreError`` or a cancellation, else a
    /// ``Pipelines/StoreError/backend(_:)`` saying what failed where (the server's message
    /// and SQLSTATE; never the password).
    func backendError(_ error: any Error, _ what: String) -> any Error {
        if error is StoreError || error is CancellationError { return error }
        if let error = error as? PSQLError {
            if let info = error.serverInfo {
                let detail = info[.detail].map { " (\($0))" } ?? ""
                return StoreError.backend("\(what) on \(configuration): \(info[.message] ?? "error") [SQLSTATE \(info[.sqlState] ?? "?")]\(detail)")
            }
            return StoreError.backend("\(what) on \(configuration): \(error.code)")
        }
        return StoreError.backend("\(what) on \(configuration): \(error)")
    }
}
