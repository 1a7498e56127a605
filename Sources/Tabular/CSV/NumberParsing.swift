#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fast, exact parsing of decimal numbers from bytes.
///
/// Hand-written because parsing numbers dominates reading numeric CSV: `Double(String)`
/// needs a `String` per field and calls `strtod`. The fast path is Clinger's: when the
/// decimal significand has at most 19 digits and is ≤ 2⁵³, and the decimal exponent is
/// within ±22, both it and the power of ten are exact doubles and one IEEE multiplication
/// or division rounds correctly. Everything else (17-digit numbers as NumPy and pandas write
/// them, say) falls back to the C library's `strtod` on a copy of the field on the stack
/// (correctly rounded, no `String` made), after the text has been checked against the CSV
/// number grammar.
enum NumberParsing {
    /// The exact power of ten 10ᵉ for e in 0…22 (a switch, so no lazy global is touched
    /// per number).
    @inline(__always)
    static func powerOfTen(_ exponent: Int) -> Double {
        switch exponent {
        case 0: return 1
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    /// The hot path of numeric CSV columns: parses `[+-]? digits [. digits]` (at most 19
    /// digits, no exponent) starting at `p` and requires the byte after it to end the
    /// field (`delimiter`, LF, CR, or the end of the input at `limit`). Returns the value
    /// and the field's length, or `nil` for anything else (the caller then scans the field
    /// the general way), so one pass both finds the field's end and parses it.
    @inline(__always)
    static func parseNumericField(_ p: UnsafePointer<UInt8>, limit: Int, delimiter: UInt8) -> (value: Double, length: Int)? {
        var i = 0
        var negative = false
        if limit > 0 && (p[0] == 45 || p[0] == 43) {  // - +
            negative = p[0] == 45
            i = 1
        }
        var significand: UInt64 = 0
        let integerStart = i
        while i < limit {
            let d = p[i] &- 48
            if d > 9 { break }
            significand = significand &* 10 &+ UInt64(d)
            i += 1
        }
        var digits = i - integerStart
        var fractionDigits = 0
        if i < limit && p[i] == 46 {  // .
            i += 1
            let fractionStart = i
            while i < limit {
                let d = p[i] &- 48
                if d > 9 { break }
                significand = significand &* 10 &+ UInt64(d)
                i += 1
            }
            fractionDigits = i - fractionStart
            digits += fractionDigits
        }
        guard digits > 0 && digits <= 19 && fractionDigits <= 22 && significand <= (1 << 53) else { return nil }
        if i < limit {
            let c = p[i]
            guard c == delimiter || c == 10 || c == 13 else { return nil }
        }
        let magnitude = Double(significand) / powerOfTen(fractionDigits)
        return (negative ? -magnitude : magnitude, i)
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
    /// one significand digit, surrounding ASCII spaces allowed) or `inf`, `infinity` (any
    /// case, signed); `nil` otherwise. Never NaN: `nan` spellings are `nil` here (see
    /// ``isNaNSpelling(_:_:)``). A number beyond the `Double` range is ±infinity, so the
    /// caller checks `isFinite`.
    ///
    /// - Complexity: O(count).
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
            value = exponent < 0 ? value / powerOfTen(-exponent) : value * powerOfTen(exponent)
            return negative ? -value : value
        }
        if significand == 0 { return negative ? -0.0 : 0.0 }
        return correctlyRounded(p, count)
    }

    /// Text the fast grammar did not accept: surrounding spaces, or inf spellings.
    private static func slowPath(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        var start = 0, end = count
        while start < end && p[start] == 32 { start += 1 }
        while end > start && p[end - 1] == 32 { end -= 1 }
        if start > 0 || end < count {
            guard start < end else { return nil }
            return parseDouble(p + start, end - start)
        }
        switch special(p, count) {
        case .positiveInfinity?: return .infinity
        case .negativeInfinity?: return -.infinity
        case .notANumber?, nil: return nil
        }
    }

    /// Whether the text spells NaN the way a number parser would read it: `nan` in any
    /// case, signed or not, with surrounding ASCII spaces allowed.
    ///
    /// - Complexity: O(count).
    static func isNaNSpelling(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var start = 0, end = count
        while start < end && p[start] == 32 { start += 1 }
        while end > start && p[end - 1] == 32 { end -= 1 }
        return special(p + start, end - start) == .notANumber
    }

    enum Special { case notANumber, positiveInfinity, negativeInfinity }

    /// `[+-]?(nan|inf|infinity)` in any case, exactly; `nil` otherwise.
    private static func special(_ p: UnsafePointer<UInt8>, _ count: Int) -> Special? {
        guard count >= 3 && count <= 9 else { return nil }
        var text = ""
        for k in 0..<count {
            guard p[k] < 128 else { return nil }
            text.unicodeScalars.append(Unicode.Scalar(p[k] | 0x20))  // lowercase ASCII letters
        }
        var body = Substring(text)
        var negative = false
        if let first = body.first, first == "-" || first == "+" {
            negative = first == "-"
            body = body.dropFirst()
        }
        switch body {
        case "nan": return .notANumber
        case "inf", "infinity": return negative ? .negativeInfinity : .positiveInfinity
        default: return nil
        }
    }

    /// Grammar already checked: let the C library's `strtod` round correctly, on a copy of
    /// the field on the stack. `strtod` reads the decimal point of the process's locale, so
    /// a process whose locale uses another one takes `Double(String)` (the "C" locale).
    private static func correctlyRounded(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        guard count < 128, localeUsesDecimalPoint() else {
            return Double(String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self))
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer -> Double? in
            guard let base = buffer.baseAddress else { return nil }
            for k in 0..<count { base[k] = CChar(bitPattern: p[k]) }
            base[count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(base, &end)
            return end == base + count ? value : nil
        }
    }

    /// Whether the process's locale writes numbers with a `.` (the "C" locale, unless the
    /// host called `setlocale`).
    private static func localeUsesDecimalPoint() -> Bool {
        guard let conventions = localeconv(), let point = conventions.pointee.decimal_point else { return false }
        return point[0] == CChar(UInt8(ascii: ".")) && point[1] == 0
    }
}
