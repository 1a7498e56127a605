/// Fast, exact parsing of decimal numbers from bytes.
///
/// Hand-written because parsing numbers dominates reading numeric CSV: `Double(String)`
/// needs a `String` per field and calls `strtod`. The fast path is Clinger's: when the
/// decimal significand has at most 19 digits and is ≤ 2⁵³, and the decimal exponent is
/// within ±22, both it and the power of ten are exact doubles and one IEEE multiplication
/// or division rounds correctly. Everything else falls back to `Double(String)`
/// (correctly rounded), after the text has been checked against the CSV number grammar.
enum NumberParsing {
    /// Exact powers of ten 10⁰…10²².
    static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Parses `[+-]?digits` into an `Int`, or `nil` (no digits, other characters, overflow).
    @inline(__always)
    static func parseInt(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        var i = 0
        var negative = false
        if count > 0 && (p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+")) {
            negative = p[0] == UInt8(ascii: "-")
            i = 1
        }
        guard i < count else { return nil }
        var value = 0
        if count - i <= 18 {
            while i < count {
                let digit = Int(p[i]) &- 48
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value &* 10 &+ digit
                i += 1
            }
            return negative ? -value : value
        }
        while i < count {
            let digit = Int(p[i]) &- 48
            guard digit >= 0 && digit <= 9 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            guard !o1 && !o2 else { return nil }
            value = next
            i += 1
        }
        return value
    }

    /// Parses a decimal number (`[+-]? digits [. digits] [(e|E) [+-]? digits]`, at least
    /// one significand digit, surrounding ASCII spaces allowed) or one of `nan`, `inf`,
    /// `infinity` (any case, signed); `nil` otherwise.
    @inline(__always)
    static func parseDouble(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        var i = 0
        var negative = false
        if count > 0 && (p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+")) {
            negative = p[0] == UInt8(ascii: "-")
            i = 1
        }
        var significand: UInt64 = 0
        var digits = 0
        var significantDigits = 0
        var exponent = 0
        var sawDigit = false
        // Integer part.
        while i < count {
            let d = p[i] &- 48
            guard d <= 9 else { break }
            sawDigit = true
            if significantDigits > 0 || d != 0 { significantDigits += 1 }
            if significantDigits <= 19 { significand = significand &* 10 &+ UInt64(d) } else { exponent += 1 }
            digits += 1
            i += 1
        }
        // Fraction.
        if i < count && p[i] == UInt8(ascii: ".") {
            i += 1
            while i < count {
                let d = p[i] &- 48
                guard d <= 9 else { break }
                sawDigit = true
                if significantDigits > 0 || d != 0 { significantDigits += 1 }
                if significantDigits <= 19 {
                    significand = significand &* 10 &+ UInt64(d)
                    exponent -= 1
                }
                digits += 1
                i += 1
            }
        }
        guard sawDigit else { return slowPath(p, count) }
        // Exponent.
        if i < count && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            i += 1
            var exponentNegative = false
            if i < count && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
                exponentNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            var explicit = 0
            var sawExponentDigit = false
            while i < count {
                let d = p[i] &- 48
                guard d <= 9 else { break }
                sawExponentDigit = true
                if explicit < 100_000 { explicit = explicit * 10 + Int(d) }
                i += 1
            }
            guard sawExponentDigit else { return slowPath(p, count) }
            exponent += exponentNegative ? -explicit : explicit
        }
        guard i == count else { return slowPath(p, count) }
        if significantDigits <= 19 && significand <= (1 << 53) && exponent >= -22 && exponent <= 22 {
            var value = Double(significand)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
            return negative ? -value : value
        }
        if significand == 0 { return negative ? -0.0 : 0.0 }
        return correctlyRounded(p, count)
    }

    /// Text the fast grammar did not accept: surrounding spaces, or nan/inf spellings.
    private static func slowPath(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        var start = 0, end = count
        while start < end && p[start] == 32 { start += 1 }
        while end > start && p[end - 1] == 32 { end -= 1 }
        if start > 0 || end < count {
            guard start < end else { return nil }
            return parseDouble(p + start, end - start)
        }
        guard count <= 9 else { return nil }
        var text = ""
        for k in 0..<count {
            guard p[k] < 128 else { return nil }
            text.unicodeScalars.append(Unicode.Scalar(p[k] | 0x20))  // lowercase ASCII letters
        }
        var body = Substring(text)
        var sign = 1.0
        if let first = body.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        switch body {
        case "nan": return .nan
        case "inf", "infinity": return sign * .infinity
        default: return nil
        }
    }

    /// Grammar already checked: let the standard library round correctly.
    private static func correctlyRounded(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        let text = String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)
        return Double(text)
    }
}
