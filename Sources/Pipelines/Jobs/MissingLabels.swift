import Tabular

/// Rows whose label is missing, refused or dropped before dataset generation, by the
/// pipeline's ``MissingValues/labels`` policy.
enum MissingLabels {
    /// `table` without the rows whose `label` is missing (``MissingValues/LabelPolicy/drop``),
    /// or an error naming them (``MissingValues/LabelPolicy/refuse``).
    ///
    /// - Returns: The rows to generate from, and how many were dropped.
    /// - Throws: ``PipelineError/missingLabels(source:label:rows:total:)`` naming the first
    ///   rows (1-based data rows of the source, after its header).
    /// - Complexity: O(rows).
    static func apply(
        _ policy: MissingValues.LabelPolicy, to table: Table, label: String, source: DataSource
    ) throws(PipelineError) -> (table: Table, dropped: Int) {
        let column: Column
        do { column = try table.column(named: label) } catch { throw .data(error) }
        let missing = (0..<column.count).filter { column.isMissing($0) }
        guard !missing.isEmpty else { return (table, 0) }
        switch policy {
        case .refuse:
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
