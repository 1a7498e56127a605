import Foundation

// MARK: - Parsing

/// A whitespace-separated word and its 1-based column.
struct CronToken {
    var text: String
    var column: Int

    /// Splits on whitespace, remembering where each word starts.
    static func split(_ text: String) -> [CronToken] {
        var tokens: [CronToken] = []
        var current = ""
        var start = 0
        for (offset, character) in text.enumerated() {
            if character.isWhitespace {
                if !current.isEmpty { tokens.append(CronToken(text: current, column: start + 1)) }
                current = ""
            } else {
                if current.isEmpty { start = offset }
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append(CronToken(text: current, column: start + 1)) }
        return tokens
    }
}

/// Parses one field into a bit mask.
struct FieldParser {
    let expression: String

    struct Result {
        var mask: UInt64
        var isStar: Bool
    }

    func parse(_ token: CronToken, as field: CronExpression.Field) throws(CronError) -> Result {
        var mask: UInt64 = 0
        let characters = Array(token.text)
        var itemStart = 0
        for index in 0...characters.count where index == characters.count || characters[index] == "," {
            let item = String(characters[itemStart..<index])
            let column = token.column + itemStart
            guard !item.isEmpty else { throw error(field, column, .emptyListItem) }
            mask |= try parseItem(item, column: column, field: field)
            itemStart = index + 1
        }
        return Result(mask: mask, isStar: token.text.hasPrefix("*"))
    }

    /// One list element: `*`, `a`, `a-b`, optionally followed by `/step`.
    private func parseItem(_ item: String, column: Int, field: CronExpression.Field) throws(CronError) -> UInt64 {
        let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let base = String(parts[0])
        var step = 1
        if parts.count == 2 {
            let stepText = String(parts[1])
            let stepColumn = column + base.count + 1
            guard !stepText.isEmpty, stepText.allSatisfy(\.isASCIIDigit) else {
                throw error(field, stepColumn, .invalidStep(stepText))
            }
            // A step wider than the field behaves like one step past its end; capping it
            // also keeps `stride` far from overflow for absurdly long numbers.
            let value = Int(stepText) ?? Int.max
            guard value >= 1 else { throw error(field, stepColumn, .stepMustBePositive) }
            step = min(value, 64)
        }
        let lower: Int
        let upper: Int
        if base == "*" {
            (lower, upper) = (field.bounds.lowerBound, field.bounds.upperBound)
        } else if let dash = base.firstIndex(of: "-") {
            let first = String(base[..<dash])
            let second = String(base[base.index(after: dash)...])
            let secondColumn = column + first.count + 1
            guard !first.isEmpty, !second.isEmpty, !second.contains("-") else {
                throw error(field, column, .invalidValue(base))
            }
            lower = try value(first, column: column, field: field)
            upper = try value(second, column: secondColumn, field: field)
            guard lower <= upper else { throw error(field, column, .reversedRange(lower: lower, upper: upper)) }
        } else {
            lower = try value(base, column: column, field: field)
            upper = parts.count == 2 ? field.bounds.upperBound : lower
        }
        var mask: UInt64 = 0
        for value in stride(from: lower, through: upper, by: step) {
            mask |= 1 << UInt64(value)
        }
        return mask
    }

    /// A number or a name, checked against the field's range.
    private func value(_ text: String, column: Int, field: CronExpression.Field) throws(CronError) -> Int {
        if let named = field.names[text.lowercased()] { return named }
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit) else {
            throw error(field, column, .invalidValue(text))
        }
        guard let number = Int(text) else { throw error(field, column, .invalidValue(text)) }
        guard field.bounds.contains(number) else {
            throw error(field, column, .outOfRange(value: number, range: field.bounds))
        }
        return number
    }

    private func error(_ field: CronExpression.Field, _ column: Int, _ reason: CronError.Reason) -> CronError {
        CronError(expression: expression, field: field, column: column, reason: reason)
    }
}

fileprivate extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
