/// The type of a ``Column``: what its non-missing values are.
public enum ColumnType: String, Sendable, Hashable, Codable, CaseIterable {
    /// `Double` values.
    case numeric
    /// `Int` values.
    case integer
    /// `String` values (categories, free text).
    case categorical
    /// `Bool` values.
    case boolean
}

/// One cell of a table: a typed value or `missing`.
public enum Value: Sendable, Hashable, Codable {
    case numeric(Double)
    case integer(Int)
    case categorical(String)
    case boolean(Bool)
    case missing

    /// `true` for ``missing``.
    public var isMissing: Bool {
        if case .missing = self { return true }
        return false
    }

    /// The value as a number when it is numeric, integer or boolean (`true` is 1).
    public var doubleValue: Double? {
        switch self {
        case .numeric(let x): return x
        case .integer(let x): return Double(x)
        case .boolean(let x): return x ? 1 : 0
        case .categorical, .missing: return nil
        }
    }
}

extension Value: CustomStringConvertible {
    /// The value as CSV writes it: numbers in their shortest round-tripping form,
    /// `true`/`false`, the string itself, and the empty string for `missing`.
    public var description: String {
        switch self {
        case .numeric(let x): return x.description
        case .integer(let x): return x.description
        case .categorical(let s): return s
        case .boolean(let b): return b ? "true" : "false"
        case .missing: return ""
        }
    }
}

extension Value: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    public init(floatLiteral value: Double) { self = .numeric(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(stringLiteral value: String) { self = .categorical(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(nilLiteral: ()) { self = .missing }
}
