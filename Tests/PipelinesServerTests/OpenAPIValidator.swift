import Foundation
import PipelinesServer

/// A JSON value, decoded without losing the difference between booleans and numbers.
enum JSON: Decodable, Equatable, CustomStringConvertible {
    case null
    case boolean(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .boolean(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([JSON].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: JSON].self))
        }
    }

    /// Parses `text`.
    static func parse(_ text: String) throws -> JSON {
        try JSONDecoder().decode(JSON.self, from: Data(text.utf8))
    }

    subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var kind: String {
        switch self {
        case .null: "null"
        case .boolean: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .boolean(let flag): "\(flag)"
        case .number(let number): "\(number)"
        case .string(let text): "\"\(text)\""
        case .array(let items): "[\(items.map(\.description).joined(separator: ","))]"
        case .object(let members): "{\(members.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ","))}"
        }
    }
}

/// Checks JSON answers against the server's OpenAPI document, for the JSON-Schema subset
/// the document uses: `$ref`, `type`, `properties`, `required`, `additionalProperties`
/// (false or a schema), `items`, `enum`, `nullable`, `anyOf`, `oneOf`, `minimum`,
/// `maximum`, `minItems`, `maxItems`, `pattern`. An unsupported keyword is reported, so
/// the document cannot quietly outgrow the check.
struct OpenAPIValidator {
    let document: JSON

    static let keywords: Set<String> = [
        "$ref", "type", "properties", "required", "additionalProperties", "items", "enum", "nullable", "anyOf", "oneOf",
        "minimum", "maximum", "minItems", "maxItems", "pattern", "description", "format",
    ]

    init() throws {
        document = try JSON.parse(PredictionServer.openAPIDocument)
    }

    /// The problems of `body` as the answer `status` to `method` on `path` (a template of the
    /// document, like `/v1/endpoints/{name}`); empty when it conforms.
    func problems(path: String, method: String, status: Int, body: String) -> [String] {
        guard let operation = document["paths"]?[path]?[method.lowercased()] else { return ["\(method) \(path) is not in the document"] }
        guard var response = operation["responses"]?[String(status)] else { return ["\(method) \(path): status \(status) is not documented"] }
        if case .string(let reference)? = response["$ref"], let resolved = resolve(reference) { response = resolved }
        guard let schema = response["content"]?["application/json"]?["schema"] else {
            return ["\(method) \(path) \(status): no application/json schema"]
        }
        guard let value = try? JSON.parse(body) else { return ["\(method) \(path) \(status): the body is not JSON: \(body.prefix(200))"] }
        return validate(value, against: schema, at: "$")
    }

    /// The node `reference` (`#/components/…`) points to.
    func resolve(_ reference: String) -> JSON? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: JSON? = document
        for part in reference.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node
    }

    func validate(_ value: JSON, against schema: JSON, at path: String) -> [String] {
        guard case .object(let rules) = schema else { return ["\(path): the schema is not an object"] }
        if let unsupported = rules.keys.sorted().first(where: { !Self.keywords.contains($0) }) {
            return ["\(path): the validator does not support '\(unsupported)'"]
        }
        if case .string(let reference)? = rules["$ref"] {
            guard let resolved = resolve(reference) else { return ["\(path): unresolvable \(reference)"] }
            return validate(value, against: resolved, at: path)
        }
        if value == .null {
            return rules["nullable"] == .boolean(true) ? [] : ["\(path): null where the schema does not allow it"]
        }
        if case .string(let type)? = rules["type"], !Self.matches(value, type: type) {
            return ["\(path): expected \(type), got \(value.kind)"]
        }
        var problems: [String] = []
        if case .array(let allowed)? = rules["enum"], !allowed.contains(value) {
            problems.append("\(path): \(value) is not one of \(allowed)")
        }
        if case .array(let choices)? = rules["anyOf"], !choices.contains(where: { validate(value, against: $0, at: path).isEmpty }) {
            problems.append("\(path): \(value) matches none of anyOf")
        }
        if case .array(let choices)? = rules["oneOf"] {
            let matching = choices.filter { validate(value, against: $0, at: path).isEmpty }.count
            if matching != 1 { problems.append("\(path): matches \(matching) of oneOf (exactly 1 expected)") }
        }
        if case .number(let number) = value {
            if case .number(let minimum)? = rules["minimum"], number < minimum { problems.append("\(path): \(number) < \(minimum)") }
            if case .number(let maximum)? = rules["maximum"], number > maximum { problems.append("\(path): \(number) > \(maximum)") }
        }
        if case .string(let text) = value, case .string(let pattern)? = rules["pattern"],
           text.range(of: pattern, options: .regularExpression) == nil {
            problems.append("\(path): '\(text)' does not match \(pattern)")
        }
        if case .object(let members) = value {
            if case .array(let required)? = rules["required"] {
                for case .string(let name) in required where members[name] == nil { problems.append("\(path): missing required '\(name)'") }
            }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let property = rules["properties"]?[name] {
                    problems += validate(member, against: property, at: "\(path).\(name)")
                } else if let additional = rules["additionalProperties"], additional != .boolean(true) {
                    if additional == .boolean(false) {
                        problems.append("\(path): unexpected property '\(name)'")
                    } else {
                        problems += validate(member, against: additional, at: "\(path).\(name)")
                    }
                }
            }
        }
        if case .array(let items) = value {
            if case .number(let minimum)? = rules["minItems"], Double(items.count) < minimum { problems.append("\(path): fewer than \(minimum) items") }
            if case .number(let maximum)? = rules["maxItems"], Double(items.count) > maximum { problems.append("\(path): more than \(maximum) items") }
            if let schema = rules["items"] {
                for (index, item) in items.enumerated() { problems += validate(item, against: schema, at: "\(path)[\(index)]") }
            }
        }
        return problems
    }

    /// The keywords of `schema` and every schema inside it that the validator does not check.
    func unsupportedKeywords(in schema: JSON, at path: String) -> [String] {
        guard case .object(let rules) = schema else { return [] }
        var found = rules.keys.filter { !Self.keywords.contains($0) }.map { "\(path).\($0)" }
        if case .object(let properties)? = rules["properties"] {
            for (name, property) in properties { found += unsupportedKeywords(in: property, at: "\(path).properties.\(name)") }
        }
        for key in ["items", "additionalProperties"] {
            if let inner = rules[key] { found += unsupportedKeywords(in: inner, at: "\(path).\(key)") }
        }
        for key in ["anyOf", "oneOf"] {
            if case .array(let choices)? = rules[key] {
                for (index, choice) in choices.enumerated() { found += unsupportedKeywords(in: choice, at: "\(path).\(key)[\(index)]") }
            }
        }
        return found
    }

    static func matches(_ value: JSON, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .boolean), ("number", .number): true
        case ("integer", .number(let number)): number.rounded() == number
        default: false
        }
    }
}
