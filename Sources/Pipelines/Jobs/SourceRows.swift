import Foundation
import Tabular

/// Names rows the way a user can find them: a CSV source's rows by `file:line`, a stored
/// dataset's rows by their key values (or, without keys, their values).
enum SourceRows {
    /// Refuses a source whose rows miss a feature with the `error` policy, naming the first
    /// such row (by file and line for a CSV source, else by its key values or row number).
    /// Rows whose label is missing are left to ``MissingLabels`` (refused or dropped).
    ///
    /// - Throws: ``PipelineError/missingFeature(place:feature:)``.
    /// - Complexity: O(rows × features); the CSV file is scanned again only on an error.
    static func checkMissingFeatures(
        _ table: Table, source: DataSource, dataset: DatasetStep, baseDirectory: URL
    ) throws(PipelineError) {
        // An unresolvable selection is a configuration problem the validator reports itself.
        guard let selection = dataset.selection,
              let resolved = try? selection.resolve(against: table.schema) else { return }
        let missing = dataset.missing
        let skipped = Set(table[resolved.label]?.missing.missingIndices ?? [])
        var first: (row: Int, feature: String)?
        for feature in resolved.features where (missing.features[feature] ?? missing.default) == .error {
            guard let column = table[feature] else { continue }
            guard let row = column.missing.missingIndices.first(where: { !skipped.contains($0) }) else { continue }
            if first.map({ row < $0.row }) ?? true { first = (row, feature) }
        }
        guard let first else { return }
        throw .missingFeature(
            place: place(of: first.row, in: table, source: source, keys: resolved.keys, options: missing.csvOptions,
                         baseDirectory: baseDirectory),
            feature: first.feature)
    }

    /// `file:line` of a CSV source's data row (0-based), or the row's key values, or
    /// "row n" (1-based) of an in-memory table.
    static func place(
        of row: Int, in table: Table, source: DataSource, keys: [String], options: CSVOptions, baseDirectory: URL
    ) -> String {
        if case .csv(let path) = source {
            let url = SourceLoader.url(of: path, baseDirectory: baseDirectory)
            // Lines are a help to find the row: if the file cannot be scanned again (it changed
            // or vanished meanwhile), the error names the data row instead.
            if let lines = try? CSV.recordLines(contentsOf: url, options: options), row < lines.count {
                return "\(url.path):\(lines[row])"
            }
            return "\(url.path): data row \(row + 1)"
        }
        return keys.isEmpty ? "\(source), row \(row + 1)" : "\(source), row \(name(of: row, in: table, keys: keys))"
    }

    /// `(k1=v1, k2=v2)`: a row by its key columns, or (without keys) by its first values.
    static func name(of row: Int, in table: Table, keys: [String]) -> String {
        let columns = keys.isEmpty ? Array(table.columnNames.prefix(6)) : keys
        let values = columns.map { name -> String in
            guard let column = table[name], row < column.count else { return "\(name)=?" }
            return column.isMissing(row) ? "\(name)=<missing>" : "\(name)=\(column[row].description)"
        }
        let more = keys.isEmpty && table.columnNames.count > columns.count ? ", …" : ""
        return "(" + values.joined(separator: ", ") + more + ")"
    }

    /// `error` with its dataset row index replaced by the row's key values (or values):
    /// ``PipelineError/invalidRow(set:row:reason:)``; other errors as ``PipelineError/data(_:)``.
    static func located(_ error: TabularError, in table: some TrainingRowsSource, set: String, keys: [String]) -> PipelineError {
        let reason: String
        let row: Int
        switch error {
        case let .missingValue(feature, at):
            (row, reason) = (at, "feature '\(feature)' is missing (policy error); set dataset.missing to impute it")
        case let .unknownCategory(feature, category, at):
            (row, reason) = (at, "feature '\(feature)' has category '\(category)', unseen when the model was fitted")
        case let .invalidValue(feature, at, value, expected):
            let shown = value.doubleValue.map { $0.isNaN ? "NaN" : $0.isInfinite ? "an infinity" : "\(value)" } ?? "\(value)"
            (row, reason) = (at, "feature '\(feature)' is \(shown), not a finite \(expected.rawValue) value")
        case let .unknownClass(label, value, at):
            (row, reason) = (at, "label '\(label)' has value '\(value)', not among the fitted classes")
        default:
            return .data(error)
        }
        // The row alone, decoded (a stored part is read in place: nothing else is decoded).
        guard row >= 0, row < table.rowCount, let single = try? table.rows(at: [row]) else { return .data(error) }
        return .invalidRow(set: set, row: name(of: 0, in: single, keys: keys), reason: reason)
    }
}
