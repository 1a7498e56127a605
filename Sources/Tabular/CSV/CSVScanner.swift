/// One field of a record, as byte offsets into the input.
struct FieldSpan {
    /// Offset of the field's content (after an opening quote).
    var start: Int
    /// Offset one past the content (before a closing quote).
    var end: Int
    /// The 1-based line the field starts on.
    var line: Int
    /// The field was quoted.
    var quoted: Bool
    /// The quoted content holds doubled quotes (`""`) to unescape.
    var escaped: Bool
}

/// An RFC 4180 tokenizer over a byte buffer: splits records into field spans without
/// copying. Accepts CRLF, LF and lone CR line ends, skips blank lines, and reports
/// unterminated quotes and stray characters after a closing quote with line and column.
struct CSVScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let file: String?
    /// Offset of the next unread byte.
    private(set) var position: Int
    /// The 1-based line of `position`.
    private(set) var line: Int

    init(bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, file: String?, position: Int = 0, line: Int = 1) {
        self.bytes = bytes
        self.delimiter = delimiter
        self.file = file
        self.position = position
        self.line = line
    }

    /// How a field ended.
    enum Terminator {
        case delimiter, endOfRecord, endOfInput
    }

    /// Skips blank lines; `false` at the end of the input.
    mutating func skipBlankLines() -> Bool {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return false }
        var i = position
        while i < n && (base[i] == 10 || base[i] == 13) {
            if base[i] == 10 || i + 1 >= n || base[i + 1] != 10 { line += 1 }
            i += 1
        }
        position = i
        return i < n
    }

    /// Moves past a field of `length` bytes that the caller has already parsed (it ends
    /// at a delimiter, a line break or the end of the input).
    @inline(__always)
    mutating func advance(by length: Int) {
        position += length
    }

    /// Reads one field (quoted or not) at the current position, leaving the position at
    /// its terminator.
    mutating func scanField(column: Int) throws(TabularError) -> FieldSpan {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return FieldSpan(start: 0, end: 0, line: line, quoted: false, escaped: false) }
        var i = position
        if i < n && base[i] == 34 {
            let fieldLine = line
            i += 1
            let contentStart = i
            var escaped = false
            while true {
                while i < n && base[i] != 34 {
                    if base[i] == 10 || (base[i] == 13 && (i + 1 >= n || base[i + 1] != 10)) { line += 1 }
                    i += 1
                }
                guard i < n else {
                    throw .csv(CSVError(.unterminatedQuote, file: file, line: fieldLine, column: column))
                }
                if i + 1 < n && base[i + 1] == 34 {
                    escaped = true
                    i += 2
                    continue
                }
                break
            }
            let field = FieldSpan(start: contentStart, end: i, line: fieldLine, quoted: true, escaped: escaped)
            i += 1
            if i < n && base[i] != delimiter && base[i] != 10 && base[i] != 13 {
                throw .csv(CSVError(.unexpectedCharacterAfterQuote, file: file, line: line, column: column))
            }
            position = i
            return field
        }
        let start = i
        while i < n {
            let c = base[i]
            if c == delimiter || c == 10 || c == 13 { break }
            i += 1
        }
        position = i
        return FieldSpan(start: start, end: i, line: line, quoted: false, escaped: false)
    }

    /// Consumes the terminator at the current position.
    @inline(__always)
    mutating func finishField() -> Terminator {
        let n = bytes.count
        guard position < n, let base = bytes.baseAddress else { return .endOfInput }
        let c = base[position]
        position += 1
        if c == delimiter {
            return .delimiter
        }
        if c == 13 && position < n && base[position] == 10 { position += 1 }
        line += 1
        return .endOfRecord
    }

    /// Reads the next non-blank record into `fields`; `false` at the end of the input.
    mutating func nextRecord(into fields: inout [FieldSpan]) throws(TabularError) -> Bool {
        fields.removeAll(keepingCapacity: true)
        guard skipBlankLines() else { return false }
        while true {
            fields.append(try scanField(column: fields.count + 1))
            if finishField() != .delimiter { return true }
        }
    }

    /// The field's text with doubled quotes unescaped, validated as UTF-8.
    func text(of field: FieldSpan, column: Int) throws(TabularError) -> String {
        try Self.text(of: field, in: bytes, file: file, column: column)
    }

    /// The text of `field` within `bytes`; a static form that needs no scanner copy.
    static func text(
        of field: FieldSpan, in bytes: UnsafeBufferPointer<UInt8>, file: String?, column: Int
    ) throws(TabularError) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[field.start..<field.end])
        let string: String
        if raw.allSatisfy({ $0 < 0x80 }) {
            string = String(decoding: raw, as: UTF8.self)  // ASCII is valid UTF-8: no validation pass
        } else if let validated = String(validating: raw, as: UTF8.self) {
            string = validated
        } else {
            throw .csv(CSVError(.invalidUTF8, file: file, line: field.line, column: column))
        }
        return field.escaped ? string.replacingOccurrences(of: "\"\"", with: "\"") : string
    }
}

extension String {
    /// `self` with every `target` replaced by `replacement` (no Foundation needed).
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
