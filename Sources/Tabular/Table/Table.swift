/// A table of named, typed columns of equal length, stored column by column.
///
/// ```swift
/// var table = try Table([
///     Column(name: "station_id", integer: [40380, 40390]),
///     Column(name: "temperature", numeric: [21.5, nil]),
/// ])
/// let warm = table.filter { row in (row["temperature"].doubleValue ?? 0) > 20 }
/// let x = try table.matrix(columns: ["temperature"])   // throws: row 1 is missing
/// ```
public struct Table: Sendable, Hashable {
    /// The columns, in order.
    public private(set) var columns: [Column]
    /// The number of rows.
    public private(set) var rowCount: Int
    private var positions: [String: Int]

    /// Creates a table from columns of equal length with distinct names.
    ///
    /// - Throws: ``TabularError/duplicateColumn(_:)`` or
    ///   ``TabularError/lengthMismatch(column:expected:actual:)``.
    public init(_ columns: [Column]) throws(TabularError) {
        var positions: [String: Int] = [:]
        for (index, column) in columns.enumerated() {
            guard positions.updateValue(index, forKey: column.name) == nil else {
                throw .duplicateColumn(column.name)
            }
            if column.count != columns[0].count {
                throw .lengthMismatch(column: column.name, expected: columns[0].count, actual: column.count)
            }
        }
        self.columns = columns
        self.rowCount = columns.first?.count ?? 0
        self.positions = positions
    }

    /// An empty table with the given schema.
    public init(schema: Schema) {
        let columns = schema.columns.map { Column(name: $0.name, type: $0.type) }
        self.columns = columns
        self.rowCount = 0
        self.positions = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1.name, $0) })
    }

    /// The column names, in order.
    public var columnNames: [String] { columns.map(\.name) }

    /// The names and types of the columns.
    public var schema: Schema { Schema(columns.map { Schema.Field(name: $0.name, type: $0.type) }) }

    /// The column called `name`, if any.
    public subscript(name: String) -> Column? {
        positions[name].map { columns[$0] }
    }

    /// The column called `name`.
    ///
    /// - Throws: ``TabularError/unknownColumn(_:available:)``.
    public func column(named name: String) throws(TabularError) -> Column {
        guard let index = positions[name] else { throw .unknownColumn(name, available: columnNames) }
        return columns[index]
    }

    /// A table of the named columns, in the order given. Column data is shared, not copied.
    ///
    /// - Throws: ``TabularError/unknownColumn(_:available:)`` or
    ///   ``TabularError/duplicateColumn(_:)``.
    public func selecting(columns names: [String]) throws(TabularError) -> Table {
        var selected: [Column] = []
        for name in names { selected.append(try column(named: name)) }
        return try Table(selected)
    }

    /// The rows at `indices`, in that order, as a new table.
    ///
    /// - Throws: ``TabularError/invalidArgument(_:)`` naming the first index out of range.
    /// - Complexity: O(indices.count × columns), column by column.
    public func rows(at indices: [Int]) throws(TabularError) -> Table {
        if let bad = indices.firstIndex(where: { $0 < 0 || $0 >= rowCount }) {
            throw .invalidArgument("row index \(indices[bad]) at position \(bad) is outside 0..<\(rowCount)")
        }
        var result = self
        result.columns = columns.map { $0.selecting(indices) }
        result.rowCount = indices.count
        return result
    }

    /// The rows for which `isIncluded` returns `true`.
    ///
    /// - Complexity: O(rows × columns).
    public func filter(_ isIncluded: (Row) throws -> Bool) rethrows -> Table {
        var kept: [Int] = []
        for index in 0..<rowCount where try isIncluded(Row(table: self, index: index)) {
            kept.append(index)
        }
        var result = self
        result.columns = columns.map { $0.selecting(kept) }
        result.rowCount = kept.count
        return result
    }

    /// The row at `index`.
    public func row(_ index: Int) -> Row {
        precondition(index >= 0 && index < rowCount, "Table row out of range")
        return Row(table: self, index: index)
    }

    /// Appends the rows of `other`, which must have the same column names in the same order
    /// and the same types (integer rows appended to a numeric column are widened).
    ///
    /// - Throws: ``TabularError/schemaMismatch(details:)`` or
    ///   ``TabularError/typeMismatch(column:expected:actual:)``; the table is unchanged then.
    public mutating func append(_ other: Table) throws(TabularError) {
        guard other.columnNames == columnNames else {
            throw .schemaMismatch(details: "columns \(other.columnNames) cannot be appended to \(columnNames)")
        }
        var updated = columns
        for index in updated.indices {
            try updated[index].append(contentsOf: other.columns[index])
        }
        columns = updated
        rowCount += other.rowCount
    }

    /// Replaces or adds a column of this table's length.
    ///
    /// - Throws: ``TabularError/lengthMismatch(column:expected:actual:)``.
    public mutating func setColumn(_ column: Column) throws(TabularError) {
        guard columns.isEmpty || column.count == rowCount else {
            throw .lengthMismatch(column: column.name, expected: rowCount, actual: column.count)
        }
        if let index = positions[column.name] {
            columns[index] = column
        } else {
            positions[column.name] = columns.count
            columns.append(column)
        }
        rowCount = column.count
    }

    /// A view of one row.
    public struct Row: Sendable {
        let table: Table
        /// The row's index in its table.
        public let index: Int

        /// The value in column `name`; ``Value/missing`` when there is no such column.
        public subscript(name: String) -> Value {
            table[name]?[index] ?? .missing
        }

        /// The values in column order.
        public var values: [Value] { table.columns.map { $0[index] } }
    }
}

/// The names and types of a table's columns, in order.
public struct Schema: Sendable, Hashable, Codable {
    /// One column's name and type.
    public struct Field: Sendable, Hashable, Codable {
        public var name: String
        public var type: ColumnType
        public init(name: String, type: ColumnType) {
            self.name = name
            self.type = type
        }
    }

    /// The fields in column order.
    public var columns: [Field]

    public init(_ columns: [Field]) { self.columns = columns }

    /// The type of column `name`, if present.
    public subscript(name: String) -> ColumnType? {
        columns.first { $0.name == name }?.type
    }
}
