import Estimators
import Foundation
import Pipelines
import Tabular

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
        Workspace(store: InMemoryStore(clock: clock), estimators: estimators, clock: clock, baseDirectory: try directory)
    }

    /// A small regression table: y = 2·x + noise-free offset, with a key.
    static func smallRegressionTable(rows: Int = 40) -> Table {
        let x = (0..<rows).map { Double($0) }
        // Force-unwrap-free: columns of equal length always make a table.
        return (try? Table([
            Column(name: "id", integer: (0..<rows).map { $0 }),
            Column(name: "x", numeric: x),
            Column(name: "y", numeric: x.map { 2 * $0 + 1 }),
        ])) ?? Table(schema: Schema([]))
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
