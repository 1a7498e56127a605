/// Accumulates one CSV column while the file is scanned, inferring its type on the way.
///
/// Inference order: boolean (`true`/`false`, any case), integer, numeric, categorical;
/// empty fields and missing-value tokens are missing and take no part. A column widens
/// integer → numeric in place; a column that turns out to be text after holding numbers
/// or booleans is marked for a second, text-only scan of the input (the original
/// spellings are needed), which is rare and touches that column only. Infinities (unless
/// allowed) and NaN spellings count as numbers that are refused: an error if the column
/// ends numeric, text if it ends categorical.
struct ColumnBuilder {
    enum State {
        case undetermined, boolean, integer, numeric, categorical
        /// Text was found after non-text values: rebuilt by a second scan.
        case needsRescan
    }

    // What the fused numeric path touches for every field comes first.
    private(set) var state: State
    /// No missing-value token reads as a boolean or number, so fields may be parsed (by
    /// the fused path, too) before they are compared with the tokens.
    private let fusedPathAllowed: Bool
    private var doubles: [Double] = []
    private(set) var mask = MissingMask()
    let name: String
    let forcedType: ColumnType?
    let file: String?
    let column: Int
    private var integers: [Int] = []
    private var booleans: [Bool] = []
    private var strings: [String] = []
    /// A quoted empty field or quoted missing-value token was seen before the type was
    /// known: it is text if the column ends up categorical, so such a column is rebuilt by
    /// the second scan.
    private var quotedMissingWhileUndetermined = false
    /// The missing-value tokens of this read.
    let missingTokens: MissingTokens
    /// Infinities are values, not errors (``CSVOptions/allowsInfinity``).
    let allowsInfinity: Bool
    /// The first infinity (when not allowed) or NaN spelling met in this column while it
    /// was numeric: the reader throws it if the column is still numeric after the scan
    /// (a column that turns out to be text keeps such spellings as text).
    var refusedValue: CSVError? { refused.first }
    /// `refusedValue`, at most one element (an array is one word: the builder stays small).
    private var refused: [CSVError] = []

    init(name: String, forcedType: ColumnType?, file: String?, column: Int, missingTokens: MissingTokens, allowsInfinity: Bool) {
        self.name = name
        self.forcedType = forcedType
        self.file = file
        self.column = column
        self.missingTokens = missingTokens
        self.allowsInfinity = allowsInfinity
        self.fusedPathAllowed = !missingTokens.checkedBeforeParsing
        switch forcedType {
        case nil: state = .undetermined
        case .boolean?: state = .boolean
        case .integer?: state = .integer
        case .numeric?: state = .numeric
        case .categorical?: state = .categorical
        }
    }

    /// The row count reserved for, so arrays created on a type change get it too.
    private var reservedRows = 0

    mutating func reserveCapacity(_ rows: Int) {
        reservedRows = rows
        switch state {
        case .numeric, .undetermined: doubles.reserveCapacity(rows)
        case .integer: integers.reserveCapacity(rows)
        case .boolean: booleans.reserveCapacity(rows)
        case .categorical, .needsRescan: strings.reserveCapacity(rows)
        }
    }

    /// `true` while the column is numeric.
    var isNumeric: Bool { state == .numeric }

    /// `true` when the reader should try the fused scan-and-parse path first: the column
    /// is numeric and no missing-value token reads as a number. (A flag of the builder
    /// rather than of the reader's loop, which is short of registers.)
    var takesFusedPath: Bool { state == .numeric && fusedPathAllowed }

    /// Adds a number parsed by the fused path (the column is numeric).
    @inline(__always)
    mutating func appendNumber(_ value: Double) {
        doubles.append(value)
        mask.append(missing: false)
    }

