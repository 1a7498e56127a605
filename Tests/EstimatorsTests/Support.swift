import Foundation
import LinearAlgebra
import Tabular
import Testing
@testable import Estimators

/// The URL of a file in `Fixtures/`.
func fixtureURL(_ name: String, subdirectory: String? = nil) throws -> URL {
    let folder = subdirectory.map { "Fixtures/\($0)" } ?? "Fixtures"
    let base = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
    return try #require(Bundle.module.url(forResource: base, withExtension: ext, subdirectory: folder), "missing fixture \(folder)/\(name)")
}

/// Decodes a JSON fixture.
func loadFixture<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
    try JSONDecoder().decode(type, from: Data(contentsOf: try fixtureURL(name)))
}

/// A real data set from `Fixtures/datasets/` as a feature matrix and its target column.
func loadDataset(_ name: String) throws -> (x: Matrix, y: [Double], features: [String]) {
    let table = try CSV.read(contentsOf: try fixtureURL("\(name).csv", subdirectory: "datasets"))
    let names = table.columnNames
    let features = Array(names.dropLast())
    let x = try table.matrix(columns: features)
    let y = try table.matrix(columns: [names[names.count - 1]]).elements
    return (x, y, features)
}

/// The rows of `x` at `indices`.
func rows(_ x: Matrix, _ indices: [Int]) throws -> Matrix {
    try x.selectingRows(indices)
}

/// Largest relative difference `|a − b| / max(1, |b|)`.
func maxRelativeDifference(_ a: [Double], _ b: [Double]) -> Double {
    #expect(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1) / max(1, abs($1.1))) }
}

/// The `EstimatorError` thrown by `body`, or `nil` (recording an issue).
func estimatorError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> EstimatorError? {
    do {
        try body()
        Issue.record("expected an EstimatorError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as EstimatorError {
        return error
    } catch {
        Issue.record("expected an EstimatorError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// A seeded matrix with standard-normal entries.
func randomMatrix(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
    var random = RandomSource(seed: seed)
    return Matrix(rows: rows, columns: columns) { _, _ in random.normal() }
}

/// A hyper-parameter as the reference scripts write it: a JSON bool, number or string, or
/// null for Python's None.
struct ReferenceParameter: Decodable, Sendable {
    let value: HyperParameterValue

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = .none
        } else if let flag = try? container.decode(Bool.self) {
            value = .bool(flag)
        } else if let integer = try? container.decode(Int.self) {
            value = .int(integer)
        } else if let real = try? container.decode(Double.self) {
            value = .double(real)
        } else {
            value = .string(try container.decode(String.self))
        }
    }
}

/// Runs `body` on a thread of its own and waits for it without blocking the cooperative
/// pool: a test that fits for seconds on a pool thread — or on a Dispatch global queue, whose
/// workers the pool shares on Linux — starves the timers of the suites running beside it
/// (on 2 cores the pool has 2 threads). Expectations stay in the caller.
///
/// - Throws: what `body` throws.
func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
