/// Maps a classifier's labels of any type (`0`/`1`, strings, booleans) to class indices
/// `0..<classes.count` and back, so predictions come out in the labels' original form.
///
/// Classes are sorted as scikit-learn sorts them: numbers ascending, strings by Unicode
/// code points, `false` before `true`.
///
/// ```swift
/// let encoder = try LabelEncoder.fit(table.column(named: "species"))
/// let y = try encoder.encode(table.column(named: "species"))   // [0, 2, 1, …]
/// let labels = try encoder.decode([2, 0])                       // [.categorical("virginica"), …]
/// ```
public struct LabelEncoder: Sendable, Hashable, Codable {
    /// The label column's name.
    public let name: String
    /// The label column's type.
    public let type: ColumnType
    /// The distinct labels, sorted; a label's index here is its class index.
    public let classes: [Value]

    /// An encoder with given classes, in class-index order (for models trained elsewhere).
    ///
    /// - Parameters:
    ///   - name: The label's name.
    ///   - type: The label's type; every class must be of it.
    ///   - classes: The classes, class index 0 first; distinct, none missing.
    /// - Throws: ``TabularError/invalidArgument(_:)`` for an empty list, a repeated or
    ///   missing class, or a class of another type.
    public init(name: String, type: ColumnType, classes: [Value]) throws(TabularError) {
        guard !classes.isEmpty else { throw .invalidArgument("label '\(name)' needs at least one class") }
        var seen = Set<Value>()
        for (index, value) in classes.enumerated() {
            guard seen.insert(value).inserted else { throw .invalidArgument("class \(value) of label '\(name)' is listed twice") }
            let matches: Bool
            switch (type, value) {
            case (.numeric, .numeric), (.integer, .integer), (.categorical, .categorical), (.boolean, .boolean): matches = true
            default: matches = false
            }
            guard matches else {
                throw .invalidArgument("class \(index) of label '\(name)' is \(value), not a \(type.rawValue) value")
            }
        }
        self.name = name
        self.type = type
        self.classes = classes
    }

    /// Learns the classes of a label column.
    ///
    /// - Throws: ``TabularError/missingValue(feature:row:)`` for a missing label.
    /// - Complexity: O(n log n).
    public static func fit(_ column: Column) throws(TabularError) -> LabelEncoder {
        if let row = column.missing.missingIndices.first { throw .missingValue(feature: column.name, row: row) }
        let classes: [Value]
        switch column.values {
        case .numeric(let v): classes = Array(Set(v.map { $0 == 0 ? 0 : $0 })).sorted().map(Value.numeric)
        case .integer(let v): classes = Array(Set(v)).sorted().map(Value.integer)
        case .categorical(let v): classes = Array(Set(v)).sorted(by: codePointOrder).map(Value.categorical)
        case .boolean(let v): classes = Array(Set(v)).sorted { !$0 && $1 }.map(Value.boolean)
        }
        return try LabelEncoder(name: column.name, type: column.type, classes: classes)
    }

    /// The class index of every row.
    ///
    /// - Throws: ``TabularError/missingValue(feature:row:)`` or
    ///   ``TabularError/unknownClass(label:value:row:)``.
    /// - Complexity: O(n).
    public func encode(_ column: Column) throws(TabularError) -> [Int] {
        var lookup: [Value: Int] = [:]
        for (index, value) in classes.enumerated() { lookup[value] = index }
        var result: [Int] = []
        result.reserveCapacity(column.count)
        for row in 0..<column.count {
            var value = column[row]
            if value.isMissing { throw .missingValue(feature: name, row: row) }
            if type == .numeric, case .integer(let i) = value { value = .numeric(Double(i)) }
            if case .numeric(let x) = value, x == 0 { value = .numeric(0) }  // -0.0 is 0.0
            guard let index = lookup[value] else {
                throw .unknownClass(label: name, value: value.description, row: row)
            }
            result.append(index)
        }
        return result
    }

    /// The labels of class indices.
    ///
    /// - Throws: ``TabularError/invalidArgument(_:)`` for an index outside
    ///   `0..<classes.count`.
    public func decode(_ indices: [Int]) throws(TabularError) -> [Value] {
        try indices.enumerated().map { (position, index) throws(TabularError) -> Value in
            guard index >= 0 && index < classes.count else {
                throw .invalidArgument("class index \(index) at position \(position) is outside 0..<\(classes.count)")
            }
            return classes[index]
        }
    }

    /// The labels of class indices as a column of the label's original type.
    ///
    /// - Throws: as ``decode(_:)``.
    public func decodeColumn(_ indices: [Int], name columnName: String? = nil) throws(TabularError) -> Column {
        let values = try decode(indices)
        let columnName = columnName ?? name
        switch type {
        case .numeric: return Column(name: columnName, numeric: values.map(\.doubleValue))
        case .integer: return Column(name: columnName, integer: values.map { if case .integer(let i) = $0 { i } else { nil } })
        case .categorical: return Column(name: columnName, categorical: values.map { if case .categorical(let s) = $0 { s } else { nil } })
        case .boolean: return Column(name: columnName, boolean: values.map { if case .boolean(let b) = $0 { b } else { nil } })
        }
    }
}

/// String order by Unicode scalar values, as NumPy's `np.unique` sorts strings.
func codePointOrder(_ a: String, _ b: String) -> Bool {
    a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
}
