/// A JSON value as read from a request body.
///
/// Numbers keep what their text says: an integer literal that fits in `Int` is
/// ``integer(_:)``; any other number is ``number(_:)`` (infinite when its text is out of
/// `Double`'s range, so the caller can refuse it by name).
enum JSONValue {
    case null
    case boolean(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members in the order written (duplicates kept, for the caller to refuse).
    case object([JSONMember])

}

/// An object's member.
struct JSONMember {
    var key: String
    var value: JSONValue
}

/// Why a body is not JSON, and the byte offset where that was found.
struct JSONSyntaxError: Error, Equatable {
    var message: String
    var offset: Int
}

/// Reads JSON text (RFC 8259) into ``JSONValue``s.
///
/// Hand-written because the prediction route spends most of its time reading request
/// bodies: Foundation's `JSONDecoder` took a quarter of the server's CPU time per
/// single-record request (perf, `Documentation/Performance.md`, "Serving"); this reader
/// decodes the same bodies several times faster. It is strict: no comments, no trailing
/// commas, no leading zeros, no unescaped control characters, valid UTF-8 only, nesting at
/// most ``maximumDepth`` deep (a deeply nested body is refused, never a stack overflow).
struct JSONReader {
    /// The deepest nesting of lists and objects read.
    static let maximumDepth = 256

    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    /// Reads the one JSON value `bytes` hold (whitespace around it allowed).
    ///
    /// - Throws: ``JSONSyntaxError`` naming what is wrong and where.
    static func value(in bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
        var reader = JSONReader(bytes: bytes)
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        guard reader.position == bytes.count else { throw reader.error("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(message: message, offset: position)
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    private mutating func readValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard let byte = current else { throw error("the text ends where a value was expected") }
        switch byte {
        case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try readLiteral("true"); return .boolean(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .boolean(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        default: throw error("unexpected character where a value was expected")
        }
    }

    private mutating func readLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count else { throw error("the text ends inside a literal") }
        for offset in 0..<count where bytes[position + offset] != literal.utf8Start[offset] {
            throw error("not a JSON literal (true, false or null)")
        }
        position += count
    }

    private mutating func readObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error("nested more than \(Self.maximumDepth) levels deep") }
        position += 1  // {
        var members: [JSONMember] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
            let key = try readString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
            position += 1
            skipWhitespace()
            members.append(JSONMember(key: key, value: try readValue(depth: depth)))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            case nil: throw error("the text ends inside an object")
            default: throw error("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func readArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error("nested more than \(Self.maximumDepth) levels deep") }
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try readValue(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(elements)
            case nil: throw error("the text ends inside a list")
            default: throw error("expected ',' or ']' in a list")
            }
        }
    }

    // MARK: Strings

    private mutating func readString() throws(JSONSyntaxError) -> String {
        position += 1  // opening quote
        let start = position
        // Fast path: no escapes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = try utf8(start..<position)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("an unescaped control character in a string") }
            position += 1
        }
        guard position < bytes.count else { throw error("the text ends inside a string") }
        var decoded = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: decoded, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                try readEscape(into: &decoded)
            case 0..<0x20:
                throw error("an unescaped control character in a string")
            default:
                decoded.append(byte)
                position += 1
            }
        }
        throw error("the text ends inside a string")
    }

    private func utf8(_ range: Range<Int>) throws(JSONSyntaxError) -> String {
        guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
            throw error("a string is not valid UTF-8")
        }
        return text
    }

    private mutating func readEscape(into decoded: inout [UInt8]) throws(JSONSyntaxError) {
        guard let byte = current else { throw error("the text ends inside an escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(byte)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try readHex4())
            if (0xD800...0xDBFF).contains(scalar) {
                guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                else { throw error("a lone high surrogate in a \\u escape") }
                position += 2
                let low = UInt32(try readHex4())
                guard (0xDC00...0xDFFF).contains(low) else { throw error("a high surrogate not followed by a low one") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("a lone low surrogate in a \\u escape")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("not a Unicode scalar") }
            decoded.append(contentsOf: String(Character(unicode)).utf8)
        default:
            throw error("an unknown escape in a string")
        }
    }

    private mutating func readHex4() throws(JSONSyntaxError) -> UInt16 {
        guard bytes.count - position >= 4 else { throw error("the text ends inside a \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("a \\u escape needs four hexadecimal digits")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    // MARK: Numbers

    private mutating func readNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        var integral = true
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, isDigit(first) else { throw error("a number needs a digit after '-'") }
        position += 1
        if first == UInt8(ascii: "0"), let next = current, isDigit(next) { throw error("a number with a leading zero") }
        skipDigits()
        if current == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard let next = current, isDigit(next) else { throw error("a number needs digits after '.'") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            integral = false
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let next = current, isDigit(next) else { throw error("a number needs digits in its exponent") }
            skipDigits()
        }
        let text = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
        if integral, let integer = Self.integer(text) { return .integer(integer) }
        // The grammar above admits only text `Double` parses; out of range reads as ±infinity.
        let number = Double(Substring(decoding: text, as: UTF8.self)) ?? .infinity
        return .number(number)
    }

    private mutating func skipDigits() {
        while let byte = current, isDigit(byte) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// An integer literal's value, or nil when it does not fit in `Int`.
    private static func integer(_ text: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        let negative = text.first == UInt8(ascii: "-")
        if negative { index = 1 }
        var value = 0
        while index < text.count {
            let digit = Int(text[index] - UInt8(ascii: "0"))
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflowA || overflowB { return nil }
            value = next
            index += 1
        }
        return value
    }
}
