import Foundation
import Tabular

/// Reads a ``DataSource`` into a table.
enum SourceLoader {
    /// The source's rows; a relative CSV path is resolved against `baseDirectory`, and read
    /// with `options` (the pipeline's missing-value tokens and infinity rule).
    ///
    /// - Throws: ``PipelineError/data(_:)`` with the CSV error (file, line, column).
    static func load(_ source: DataSource, baseDirectory: URL, options: CSVOptions) throws(PipelineError) -> Table {
        switch source {
        case .table(let table):
            return table
        case .csv(let path):
            do {
                return try CSV.read(contentsOf: url(of: path, baseDirectory: baseDirectory), options: options)
            } catch {
                throw .data(error)
            }
        }
    }

    /// The file URL of a CSV path.
    static func url(of path: String, baseDirectory: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
    }
}

/// The dataset step's sources as read when a run's configuration was checked.
struct SourceTables: Sendable {
    /// The training (or only) source.
    var training: Table?
    /// The separate testing source.
    var testing: Table?
}
