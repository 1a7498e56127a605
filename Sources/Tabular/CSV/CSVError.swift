/// A problem in a CSV input, with where it is: the file, the 1-based line (of the
/// physical file, counting line breaks inside quoted fields) and the 1-based column (the
/// field's position in its record).
public struct CSVError: Error, Equatable, Sendable {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// The input has no header row.
        case emptyFile
        /// A record has another number of fields than the header.
        case raggedRow(expected: Int, found: Int)
        /// A quoted field is not closed before the end of the input.
        case unterminatedQuote
        /// A closing quote is followed by something other than a delimiter or line break.
        case unexpectedCharacterAfterQuote
        /// A field (or header name) is not valid UTF-8.
        case invalidUTF8
        /// A value does not parse as the column's declared type.
        case invalidValue(value: String, columnName: String, expected: ColumnType)
        /// An infinity (`inf`, `-Infinity`, …, or a number beyond the `Double` range) in a
        /// numeric column while ``CSVOptions/allowsInfinity`` is off.
        case infiniteValue(value: String, columnName: String)
        /// A NaN spelling that is not a missing-value token (say `NAN` or `+nan`) in a
        /// numeric column: the reader never produces NaN.
        case notANumber(value: String, columnName: String)
        /// Two header fields have the same name.
        case duplicateHeader(String)
        /// A header field is empty.
        case emptyHeader
        /// The schema names a column the header does not have.
        case unknownSchemaColumn(String)
        /// The delimiter is not a single ASCII character other than a quote or line break.
        case invalidDelimiter(String)
        /// The file could not be opened or read.
        case unreadable(String)
    }

    /// What went wrong.
    public var kind: Kind
    /// The file's path, or `nil` for in-memory input.
    public var file: String?
    /// The 1-based line.
    public var line: Int
    /// The 1-based column (field number within the record).
    public var column: Int

    public init(_ kind: Kind, file: String?, line: Int, column: Int) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
    }
}

extension CSVError: CustomStringConvertible {
    /// `path:line:column: message`, the form compilers use.
    public var description: String {
        let place = "\(file ?? "<input>"):\(line):\(column)"
        let message: String
        switch kind {
        case .emptyFile: message = "the file is empty (a header row is required)"
        case let .raggedRow(expected, found): message = "expected \(expected) fields, found \(found)"
        case .unterminatedQuote: message = "quoted field is not closed before the end of the input"
        case .unexpectedCharacterAfterQuote: message = "closing quote must be followed by a delimiter or a line break"
        case .invalidUTF8: message = "field is not valid UTF-8"
        case let .invalidValue(value, columnName, expected):
            message = "'\(value)' is not a valid \(expected) value for column '\(columnName)'"
        case let .infiniteValue(value, columnName):
            message = "'\(value)' in numeric column '\(columnName)' is infinite; set CSVOptions.allowsInfinity to read infinities"
        case let .notANumber(value, columnName):
            message = "'\(value)' in numeric column '\(columnName)' is not a number; add it to CSVOptions.missingValues to read it as missing"
        case .duplicateHeader(let name): message = "duplicate column name '\(name)' in the header"
        case .emptyHeader: message = "empty column name in the header"
        case .unknownSchemaColumn(let name): message = "the schema names column '\(name)', which the header does not have"
        case .invalidDelimiter(let d): message = "invalid delimiter '\(d)': use one ASCII character other than a quote or line break"
        case .unreadable(let reason): message = "cannot read the file: \(reason)"
        }
        return "\(place): \(message)"
    }
}
