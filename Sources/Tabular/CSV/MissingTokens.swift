/// The missing-value tokens of one read (``CSVOptions/missingValues``), matched against a
/// field's raw bytes.
///
/// Most fields are rejected by two bit tests (no token has the field's length, or none
/// starts with its first byte) before any byte is compared. A class: every column's
/// builder refers to the one instance of its read.
final class MissingTokens {
    /// The non-empty tokens as UTF-8.
    private let tokens: [[UInt8]]
    /// Bit n is set when a token is n bytes long (n < 64).
    private let lengths: UInt64
    /// Some token is 64 bytes or longer.
    private let hasLongToken: Bool
    /// Bit b of `firstLow` (b < 64) or of `firstHigh` (64 ≤ b < 128) is set when a token
    /// starts with ASCII byte b.
    private let firstLow: UInt64
    private let firstHigh: UInt64
    /// Some token starts with a non-ASCII byte.
    private let firstNonASCII: Bool
    /// Some token would also read as a boolean or a number (`-999`, `0`, `false`): fields
    /// must then be checked before they are parsed, and the fused numeric path is off.
    let checkedBeforeParsing: Bool

    init(_ texts: Set<String>) {
        let tokens = texts.filter { !$0.isEmpty }.sorted().map { Array($0.utf8) }
        var lengths: UInt64 = 0, firstLow: UInt64 = 0, firstHigh: UInt64 = 0
        var hasLongToken = false, firstNonASCII = false, checked = false
        for token in tokens {
            if token.count < 64 { lengths |= 1 << UInt64(token.count) } else { hasLongToken = true }
            if let first = token.first {
                if first < 64 {
                    firstLow |= 1 << UInt64(first)
                } else if first < 128 {
                    firstHigh |= 1 << UInt64(first - 64)
                } else {
                    firstNonASCII = true
                }
            }
            let valueLike = token.withUnsafeBufferPointer { buffer -> Bool in
                guard let p = buffer.baseAddress else { return false }
                return ColumnBuilder.parseBoolean(p, buffer.count) != nil || NumberParsing.parseInt(p, buffer.count) != nil
                    || NumberParsing.parseDouble(p, buffer.count) != nil
            }
            checked = checked || valueLike
        }
        self.tokens = tokens
        self.lengths = lengths
        self.hasLongToken = hasLongToken
        self.firstLow = firstLow
        self.firstHigh = firstHigh
        self.firstNonASCII = firstNonASCII
        self.checkedBeforeParsing = checked
    }

    /// Whether the `length` bytes at `p` are exactly one of the tokens.
    ///
    /// - Complexity: O(1) for most fields; O(tokens × length) at worst.
    @inline(__always)
    func contains(_ p: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        guard length > 0 else { return false }
        if length < 64 {
            guard lengths & (1 << UInt64(length)) != 0 else { return false }
        } else if !hasLongToken {
            return false
        }
        let first = p[0]
        if first < 64 {
            guard firstLow & (1 << UInt64(first)) != 0 else { return false }
        } else if first < 128 {
            guard firstHigh & (1 << UInt64(first - 64)) != 0 else { return false }
        } else if !firstNonASCII {
            return false
        }
        return compare(p, length)
    }

    /// Whether a field (quoted or not) is one of the tokens; a quoted field with doubled
    /// quotes is compared after unescaping.
    func contains(_ field: FieldSpan, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        guard field.escaped else { return contains(base + field.start, field.end - field.start) }
        let raw = String(decoding: UnsafeBufferPointer(start: base + field.start, count: field.end - field.start), as: UTF8.self)
        let text = Array(raw.replacingOccurrences(of: "\"\"", with: "\"").utf8)
        return text.withUnsafeBufferPointer { buffer in
            guard let p = buffer.baseAddress else { return false }
            return contains(p, buffer.count)
        }
    }

    private func compare(_ p: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        for token in tokens where token.count == length {
            var equal = true
            for k in 0..<length where token[k] != p[k] {
                equal = false
                break
            }
            if equal { return true }
        }
        return false
    }
}
