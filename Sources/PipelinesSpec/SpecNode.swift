/// A position in the spec text: line and column from 1 (columns count Unicode scalars).
struct SpecMark: Sendable, Hashable {
    var line: Int
    var column: Int
}

/// A scalar, typed by the YAML 1.2 core schema (which JSON's values are a subset of).
enum SpecScalar: Sendable, Hashable {
    case null
    case bool(Bool)
    /// An integer, kept as written (it may not fit an `Int`; see ``IntegerText``).
    case int(String)
    /// A real number and the text it was written as.
    case float(Double, String)
    case string(String)
}

/// The parsed document: objects keep their keys in order with the keys' positions.
struct SpecNode: Sendable {
    enum Content: Sendable {
        case mapping([SpecEntry])
        case sequence([SpecNode])
        case scalar(SpecScalar)
    }

    var content: Content
    var mark: SpecMark?

    /// What the node is, for "expected …, got …" messages.
    var kindDescription: String {
        switch content {
        case .mapping: return "an object"
        case .sequence: return "an array"
        case .scalar(.null): return "null"
        case .scalar(.bool): return "a boolean"
        case .scalar(.int), .scalar(.float): return "a number"
        case .scalar(.string): return "a string"
        }
    }

    /// Whether the node is `null` (written `null`, `~` or left empty in YAML).
    var isNull: Bool {
        if case .scalar(.null) = content { return true }
        return false
    }
}

/// One key of an object, with where the key is written.
struct SpecEntry: Sendable {
    var key: String
    var keyMark: SpecMark?
    var value: SpecNode
}

/// Key paths as errors show them: `training.scores[1].name`.
enum SpecPath {
    static func child(_ parent: String, _ key: String) -> String {
        parent.isEmpty ? key : parent + "." + key
    }

    static func index(_ parent: String, _ index: Int) -> String {
        "\(parent)[\(index)]"
    }
}

/// The YAML 1.2 core schema's plain scalars: how `5`, `0.5`, `true` or `null` written
/// without quotes are typed.
enum CoreSchema {
    /// The scalar a plain (unquoted, untagged) value stands for.
    static func resolvePlain(_ text: String) -> SpecScalar {
        if isNull(text) { return .null }
        if let bool = bool(text) { return .bool(bool) }
        if IntegerText.isInteger(text) { return .int(text) }
        if let value = float(text) { return .float(value, text) }
        return .string(text)
    }

    static func isNull(_ text: String) -> Bool {
        ["", "~", "null", "Null", "NULL"].contains(text)
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`, `[-+]?.inf`, `.nan`
    /// (and their capitalized forms).
    static func float(_ text: String) -> Double? {
        var scalars = Substring(text).unicodeScalars[...]
        var negative = false
        if let sign = scalars.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            scalars = scalars.dropFirst()
        }
        let rest = String(scalars)
        if [".inf", ".Inf", ".INF"].contains(rest) { return negative ? -.infinity : .infinity }
        if [".nan", ".NaN", ".NAN"].contains(text) { return .nan }
        func digits() -> Int {
            let count = scalars.prefix { $0 >= "0" && $0 <= "9" }.count
            scalars = scalars.dropFirst(count)
            return count
        }
        var mantissaDigits = digits()
        if scalars.first == "." {
            scalars = scalars.dropFirst()
            let fraction = digits()
            // `.5` needs a digit after the point; `5.` needs one before it.
            if mantissaDigits == 0 && fraction == 0 { return nil }
            mantissaDigits += fraction
        }
        guard mantissaDigits > 0 else { return nil }
        if let e = scalars.first, e == "e" || e == "E" {
            scalars = scalars.dropFirst()
            if let sign = scalars.first, sign == "-" || sign == "+" { scalars = scalars.dropFirst() }
            guard digits() > 0 else { return nil }
        }
        guard scalars.isEmpty else { return nil }
        return Double(text)
    }
}

/// Integers as written: decimal with an optional sign, `0o` octal or `0x` hexadecimal.
enum IntegerText {
    static func isInteger(_ text: String) -> Bool {
        parts(text) != nil
    }

    /// The sign and the digits with their radix.
    private static func parts(_ text: String) -> (negative: Bool, digits: Substring, radix: Int)? {
        var body = Substring(text)
        if body.hasPrefix("0o") { return validated(false, body.dropFirst(2), 8) }
        if body.hasPrefix("0x") { return validated(false, body.dropFirst(2), 16) }
        var negative = false
        if let sign = body.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        return validated(negative, body, 10)
    }

    private static func validated(_ negative: Bool, _ digits: Substring, _ radix: Int) -> (negative: Bool, digits: Substring, radix: Int)? {
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.hexDigitValue.map { $0 < radix } == true }) else { return nil }
        return (negative, digits, radix)
    }

    /// The sign and magnitude; nil when the magnitude does not fit 64 bits.
    static func magnitude(_ text: String) -> (negative: Bool, magnitude: UInt64)? {
        guard let parts = parts(text), let magnitude = UInt64(parts.digits, radix: parts.radix) else { return nil }
        return (parts.negative && magnitude != 0, magnitude)
    }

    /// The value as an `Int`; nil when it does not fit.
    static func int(_ text: String) -> Int? {
        guard let (negative, magnitude) = magnitude(text) else { return nil }
        if negative {
            guard magnitude <= UInt64(Int.max) + 1 else { return nil }
            return Int(truncatingIfNeeded: 0 &- magnitude)
        }
        return magnitude <= UInt64(Int.max) ? Int(magnitude) : nil
    }

    /// The value as a `Double` (rounded when large).
    static func double(_ text: String) -> Double? {
        if let parts = parts(text), parts.radix == 10 { return Double(text) }
        guard let (negative, magnitude) = magnitude(text) else { return nil }
        return negative ? -Double(magnitude) : Double(magnitude)
    }
}
