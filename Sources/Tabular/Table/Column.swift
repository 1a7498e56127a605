/// The values of a ``Column``, stored contiguously by type.
///
/// Rows that are missing (see ``Column/missing``) hold a placeholder (`0`, `""`, `false`)
/// here, so that every array has exactly one element per row.
public enum ColumnValues: Sendable, Hashable {
    case numeric([Double])
    case integer([Int])
    case categorical([String])
    case boolean([Bool])

    /// The column type these values have.
    public var type: ColumnType {
        switch self {
        case .numeric: return .numeric
        case .integer: return .integer
        case .categorical: return .categorical
        case .boolean: return .boolean
        }
    }

    /// The number of rows.
    public var count: Int {
        switch self {
        case .numeric(let v): return v.count
        case .integer(let v): return v.count
        case .categorical(let v): return v.count
        case .boolean(let v): return v.count
        }
    }
}

/// A named, typed column of a ``Table``, with explicit missing values.
///
/// ```swift
/// let temperature = Column(name: "temperature", numeric: [21.5, nil, 19.0])
/// temperature[1]            // .missing
/// temperature.type          // .numeric
/// ```
public struct Column: Sendable, Hashable {
    /// The column's name, unique within its table.
    public var name: String
    /// The values, one per row (placeholders where missing).
    public private(set) var values: ColumnValues
    /// Which rows are missing.
    public private(set) var missing: MissingMask

    /// Creates a column from values and a missing mask of the same length.
    ///
    /// - Throws: ``TabularError/lengthMismatch(column:expected:actual:)`` when the mask and
    ///   the values have different lengths.
    public init(name: String, values: ColumnValues, missing: MissingMask? = nil) throws(TabularError) {
        let mask = missing ?? MissingMask(count: values.count)
        guard mask.count == values.count else {
            throw .lengthMismatch(column: name, expected: values.count, actual: mask.count)
        }
        self.name = name
        self.values = values
        self.missing = mask
    }

    /// Internal: values and mask known to have equal lengths.
    init(unchecked name: String, values: ColumnValues, missing: MissingMask) {
        self.name = name
        self.values = values
        self.missing = missing
    }

    /// A numeric column; `nil` entries are missing.
    public init(name: String, numeric: [Double?]) {
        var mask = MissingMask()
        let values = numeric.map { value -> Double in mask.append(missing: value == nil); return value ?? 0 }
        self.init(unchecked: name, values: .numeric(values), missing: mask)
    }

    /// An integer column; `nil` entries are missing.
    public init(name: String, integer: [Int?]) {
        var mask = MissingMask()
        let values = integer.map { value -> Int in mask.append(missing: value == nil); return value ?? 0 }
        self.init(unchecked: name, values: .integer(values), missing: mask)
    }

    /// A categorical column; `nil` entries are missing.
    public init(name: String, categorical: [String?]) {
        var mask = MissingMask()
        let values = categorical.map { value -> String in mask.append(missing: value == nil); return value ?? "" }
        self.init(unchecked: name, values: .categorical(values), missing: mask)
    }

    /// A boolean column; `nil` entries are missing.
    public init(name: String, boolean: [Bool?]) {
        var mask = MissingMask()
        let values = boolean.map { value -> Bool in mask.append(missing: value == nil); return value ?? false }
        self.init(unchecked: name, values: .boolean(values), missing: mask)
    }

    /// An empty column of `type`.
    public init(name: String, type: ColumnType) {
        let values: ColumnValues
        switch type {
        case .numeric: values = .numeric([])
        case .integer: values = .integer([])
        case .categorical: values = .categorical([])
        case .boolean: values = .boolean([])
        }
        self.init(unchecked: name, values: values, missing: MissingMask())
    }

    /// The column's type.
    public var type: ColumnType { values.type }

    /// The number of rows.
    public var count: Int { missing.count }

    /// `true` when row `index` is missing.
    public func isMissing(_ index: Int) -> Bool { missing.isMissing(index) }

    /// The value at row `index`.
    ///
    /// - Precondition: `index` is in `0..<count`.
    public subscript(index: Int) -> Value {
        if missing.isMissing(index) { return .missing }
        switch values {
        case .numeric(let v): return .numeric(v[index])
        case .integer(let v): return .integer(v[index])
        case .categorical(let v): return .categorical(v[index])
        case .boolean(let v): return .boolean(v[index])
        }
    }

    /// The rows at `indices`, in that order (repeats allowed), as a new column.
    ///
    /// - Complexity: O(indices.count).
    public func selecting(_ indices: some Collection<Int>) -> Column {
        let newValues: ColumnValues
        switch values {
        case .numeric(let v): newValues = .numeric(Self.gathered(v, at: indices))
        case .integer(let v): newValues = .integer(Self.gathered(v, at: indices))
        case .categorical(let v): newValues = .categorical(indices.map { v[$0] })
        case .boolean(let v): newValues = .boolean(indices.map { v[$0] })
        }
        return Column(unchecked: name, values: newValues, missing: missing.selecting(indices))
    }

    /// The elements of `values` at `indices`, written once into a new array.
    private static func gathered<T>(_ values: [T], at indices: some Collection<Int>) -> [T] {
        let count = indices.count
        return values.withUnsafeBufferPointer { source in
            [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                var slot = 0
                for index in indices where slot < count {
                    precondition(index >= 0 && index < source.count, "Column row index out of range")
                    buffer.initializeElement(at: slot, to: source[index])
                    slot += 1
                }
                initialized = slot
            }
        }
    }

    /// Appends the rows of `other`, which must have the same type; an integer column
    /// appended to a numeric one is widened.
    ///
    /// - Throws: ``TabularError/typeMismatch(column:expected:actual:)``; nothing changes then.
    public mutating func append(contentsOf other: Column) throws(TabularError) {
        switch (values, other.values) {
        case (.numeric(var a), .numeric(let b)): a.append(contentsOf: b); values = .numeric(a)
        case (.numeric(var a), .integer(let b)): a.append(contentsOf: b.lazy.map(Double.init)); values = .numeric(a)
        case (.integer(var a), .integer(let b)): a.append(contentsOf: b); values = .integer(a)
        case (.categorical(var a), .categorical(let b)): a.append(contentsOf: b); values = .categorical(a)
        case (.boolean(var a), .boolean(let b)): a.append(contentsOf: b); values = .boolean(a)
        default: throw .typeMismatch(column: name, expected: type, actual: other.type)
        }
        missing.append(contentsOf: other.missing)
    }

    /// This column converted to `numeric` (integers widened); other types are returned
    /// unchanged.
    public func widenedToNumeric() -> Column {
        guard case .integer(let v) = values else { return self }
        return Column(unchecked: name, values: .numeric(v.map(Double.init)), missing: missing)
    }
}
