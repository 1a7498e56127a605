import Foundation
import Logging
import Pipelines
import PostgresNIO

/// Small readers over a connection, shared by every part of the store.
extension PostgresConnection {
    /// Runs a statement and reads its rows away.
    func run(_ query: PostgresQuery, _ logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }

    /// How many rows a statement returned (use `RETURNING 1` to count changed rows).
    func count(_ query: PostgresQuery, _ logger: Logger) async throws -> Int {
        var count = 0
        for try await _ in try await self.query(query, logger: logger) { count += 1 }
        return count
    }

    /// The first column of every row, as `T`.
    func values<T: PostgresDecodable & Sendable>(_ type: T.Type, _ query: PostgresQuery, _ logger: Logger) async throws -> [T] {
        var values: [T] = []
        for try await value in try await self.query(query, logger: logger).decode(T.self) { values.append(value) }
        return values
    }

    /// The first column of the first row, as `T`, if there is a row.
    func value<T: PostgresDecodable & Sendable>(_ type: T.Type, _ query: PostgresQuery, _ logger: Logger) async throws -> T? {
        for try await value in try await self.query(query, logger: logger).decode(T.self) { return value }
        return nil
    }

    /// Records kept as JSON in the first column of every row, in order.
    func records<T: Decodable>(_ type: T.Type, _ query: PostgresQuery, _ logger: Logger, _ what: String) async throws -> [T] {
        try await values(String.self, query, logger).map { try StoredRecordCoding.decode(type, from: $0, what) }
    }

    /// The record kept as JSON in the first column of the first row, if any.
    func record<T: Decodable>(_ type: T.Type, _ query: PostgresQuery, _ logger: Logger, _ what: @autoclosure () -> String) async throws -> T? {
        guard let text = try await value(String.self, query, logger) else { return nil }
        return try StoredRecordCoding.decode(type, from: text, what())
    }

    /// Whether the query returns a row.
    func exists(_ query: PostgresQuery, _ logger: Logger) async throws -> Bool {
        for try await _ in try await self.query(query, logger: logger) { return true }
        return false
    }
}

extension Date {
    /// Seconds since 2001, as the tables keep dates (exact).
    var stored: Double { timeIntervalSinceReferenceDate }

    /// A date from its stored seconds since 2001.
    init(stored seconds: Double) { self.init(timeIntervalSinceReferenceDate: seconds) }
}

/// How large values are split: 1 MiB chunks, each its own row, so no statement carries the
/// whole of a large artifact or dataset part.
enum Chunks {
    static let size = 1 << 20

    /// The ranges of `count` bytes, chunk by chunk (one empty range for an empty value).
    static func ranges(_ count: Int) -> [Range<Int>] {
        guard count > 0 else { return [0..<0] }
        return stride(from: 0, to: count, by: size).map { $0..<Swift.min($0 + size, count) }
    }
}
