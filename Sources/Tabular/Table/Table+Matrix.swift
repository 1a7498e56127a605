public import LinearAlgebra

extension Table {
    /// The named numeric, integer or boolean columns as a row-major matrix (booleans as
    /// 0/1), filled in one pass.
    ///
    /// For categorical features, encoding and imputation use ``FeatureEncoder``.
    ///
    /// - Parameter names: The columns, in the order of the matrix's columns.
    /// - Throws: ``TabularError/unknownColumn(_:available:)``,
    ///   ``TabularError/notNumeric(feature:type:)`` for a categorical column, or
    ///   ``TabularError/missingValue(feature:row:)`` naming the first missing value.
    /// - Complexity: O(rows × columns), filled in cache-sized blocks of rows.
    public func matrix(columns names: [String]) throws(TabularError) -> Matrix {
        let selected = try names.map { (name) throws(TabularError) -> Column in try column(named: name) }
        var result = Matrix(rows: rowCount, columns: selected.count)
        let width = selected.count
        for column in selected {
            if column.type == .categorical { throw .notNumeric(feature: column.name, type: .categorical) }
            if let row = column.missing.missingIndices.first {
                throw .missingValue(feature: column.name, row: row)
            }
        }
        // Fill in blocks of rows so the strided writes stay in cache.
        let blockRows = 512
        result.withUnsafeMutableElements { out in
            for start in stride(from: 0, to: rowCount, by: blockRows) {
                let end = min(start + blockRows, rowCount)
                for (j, column) in selected.enumerated() {
                    switch column.values {
                    case .numeric(let v): for i in start..<end { out[i * width + j] = v[i] }
                    case .integer(let v): for i in start..<end { out[i * width + j] = Double(v[i]) }
                    case .boolean(let v): for i in start..<end { out[i * width + j] = v[i] ? 1 : 0 }
                    case .categorical: break
                    }
                }
            }
        }
        return result
    }
}
