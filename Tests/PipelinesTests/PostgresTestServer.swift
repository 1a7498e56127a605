import Foundation
import Pipelines
import PipelinesPostgres
import Testing

/// The PostgreSQL server the tests use: `MLPIPE_TEST_POSTGRES_URL` names it (Scripts/test.sh
/// starts a throwaway one and sets it). Without it the PostgreSQL tests are skipped — unless
/// `MLPIPE_TEST_POSTGRES_REQUIRED` is set, when they fail instead (CI must not skip them).
enum PostgresTestServer {
    static let url = ProcessInfo.processInfo.environment["MLPIPE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let required = ProcessInfo.processInfo.environment["MLPIPE_TEST_POSTGRES_REQUIRED"].map { !$0.isEmpty && $0 != "0" } ?? false

    /// Whether the PostgreSQL tests run: a server is named, or one is required (then a
    /// missing one fails them).
    static var available: Bool { url != nil || required }

    /// Why they are skipped, for the test report.
    static let skipReason: Comment = "no PostgreSQL server: set MLPIPE_TEST_POSTGRES_URL (Scripts/postgres.sh shell swift test …)"

    /// The URL of a store made by ``freshStore(clock:pool:)`` (its schema, no TLS), for
    /// another process to open the same store.
    static func url(of store: PostgresStore) -> String? {
        guard let url, let schema = store.configuration.schema else { return nil }
        return url + (url.contains("?") ? "&" : "?") + "schema=\(schema)&sslmode=disable"
    }

    /// A store in a fresh, empty schema of the test server (each call its own namespace).
    static func freshStore(clock: any WallClock = SystemWallClock(), pool: Int = 4) async throws -> PostgresStore {
        guard let url else {
            throw StoreError.backend("MLPIPE_TEST_POSTGRES_REQUIRED is set but MLPIPE_TEST_POSTGRES_URL names no server")
        }
        var configuration = try PostgresStoreConfiguration(url: url)
        configuration.schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        configuration.tls = .disable
        configuration.maximumConnections = pool
        return try await PostgresStore(configuration: configuration, clock: clock)
    }
}
