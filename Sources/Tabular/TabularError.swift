/// An error raised by the `Tabular` module. Every case says what went wrong and where:
/// the file, line and column of a CSV problem; the column, feature or row of a table
/// problem.
public enum TabularError: Error, Equatable, Sendable {
    /// A CSV input could not be read; see ``CSVError``.
    case csv(CSVError)
    /// Two columns (or a column and its mask) have different lengths.
    case lengthMismatch(column: String, expected: Int, actual: Int)
    /// A column name appears twice in one table.
    case duplicateColumn(String)
    /// A column that does not exist was asked for.
    case unknownColumn(String, available: [String])
    /// A column has another type than the operation or schema needs.
    case typeMismatch(column: String, expected: ColumnType, actual: ColumnType)
    /// Two tables that must have the same columns do not.
    case schemaMismatch(details: String)
    /// A feature value is missing and the feature's policy is to refuse missing values.
    case missingValue(feature: String, row: Int)
    /// A categorical feature met a category it was not fitted on.
    case unknownCategory(feature: String, category: String, row: Int)
    /// A feature's value at `row` cannot be encoded: NaN or infinity, or a value of another
    /// type than the feature's.
    case invalidValue(feature: String, row: Int, value: Value, expected: ColumnType)
    /// A record (`row`) names something that is not a feature of the encoder.
    case unknownFeature(String, row: Int, features: [String])
    /// A non-numeric value was found where a number is needed.
    case notNumeric(feature: String, type: ColumnType)
    /// A label value was not among the classes the encoder was fitted on.
    case unknownClass(label: String, value: String, row: Int)
    /// The feature selection is invalid; every problem is listed.
    case invalidSelection([String])
    /// A split, fold or sampling parameter is out of range.
    case invalidSplit(String)
    /// Two rows of one input have the same key.
    case duplicateKey(key: String, firstRow: Int, secondRow: Int)
    /// A binary dataset encoding could not be decoded.
    case corruptEncoding(String)
    /// An argument is out of range.
    case invalidArgument(String)
}

extension TabularError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .csv(let error): return error.description
        case let .lengthMismatch(column, expected, actual):
            return "column '\(column)' has \(actual) rows, expected \(expected)"
        case .duplicateColumn(let name): return "column '\(name)' appears more than once"
        case let .unknownColumn(name, available):
            return "no column named '\(name)' (columns: \(available.joined(separator: ", ")))"
        case let .typeMismatch(column, expected, actual):
            return "column '\(column)' is \(actual), expected \(expected)"
        case .schemaMismatch(let details): return "schema mismatch: \(details)"
        case let .missingValue(feature, row): return "feature '\(feature)' is missing at row \(row)"
        case let .unknownCategory(feature, category, row):
            return "feature '\(feature)' has category '\(category)' at row \(row), unseen when fitted"
        case let .invalidValue(feature, row, value, expected):
            let shown: String
            switch value {
            case .numeric(let x) where !x.isFinite: shown = "\(x) (not a finite number)"
            case .categorical(let text): shown = "'\(text)' (a category)"
            default: shown = "\(value)"
            }
            return "feature '\(feature)' at row \(row): \(shown) is not a \(expected.rawValue) value"
        case let .unknownFeature(name, row, features):
            return "row \(row): '\(name)' is not a feature (features: \(features.joined(separator: ", ")))"
        case let .notNumeric(feature, type): return "feature '\(feature)' is \(type), a number is needed"
        case let .unknownClass(label, value, row):
            return "label '\(label)' has value '\(value)' at row \(row), not among the fitted classes"
        case .invalidSelection(let problems): return "invalid feature selection: " + problems.joined(separator: "; ")
        case .invalidSplit(let reason): return "invalid split: \(reason)"
        case let .duplicateKey(key, firstRow, secondRow):
            return "key \(key) appears at rows \(firstRow) and \(secondRow)"
        case .corruptEncoding(let reason): return "cannot decode dataset: \(reason)"
        case .invalidArgument(let reason): return "invalid argument: \(reason)"
        }
    }
}
