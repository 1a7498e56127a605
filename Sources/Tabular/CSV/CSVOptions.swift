/// How CSV is read and written.
///
/// ```swift
/// var options = CSVOptions()
/// options.delimiter = ";"
/// options.schema = ["zip": .categorical]   // keep leading zeros
/// let table = try CSV.read(contentsOf: url, options: options)
/// ```
public struct CSVOptions: Sendable, Hashable {
    /// The field delimiter: one ASCII character other than `"`, CR or LF. Default `,`.
    public var delimiter: Character = ","
    /// Column types that override inference, by column name. Columns not named here are
    /// inferred over the whole column: boolean (`true`/`false` in any case), else integer,
    /// else numeric, else categorical. A column with no values at all is numeric.
    public var schema: [String: ColumnType] = [:]

    public init(delimiter: Character = ",", schema: [String: ColumnType] = [:]) {
        self.delimiter = delimiter
        self.schema = schema
    }

    /// The delimiter as a byte, or a typed error.
    func delimiterByte(file: String?) throws(TabularError) -> UInt8 {
        guard let ascii = delimiter.asciiValue, ascii != UInt8(ascii: "\""), ascii != 10, ascii != 13 else {
            throw .csv(CSVError(.invalidDelimiter(String(delimiter)), file: file, line: 1, column: 1))
        }
        return ascii
    }
}
