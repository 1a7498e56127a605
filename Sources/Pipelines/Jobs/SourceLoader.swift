import Foundation
import Tabular

/// Reads a ``DataSource`` into a table.
enum SourceLoader {
    /// The source's rows; a relative CSV path is resolved against `baseDirectory`, and read
    /// with `options` (the pipeline's missing-value tokens and infinity rule).
    ///
    /// With the datasets' `schema` (fixed by their first generation), a CSV source is read
    /// with its columns' types as overrides, so a cell that is not of its column's type is
    /// an error naming file, line, column, value and type (instead of the column being
    /// inferred as another type). An integer column may hold numbers (it widens).
    ///
    /// - Throws: ``PipelineError/data(_:)`` with the CSV error (file, line, column).
    static func load(_ source: DataSource, baseDirectory: URL, options: CSVOptions, schema: Schema? = nil) throws(PipelineError) -> Table {
        switch source {
        case .table(let table):
            return table
        case .csv(let path):
            let url = url(of: path, baseDirectory: baseDirectory)
            do throws(TabularError) {
                guard let schema else { return try CSV.read(contentsOf: url, options: options) }
                var typed = options
                // Integer columns are inferred (they may widen to numeric) unless they read as
                // something else: then read again with them numeric, for the cell's place.
                for field in schema.columns where field.type != .integer { typed.schema[field.name] = field.type }
                let table = try CSV.read(contentsOf: url, options: typed)
                let strayed = schema.columns.filter { field in
                    field.type == .integer && table[field.name].map { $0.type != .integer && $0.type != .numeric } == true
                }
                guard !strayed.isEmpty else { return table }
                for field in strayed { typed.schema[field.name] = .numeric }
                do throws(TabularError) {
                    _ = try CSV.read(contentsOf: url, options: typed)
                } catch {
                    // The column's type is integer: say so (a value that is not a number is not an integer).
                    guard case .csv(var located) = error, case let .invalidValue(value, column, .numeric) = located.kind else { throw error }
                    located.kind = .invalidValue(value: value, columnName: column, expected: .integer)
                    throw .csv(located)
                }
                return table
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
