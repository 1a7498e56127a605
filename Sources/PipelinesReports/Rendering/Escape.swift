/// Escaping of text and attribute values, shared by the SVG builder and the page.
///
/// Both HTML and SVG (XML) get the same treatment: `&`, `<`, `>`, `"` and `'` become
/// entities, and the characters XML 1.0 forbids (C0 controls other than tab, newline and
/// carriage return; C1 controls; U+FFFE and U+FFFF) are dropped, so every fragment stays
/// well-formed whatever a name or a hyper-parameter holds.
enum Escape {
    /// `text` with markup characters as entities and forbidden characters dropped, fit for
    /// element content and for a double-quoted attribute value.
    static func markup(_ text: String) -> String {
        guard text.utf8.contains(where: needsWork) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            default:
                if isForbidden(scalar) { continue }
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// Whether a UTF-8 byte may start something to replace (a markup character, a control
    /// character, or a lead byte of C1 controls or U+FFFE/U+FFFF).
    private static func needsWork(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): true
        case 0..<0x20, 0x7F: true
        case 0xC2, 0xEF: true
        default: false
        }
    }

    private static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0xFFFE, 0xFFFF: true
        default: false
        }
    }
}
