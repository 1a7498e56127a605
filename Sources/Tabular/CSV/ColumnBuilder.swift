/// Accumulates one CSV column while the file is scanned, inferring its type on the way.
///
/// Inference order: boolean (`true`/`false`, any case), integer, numeric, categorical. A
/// column widens integer → numeric in place; a column that turns out to be text after
/// holding numbers or booleans is marked for a second, text-only scan of the input (the
/// original spellings are needed), which is rare and touches that column only.
struct ColumnBuilder {
    enum State {
        case undetermined, boolean, integer, numeric, categorical
        /// Text was found after non-text values: rebuilt by a second scan.
        case needsRescan
    }

    let name: String
    let forcedType: ColumnType?
    let file: String?
    let column: Int
    private(set) var state: State
    private var doubles: [Double] = []
    private var integers: [Int] = []
    private var booleans: [Bool] = []
    private var strings: [String] = []
    private(set) var mask = MissingMask()
    /// A quoted empty field was seen before the type was known: it is an empty string if
    /// the column ends up categorical, so such a column is rebuilt by the second scan.
    private var quotedEmptyWhileUndetermined = false

    init(name: String, forcedType: ColumnType?, file: String?, column: Int) {
        self.name = name
        self.forcedType = forcedType
        self.file = file
        self.column = column
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

    /// `true` while the column is numeric: the reader then tries the fused scan-and-parse
    /// path first.
    var isNumeric: Bool { state == .numeric }

    /// Adds a number parsed by the fused path (the column is numeric).
    @inline(__always)
    mutating func appendNumber(_ value: Double) {
        doubles.append(value)
        mask.append(missing: false)
    }

    /// Adds one field.
    @inline(__always)
    mutating func add(_ field: FieldSpan, bytes: UnsafeBufferPointer<UInt8>) throws(TabularError) {
        let length = field.end - field.start
        guard let base = bytes.baseAddress else { return }
        let p = base + field.start
        if length == 0 {
            if field.quoted {
                switch state {
                case .categorical: strings.append(""); mask.append(missing: false); return
                case .undetermined: quotedEmptyWhileUndetermined = true
                default: break
                }
            }
            appendMissing()
            return
        }
        switch state {
        case .numeric:
            if let value = NumberParsing.parseDouble(p, length) {
                doubles.append(value)
                mask.append(missing: false)
                return
            }
        case .integer:
            if let value = NumberParsing.parseInt(p, length) {
                integers.append(value)
                mask.append(missing: false)
                return
            }
            if forcedType == nil, let value = NumberParsing.parseDouble(p, length) {
                doubles = []
                doubles.reserveCapacity(max(reservedRows, integers.count + 1))
                doubles.append(contentsOf: integers.lazy.map(Double.init))
                integers = []
                state = .numeric
                doubles.append(value)
                mask.append(missing: false)
                return
            }
        case .boolean:
            if let value = parseBoolean(p, length) {
                booleans.append(value)
                mask.append(missing: false)
                return
            }
        case .categorical:
            strings.append(try CSVScanner.text(of: field, in: bytes, file: file, column: column))
            mask.append(missing: false)
            return
        case .needsRescan:
            mask.append(missing: false)
            return
        case .undetermined:
            let placeholders = mask.count
            if let value = parseBoolean(p, length) {
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
                doubles.append(value)
            } else {
                let text = try CSVScanner.text(of: field, in: bytes, file: file, column: column)
                if quotedEmptyWhileUndetermined {
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

    @inline(__always)
    private mutating func appendMissing() {
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

    /// Adds one field during the second, text-only scan: an unquoted empty field is
    /// missing, anything else (a quoted empty field too) is text.
    mutating func addText(_ field: FieldSpan, bytes: UnsafeBufferPointer<UInt8>) throws(TabularError) {
        if field.end == field.start && !field.quoted {
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

    @inline(__always)
    private func parseBoolean(_ p: UnsafePointer<UInt8>, _ length: Int) -> Bool? {
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
