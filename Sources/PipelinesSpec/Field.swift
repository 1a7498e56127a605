import Foundation

/// One value of the document with its key path: typed reads that fail with the path, the
/// position and "expected …, got …".
struct Field {
    let node: SpecNode
    let path: String
    let file: String?

    /// An error at this value.
    func error(_ reason: String) -> SpecError {
        SpecError(file: file, path: path, line: node.mark?.line, column: node.mark?.column, reason: reason)
    }

    /// "expected `expected`, got …".
    func typeError(expected: String) -> SpecError {
        error("expected \(expected), got \(node.kindDescription)")
    }

    var isNull: Bool { node.isNull }

    func string() throws(SpecError) -> String {
        guard case .scalar(.string(let value)) = node.content else { throw typeError(expected: "a string") }
        return value
    }

    func nonEmptyString() throws(SpecError) -> String {
        let value = try string()
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw error("must not be empty") }
        return value
    }

    func bool() throws(SpecError) -> Bool {
        guard case .scalar(.bool(let value)) = node.content else { throw typeError(expected: "a boolean (true or false)") }
        return value
    }

    /// A number: an integer or a real.
    func number() throws(SpecError) -> Double {
        switch node.content {
        case .scalar(.float(let value, _)): return value
        case .scalar(.int(let text)):
            guard let value = IntegerText.double(text) else { throw error("integer \(text) is out of range") }
            return value
        default: throw typeError(expected: "a number")
        }
    }

    func integer() throws(SpecError) -> Int {
        switch node.content {
        case .scalar(.int(let text)):
            guard let value = IntegerText.int(text) else { throw error("integer \(text) is out of range") }
            return value
        case .scalar(.float(_, let text)): throw error("expected an integer, got \(text)")
        default: throw typeError(expected: "an integer")
        }
    }

    /// A seed: an integer in `0...UInt64.max`.
    func seed() throws(SpecError) -> UInt64 {
        switch node.content {
        case .scalar(.int(let text)):
            guard let (negative, magnitude) = IntegerText.magnitude(text) else { throw error("integer \(text) is out of range") }
            guard !negative else { throw error("expected a non-negative integer, got \(text)") }
            return magnitude
        case .scalar(.float(_, let text)): throw error("expected a non-negative integer, got \(text)")
        default: throw typeError(expected: "a non-negative integer")
        }
    }

    func array() throws(SpecError) -> [Field] {
        guard case .sequence(let elements) = node.content else { throw typeError(expected: "an array") }
        return elements.enumerated().map { Field(node: $1, path: SpecPath.index(path, $0), file: file) }
    }

    func strings() throws(SpecError) -> [String] {
        var values: [String] = []
        for element in try array() { values.append(try element.string()) }
        return values
    }

    /// A string or an array of strings.
    func oneOrMoreStrings() throws(SpecError) -> [String] {
        switch node.content {
        case .scalar(.string(let value)): return [value]
        case .sequence: return try strings()
        default: throw typeError(expected: "a string or an array of strings")
        }
    }

    /// The value as an object whose keys must be among `allowed` (nil: any key).
    func object(allowed: [String]?) throws(SpecError) -> ObjectField {
        guard case .mapping(let entries) = node.content else { throw typeError(expected: "an object") }
        if let allowed {
            for entry in entries where !allowed.contains(entry.key) {
                throw SpecError(
                    file: file, path: SpecPath.child(path, entry.key), line: entry.keyMark?.line, column: entry.keyMark?.column,
                    reason: "unknown key '\(entry.key)' (allowed: \(allowed.joined(separator: ", ")))")
            }
        }
        return ObjectField(field: self, entries: entries)
    }
}

/// An object's keys, read by name.
struct ObjectField {
    let field: Field
    let entries: [SpecEntry]

    var path: String { field.path }

    /// Every key in order, as fields.
    var fields: [(key: String, field: Field)] {
        entries.map { ($0.key, Field(node: $0.value, path: SpecPath.child(field.path, $0.key), file: field.file)) }
    }

    /// The value of `key`, or nil when it is absent or null.
    func optional(_ key: String) -> Field? {
        guard let entry = entries.last(where: { $0.key == key }), !entry.value.isNull else { return nil }
        return Field(node: entry.value, path: SpecPath.child(field.path, key), file: field.file)
    }

    /// The value of `key`; absent is an error at this object ("missing required key"), and
    /// null at the value ("expected …, got null" from the typed read).
    func required(_ key: String) throws(SpecError) -> Field {
        guard let entry = entries.last(where: { $0.key == key }) else {
            let mark = field.node.mark
            throw SpecError(file: field.file, path: SpecPath.child(field.path, key), line: mark?.line, column: mark?.column,
                            reason: "missing required key '\(key)'")
        }
        return Field(node: entry.value, path: SpecPath.child(field.path, key), file: field.file)
    }

    /// Whether `key` is written (even as null).
    func contains(_ key: String) -> Bool {
        entries.contains { $0.key == key }
    }
}