    /// Adds one field.
    ///
    /// A missing-value token is tested only after the field failed to parse as the
    /// column's type (no default token parses as a boolean or a number), unless some
    /// custom token does (``MissingTokens/checkedBeforeParsing``).
    @inline(__always)
    mutating func add(_ field: FieldSpan, bytes: UnsafeBufferPointer<UInt8>) throws(TabularError) {
        let length = field.end - field.start
        guard let base = bytes.baseAddress else { return }
        let p = base + field.start
        if length == 0 {
            if field.quoted {
                switch state {
                case .categorical: strings.append(""); mask.append(missing: false); return
                case .undetermined: quotedMissingWhileUndetermined = true
                default: break
                }
            }
            appendMissing()
            return
        }
        if !fusedPathAllowed && missingTokens.contains(field, in: bytes) {
            try addMissingToken(field, bytes: bytes)
            return
        }
        switch state {
        case .numeric:
            if let value = NumberParsing.parseDouble(p, length) {
                try appendDouble(value, field, bytes: bytes)
                return
            }
        case .integer:
            if let value = NumberParsing.parseInt(p, length) {
                integers.append(value)
                mask.append(missing: false)
                return
            }
            if forcedType == nil, let value = NumberParsing.parseDouble(p, length) {
                widenToNumeric()
                try appendDouble(value, field, bytes: bytes)
                return
            }
        case .boolean:
            if let value = Self.parseBoolean(p, length) {
                booleans.append(value)
                mask.append(missing: false)
                return
            }
        case .categorical:
            if !field.quoted && missingTokens.contains(p, length) {
                appendMissing()
                return
            }
            strings.append(try CSVScanner.text(of: field, in: bytes, file: file, column: column))
            mask.append(missing: false)
            return
        case .needsRescan:
            mask.append(missing: false)
            return
        case .undetermined:
            let placeholders = mask.count
            if let value = Self.parseBoolean(p, length) {
                state = .boolean
                booleans.reserveCapacity(reservedRows)
                booleans.append(contentsOf: repeatElement(false, count: placeholders))
                booleans.append(value)
                doubles = []
            } else if let value = NumberParsing.parseInt(p, length) {
                state = .integer
                integers.reserveCapacity(reservedRows)
                integers.append(contentsOf: repeatElement(0, count: placeholders))
                integers.append(value)
                doubles = []
            } else if let value = NumberParsing.parseDouble(p, length) {
                state = .numeric
                doubles.removeAll(keepingCapacity: true)
                doubles.append(contentsOf: repeatElement(0, count: placeholders))
                try appendDouble(value, field, bytes: bytes)
                return
            } else if missingTokens.contains(field, in: bytes) {
                try addMissingToken(field, bytes: bytes)
                return
            } else if NumberParsing.isNaNSpelling(p, length) {
                // A number in spirit: refused if the column stays numeric.
                state = .numeric
                doubles.removeAll(keepingCapacity: true)
                doubles.append(contentsOf: repeatElement(0, count: placeholders + 1))
                try refuse(field, bytes: bytes, infinite: false)
            } else {
                let text = try CSVScanner.text(of: field, in: bytes, file: file, column: column)
                if quotedMissingWhileUndetermined {
                    state = .needsRescan
                } else {
                    state = .categorical
                    strings.reserveCapacity(reservedRows)
                    strings.append(contentsOf: repeatElement("", count: placeholders))
                    strings.append(text)
                    doubles = []
                }
            }
            mask.append(missing: false)
            return
        }
        // The value does not fit the current type.
        if missingTokens.contains(field, in: bytes) {
            try addMissingToken(field, bytes: bytes)
            return
        }
        if (state == .numeric || (state == .integer && forcedType == nil)) && NumberParsing.isNaNSpelling(p, length) {
            if state == .integer { widenToNumeric() }
            try refuse(field, bytes: bytes, infinite: false)
            doubles.append(0)
            mask.append(missing: false)
            return
        }
        if let forcedType {
            let raw = UnsafeBufferPointer(start: p, count: length)
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw .csv(CSVError(.invalidUTF8, file: file, line: field.line, column: column))
            }
            throw .csv(CSVError(.invalidValue(value: text, columnName: name, expected: forcedType), file: file, line: field.line, column: column))
        }
        _ = try CSVScanner.text(of: field, in: bytes, file: file, column: column)  // report invalid UTF-8 where it is
        state = .needsRescan
        doubles = []
        integers = []
        booleans = []
        mask.append(missing: false)
    }

    /// A missing-value token: missing, except that a quoted token is its text in a
    /// categorical column (as a quoted empty field is an empty string there).
    private mutating func addMissingToken(_ field: FieldSpan, bytes: UnsafeBufferPointer<UInt8>) throws(TabularError) {
        if field.quoted {
            switch state {
            case .categorical:
                strings.append(try CSVScanner.text(of: field, in: bytes, file: file, column: column))
                mask.append(missing: false)
                return
            case .undetermined: quotedMissingWhileUndetermined = true
            default: break
            }
        }
        appendMissing()
    }

    /// Appends a parsed number to the numeric column; an infinity is refused unless the
    /// options allow it.
    @inline(__always)
    private mutating func appendDouble(_ value: Double, _ field: FieldSpan, bytes: UnsafeBufferPointer<UInt8>) throws(TabularError) {
        if !value.isFinite && !allowsInfinity {
            try refuse(field, bytes: bytes, infinite: true)
        }
        doubles.append(value)
        mask.append(missing: false)
    }

    /// Records an infinity or NaN spelling in a numeric column: thrown at once when the
    /// schema fixes the type, else kept (the first one) and thrown by the reader if the
    /// column is still numeric after the scan.
    private mutating func refuse(_ field: FieldSpan, bytes: UnsafeBufferPointer<UInt8>, infinite: Bool) throws(TabularError) {
        let text = try CSVScanner.text(of: field, in: bytes, file: file, column: column)
        let kind: CSVError.Kind = infinite ? .infiniteValue(value: text, columnName: name) : .notANumber(value: text, columnName: name)
        let error = CSVError(kind, file: file, line: field.line, column: column)
        if forcedType != nil { throw .csv(error) }
        if refused.isEmpty { refused.append(error) }
    }

    /// Integer → numeric, in place.
    private mutating func widenToNumeric() {
        doubles = []
        doubles.reserveCapacity(max(reservedRows, integers.count + 1))
        doubles.append(contentsOf: integers.lazy.map(Double.init))
        integers = []
        state = .numeric
    }

    /// Appends a missing value. Also how ``CSVChunk`` fills the row of a field that
    /// ``add(_:bytes:)`` refused: with a `forcedType`, a throwing `add` leaves the builder
    /// unchanged.
    @inline(__always)
    mutating func appendMissing() {
        switch state {
        case .numeric: doubles.append(0)
        case .integer: integers.append(0)
        case .boolean: booleans.append(false)
        case .categorical: strings.append("")
        case .undetermined, .needsRescan: break
        }
        mask.append(missing: true)
    }

    /// Prepares for the second scan: the column becomes categorical, rebuilt from text.
    mutating func beginRescan() {
        state = .categorical
        strings = []
        strings.reserveCapacity(mask.count)
        mask = MissingMask()
    }

    /// Adds one field during the second, text-only scan: an unquoted empty field or
    /// missing-value token is missing, anything else (quoted, too) is text.
    mutating func addText(_ field: FieldSpan, bytes: UnsafeBufferPointer<UInt8>) throws(TabularError) {
        if !field.quoted && (field.end == field.start || missingTokens.contains(field, in: bytes)) {
            strings.append("")
            mask.append(missing: true)
            return
        }
        strings.append(try CSVScanner.text(of: field, in: bytes, file: file, column: column))
        mask.append(missing: false)
    }

    /// `true` when the column must be rebuilt by the second scan.
    var needsRescan: Bool {
        state == .needsRescan
    }

    /// The finished column.
    func build() -> Column {
        let values: ColumnValues
        switch state {
        case .undetermined: values = .numeric([Double](repeating: 0, count: mask.count))
        case .numeric: values = .numeric(doubles)
        case .integer: values = .integer(integers)
        case .boolean: values = .boolean(booleans)
        case .categorical, .needsRescan: values = .categorical(strings)
        }
        return Column(unchecked: name, values: values, missing: mask)
    }

    /// `true`/`false` in any ASCII case, else `nil`.
    @inline(__always)
    static func parseBoolean(_ p: UnsafePointer<UInt8>, _ length: Int) -> Bool? {
        // ASCII lowercase via | 0x20, then compare with "true" / "false".
        if length == 4 && p[0] | 0x20 == 116 && p[1] | 0x20 == 114 && p[2] | 0x20 == 117 && p[3] | 0x20 == 101 {
            return true
        }
        if length == 5 && p[0] | 0x20 == 102 && p[1] | 0x20 == 97 && p[2] | 0x20 == 108 && p[3] | 0x20 == 115
            && p[4] | 0x20 == 101
        {
            return false
        }
        return nil
    }
}
