import Estimators
import Foundation
@testable import Pipelines
import Tabular
import Testing

/// Shared fixtures of the pipeline tests.
enum Fixtures {
    /// The folder of the test fixtures.
    static var directory: URL {
        get throws {
            guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
                throw FixtureError.missing("Fixtures")
            }
            return url
        }
    }

    /// The tutorial's dataset: 569 rows, `id`, 30 features, `diagnosis` (malignant/benign).
    static let tutorialCSV = "breast_cancer_diagnosis.csv"

    /// 2026-01-01T00:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_767_225_600)

    /// A workspace on an in-memory store and a manual clock, resolving paths in the fixtures.
    static func workspace(clock: ManualWallClock = ManualWallClock(now: start), estimators: EstimatorCatalog = .standard) throws -> Workspace {
        try workspaceAndStore(clock: clock, estimators: estimators).workspace
    }

    /// ``workspace(clock:estimators:)`` and the store it was given, for tests that check
    /// what was stored (the workspace does not expose its store).
    static func workspaceAndStore(
        clock: ManualWallClock = ManualWallClock(now: start), estimators: EstimatorCatalog = .standard
    ) throws -> (workspace: Workspace, store: InMemoryStore) {
        let store = InMemoryStore(clock: clock)
        return (Workspace(store: store, estimators: estimators, clock: clock, baseDirectory: try directory), store)
    }

    /// A small regression table: y = 2·x + 1 exactly, with a key.
    static func smallRegressionTable(rows: Int = 40) throws -> Table {
        let x = (0..<rows).map { Double($0) }
        return try Table([
            Column(name: "id", integer: (0..<rows).map { $0 }),
            Column(name: "x", numeric: x),
            Column(name: "y", numeric: x.map { 2 * $0 + 1 }),
        ])
    }

    /// A regression table no straight line fits: y = x ± 10, the sign alternating row by
    /// row, so any linear model is about 10 off on every row.
    static func zigzagRegressionTable(rows: Int = 40) throws -> Table {
        let x = (0..<rows).map { Double($0) }
        return try Table([
            Column(name: "id", integer: (0..<rows).map { $0 }),
            Column(name: "x", numeric: x),
            Column(name: "y", numeric: x.map { $0 + (Int($0) % 2 == 0 ? 10 : -10) }),
        ])
    }
}

enum FixtureError: Error {
    case missing(String)
}

/// Collects a run's events.
func collect(_ run: PipelineRun) async -> [RunEvent] {
    var events: [RunEvent] = []
    for await event in run.events { events.append(event) }
    return events
}

/// The value `body` returns, or nil when it takes longer than `seconds` (then `body` is
/// cancelled): a test waiting on a stream fails with a message instead of hanging.
func withDeadline<T: Sendable>(seconds: Int, _ body: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await body() }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))  // cancelled when body finishes first
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

/// Expects `body` to throw a ``PipelineError`` that `matches` accepts (for cases whose
/// payload holds a free-text reason: match the case and the parts that matter).
func expectPipelineError(
    _ body: () async throws -> Void, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    matches: (PipelineError) -> Bool
) async {
    let context: String = comment.map { ": \($0.rawValue)" } ?? ""
    do {
        try await body()
        Issue.record("expected a PipelineError, nothing was thrown\(context)", sourceLocation: sourceLocation)
    } catch let error as PipelineError {
        if !matches(error) { Issue.record("unexpected PipelineError \(error)\(context)", sourceLocation: sourceLocation) }
    } catch {
        Issue.record("expected a PipelineError, got \(error)\(context)", sourceLocation: sourceLocation)
    }
}

/// Expects `body` to be refused with ``PipelineError/notDeployable(model:reason:)`` for `model`.
func expectNotDeployable(
    _ model: ModelID, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    await expectPipelineError(body, comment, sourceLocation: sourceLocation) { error in
        if case .notDeployable(model, _) = error { return true }
        return false
    }
}

/// What tests that drive a store directly need of the core.
enum StoreFixtures {
    /// The core's orphaning rule, for tests that call
    /// ``PipelineStore/deletePipeline(_:orphaning:)`` themselves.
    static let orphan: ModelOrphaning = ModelRules.orphan
}
