import Foundation
import Tabular

/// Rows whose label is missing, refused or dropped before dataset generation, by the
/// pipeline's ``MissingValues/labels`` policy.
enum MissingLabels {
    /// `table` without the rows whose `label` is missing (``MissingValues/LabelPolicy/drop``),
    /// or an error naming them (``MissingValues/LabelPolicy/refuse``).
    ///
    /// - Returns: The rows to generate from, and how many were dropped.
    /// - Throws: ``PipelineError/missingLabelLines(file:label:lines:total:)`` naming the
    ///   first rows' lines of a CSV source (`options` and `baseDirectory` locate it), else
    ///   ``PipelineError/missingLabels(source:label:rows:total:)`` with 1-based data rows.
    /// - Complexity: O(rows); the CSV file is scanned again only on a refusal.
    static func apply(
        _ policy: MissingValues.LabelPolicy, to table: Table, label: String, source: DataSource,
        options: CSVOptions = CSVOptions(), baseDirectory: URL? = nil
    ) throws(PipelineError) -> (table: Table, dropped: Int) {
        let column: Column
        do { column = try table.column(named: label) } catch { throw .data(error) }
        let missing = (0..<column.count).filter { column.isMissing($0) }
        guard !missing.isEmpty else { return (table, 0) }
        switch policy {
        case .refuse:
            if case .csv(let path) = source, let baseDirectory {
                let url = SourceLoader.url(of: path, baseDirectory: baseDirectory)
                // Without the file's lines (it changed or vanished meanwhile), the data rows below.
                if let lines = try? CSV.recordLines(contentsOf: url, options: options), let last = missing.last, last < lines.count {
                    throw .missingLabelLines(file: url.path, label: label, lines: missing.prefix(10).map { lines[$0] }, total: missing.count)
                }
            }
            throw .missingLabels(source: source.description, label: label, rows: missing.prefix(10).map { $0 + 1 }, total: missing.count)
        case .drop:
            let held = Set(missing)
            do {
                return (try table.rows(at: (0..<table.rowCount).filter { !held.contains($0) }), missing.count)
            } catch {
                throw .data(error)
            }
        }
    }
}
