/// How CSV is read and written.
///
/// ```swift
/// var options = CSVOptions()
/// options.delimiter = ";"
/// options.schema = ["zip": .categorical]   // keep leading zeros
/// options.missingValues.insert("-")        // pandas' tokens and "-" read as missing
/// let table = try CSV.read(contentsOf: url, options: options)
/// ```
public struct CSVOptions: Sendable, Hashable {
    /// pandas' default missing-value tokens (`read_csv`'s default `na_values`): `""`, `#N/A`,
    /// `#N/A N/A`, `#NA`, `-1.#IND`, `-1.#QNAN`, `-NaN`, `-nan`, `1.#IND`, `1.#QNAN`, `<NA>`,
    /// `N/A`, `NA`, `NULL`, `NaN`, `None`, `n/a`, `nan`, `null`. Matched exactly (case and all).
    public static let pandasMissingValues: Set<String> = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA",
        "NULL", "NaN", "None", "n/a", "nan", "null",
    ]

    /// The field delimiter: one ASCII character other than `"`, CR or LF. Default `,`.
    public var delimiter: Character = ","
    /// Column types that override inference, by column name. Columns not named here are
    /// inferred over the whole column: boolean (`true`/`false` in any case), else integer,
    /// else numeric, else categorical. Missing values take no part in inference. A column
    /// with no values at all is numeric.
    public var schema: [String: ColumnType] = [:]
    /// The field texts that read as a missing value in every column type, compared
    /// exactly. Default: ``pandasMissingValues``; replace the set or insert into it. An
    /// empty unquoted field is missing whether or not the set holds `""`. A *quoted* token
    /// (`"NA"`) is read like a quoted empty field: the text itself in a categorical column,
    /// missing in any other. When writing, categorical values equal to a token are quoted.
    public var missingValues: Set<String> = CSVOptions.pandasMissingValues
    /// Whether `inf`, `-inf`, `+inf`, `infinity` (any case) and numbers too large for a
    /// `Double` read as ±infinity in a numeric column. Default `false`: such a value is a
    /// ``CSVError/Kind/infiniteValue(value:columnName:)`` error with its file, line and
    /// column.
    public var allowsInfinity: Bool = false

    public init(
        delimiter: Character = ",", schema: [String: ColumnType] = [:],
        missingValues: Set<String> = CSVOptions.pandasMissingValues, allowsInfinity: Bool = false
    ) {
        self.delimiter = delimiter
        self.schema = schema
        self.missingValues = missingValues
        self.allowsInfinity = allowsInfinity
    }

    /// The delimiter as a byte, or a typed error.
    func delimiterByte(file: String?) throws(TabularError) -> UInt8 {
        guard let ascii = delimiter.asciiValue, ascii != UInt8(ascii: "\""), ascii != 10, ascii != 13 else {
            throw .csv(CSVError(.invalidDelimiter(String(delimiter)), file: file, line: 1, column: 1))
        }
        return ascii
    }
}
