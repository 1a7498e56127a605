// PostgreSQL suite (speed targets of the PostgreSQL store, on loopback): a deployment switch
// ≤ 5 ms p50, a page of 100 out of 100,000 models ≤ 20 ms, storing a 200,000 × 50 training
// set ≤ 1.5 s. The benchmarks are the shared store benchmarks (Sources/StoreBenchmarks),
// which PipelinesBenchmarks also runs on SQLite. Each benchmark works in a schema of its own
// (`bench_LABEL_RANDOM`, created by the store) and drops it in its teardown. After the
// listing setup's 100,000 inserts the schema's tables are vacuumed, as autovacuum would
// within a minute: the pages are measured on a registry in its steady state.
//
// The server comes from MLPIPE_BENCH_POSTGRES_URL (a `postgres://` URL as `PostgresStore`
// reads it; its `schema` option is replaced); without it the suite registers nothing. From
// Benchmarks/, with a throwaway server (Scripts/postgres.sh):
//   ../Scripts/postgres.sh start /tmp/mlpipe-bench-pg
//   MLPIPE_BENCH_POSTGRES_URL="$(../Scripts/postgres.sh url /tmp/mlpipe-bench-pg)?sslmode=disable" \
//     swift package --disable-sandbox benchmark --target PostgresBenchmarks
//   ../Scripts/postgres.sh stop /tmp/mlpipe-bench-pg
import Benchmark
import Foundation
import Pipelines
import PipelinesPostgres
import PostgresNIO  // also NIOSSL's TLS contexts and swift-log's Logger
import StoreBenchmarks

/// The environment variable naming the server.
let serverVariable = "MLPIPE_BENCH_POSTGRES_URL"

/// `url` with its `schema` option set to `schema` (the others kept).
func url(_ url: String, schema: String) throws -> String {
    guard var components = URLComponents(string: url) else { throw BenchmarkSetupFailure("\(serverVariable) is not a URL") }
    components.queryItems = (components.queryItems ?? []).filter { $0.name != "schema" } + [URLQueryItem(name: "schema", value: schema)]
    guard let text = components.string else { throw BenchmarkSetupFailure("\(serverVariable) cannot take a schema option") }
    return text
}

/// Runs `body` on a connection of its own to the server `configuration` names.
func withConnection(to configuration: PostgresStoreConfiguration, _ body: (PostgresConnection, Logger) async throws -> Void) async throws {
    let tls: PostgresConnection.Configuration.TLS
    switch configuration.tls {
    case .disable: tls = .disable
    case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
    case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
    }
    let connectionConfiguration: PostgresConnection.Configuration
    if let socket = configuration.unixSocketPath {
        var isFolder: ObjCBool = false
        let path = FileManager.default.fileExists(atPath: socket, isDirectory: &isFolder) && isFolder.boolValue
            ? URL(fileURLWithPath: socket).appendingPathComponent(".s.PGSQL.\(configuration.port)").path : socket
        connectionConfiguration = PostgresConnection.Configuration(
            unixSocketPath: path, username: configuration.username, password: configuration.password, database: configuration.database)
    } else {
        connectionConfiguration = PostgresConnection.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username, password: configuration.password,
            database: configuration.database, tls: tls)
    }
    let logger = Logger(label: "PostgresBenchmarks")
    let connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 1, logger: logger)
    do {
        try await body(connection, logger)
    } catch {
        try? await connection.close()
        throw error
    }
    try await connection.close()
}

/// `VACUUM (ANALYZE)` of every table in `schema`: what autovacuum does within a minute of a
/// large insert (the visibility map that lets index-only scans skip the table, and fresh
/// statistics for the planner).
func vacuum(_ schema: String, on configuration: PostgresStoreConfiguration) async throws {
    try await withConnection(to: configuration) { connection, logger in
        var tables: [String] = []
        for try await table in try await connection.query("SELECT tablename FROM pg_tables WHERE schemaname = \(schema)", logger: logger)
            .decode(String.self) { tables.append(table) }
        for table in tables {
            try await connection.query(PostgresQuery(unsafeSQL: "VACUUM (ANALYZE) \(schema).\"\(table)\""), logger: logger)
        }
    }
}

/// Drops `schema` and everything in it.
func dropSchema(_ schema: String, on configuration: PostgresStoreConfiguration) async throws {
    try await withConnection(to: configuration) { connection, logger in
        try await connection.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"), logger: logger)
    }
}

/// PostgreSQL stores for the shared store benchmarks: a fresh schema on the server `base`
/// names, dropped afterwards.
func postgres(_ base: String) -> BenchmarkStore {
    // Eight inserts at once, on the store's pool of ten connections (unless the URL says `pool=N`).
    BenchmarkStore(name: "PostgreSQL", insertConcurrency: 8) { label in
        let schema = "bench_\(label)_\(UInt32.random(in: .min ... .max))"
        let store = try await PostgresStore(url: try url(base, schema: schema))
        return BenchmarkStore.Opened(store: store, settle: { try await vacuum(schema, on: store.configuration) }) {
            await store.close()
            try await dropSchema(schema, on: store.configuration)
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    guard let base = ProcessInfo.processInfo.environment[serverVariable], !base.isEmpty else {
        FileHandle.standardError.write(Data("PostgresBenchmarks: \(serverVariable) is not set (a postgres:// URL), so no benchmark is registered\n".utf8))
        return
    }
    registerStoreBenchmarks(on: postgres(base))
}
