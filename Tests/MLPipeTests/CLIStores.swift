import Foundation
import Pipelines
import PipelinesPostgres
import PipelinesSQLite
import Testing

/// The store an `mlpipe` end-to-end test runs against: the default SQLite file in its
/// directory, or a fresh schema of the PostgreSQL test server (`MLPIPE_TEST_POSTGRES_URL`,
/// started by Scripts/test.sh; without it the PostgreSQL runs are skipped, unless
/// `MLPIPE_TEST_POSTGRES_REQUIRED` is set, when they fail).
enum CLIStore: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { self == .sqlite ? "SQLite" : "PostgreSQL" }

    static let postgresURL = ProcessInfo.processInfo.environment["MLPIPE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let postgresRequired = ProcessInfo.processInfo.environment["MLPIPE_TEST_POSTGRES_REQUIRED"].map { !$0.isEmpty && $0 != "0" } ?? false

    /// The stores whose runs happen here.
    static var available: [CLIStore] { postgresURL != nil || postgresRequired ? allCases : [.sqlite] }

    /// The `--store` arguments of one test (the same for every `mlpipe` call in it): none
    /// for SQLite; for PostgreSQL, the test server with a schema of its own.
    func arguments() throws -> [String] {
        guard self == .postgres else { return [] }
        guard let url = Self.postgresURL else {
            throw CLIStoreMissing()
        }
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return ["--store", url + (url.contains("?") ? "&" : "?") + "schema=\(schema)&sslmode=disable&pool=4"]
    }

    /// The store `arguments` (from ``arguments()``) name, opened in this process to read
    /// what the `mlpipe` processes left in it: the default SQLite file of `directory`, or
    /// the PostgreSQL URL.
    static func open(_ arguments: [String], in directory: URL) async throws -> any PipelineStorage {
        guard let index = arguments.firstIndex(of: "--store"), index + 1 < arguments.count else {
            return try SQLiteStore(path: directory.appendingPathComponent(".mlpipe/store.sqlite").path)
        }
        return try await PostgresStore(url: arguments[index + 1])
    }

    struct CLIStoreMissing: Error, CustomStringConvertible {
        var description: String { "MLPIPE_TEST_POSTGRES_REQUIRED is set but MLPIPE_TEST_POSTGRES_URL names no server" }
    }
}
