import Foundation
import Yams

/// Turns spec text into a ``SpecNode`` tree with line and column marks.
///
/// Both formats go through Yams (libyaml), which gives every node its mark; JSON text is
/// also checked by `JSONSerialization`, so YAML-only syntax (comments, single quotes, bare
/// words) is refused in a JSON file. Scalars are typed by the YAML 1.2 core schema, which
/// types JSON's values as JSON does.
enum DocumentReader {
    /// The document's root object.
    ///
    /// - Throws: ``SpecError`` for empty text, unparsable text, unsupported tags, a root
    ///   that is not an object, or keys that are not scalars.
    static func read(_ text: String, format: SpecFormat, file: String?) throws(SpecError) -> SpecNode {
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        func fail(_ reason: String, at mark: SpecMark? = nil, path: String = "") -> SpecError {
            SpecError(file: file, path: path, line: mark?.line, column: mark?.column, reason: reason)
        }
        guard !text.allSatisfy(\.isWhitespace) else { throw fail("empty file") }
        let root: Node?
        do {
            // The basic resolver leaves every plain scalar a string: ``CoreSchema`` types them.
            root = try Yams.compose(yaml: text, .basic)
        } catch {
            throw parseError(error, format: format, file: file)
        }
        if format == .json, let problem = jsonSyntaxProblem(text) {
            throw fail("unparsable JSON: \(problem.message)", at: problem.mark)
        }
        guard let root else { throw fail("empty file") }
        let node = try convert(root, path: "", file: file)
        switch node.content {
        case .mapping: return node
        case .scalar(.null): throw fail("empty file")
        default: throw fail("expected an object at the top level, got \(node.kindDescription)", at: node.mark)
        }
    }

    /// Whether `text` is JSON (strictly), for files whose extension does not say.
    static func isJSON(_ text: String) -> Bool {
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        return !text.allSatisfy(\.isWhitespace) && jsonSyntaxProblem(text) == nil
    }

    // MARK: - Yams nodes

    private static let strTag = "tag:yaml.org,2002:str"
    private static let intTag = "tag:yaml.org,2002:int"
    private static let floatTag = "tag:yaml.org,2002:float"
    private static let boolTag = "tag:yaml.org,2002:bool"
    private static let nullTag = "tag:yaml.org,2002:null"

    private static func convert(_ node: Node, path: String, file: String?) throws(SpecError) -> SpecNode {
        let mark = node.mark.map { SpecMark(line: $0.line, column: $0.column) }
        switch node {
        case .scalar(let scalar):
            return SpecNode(content: .scalar(try typed(scalar, path: path, mark: mark, file: file)), mark: mark)
        case .sequence(let sequence):
            var elements: [SpecNode] = []
            for (i, element) in sequence.enumerated() {
                elements.append(try convert(element, path: SpecPath.index(path, i), file: file))
            }
            return SpecNode(content: .sequence(elements), mark: mark)
        case .mapping(let mapping):
            var entries: [SpecEntry] = []
            for (key, value) in mapping {
                let keyMark = key.mark.map { SpecMark(line: $0.line, column: $0.column) }
                guard case .scalar(let scalar) = key else {
                    throw SpecError(file: file, path: path, line: keyMark?.line, column: keyMark?.column,
                                    reason: "expected a string key, got \(key.mapping != nil ? "an object" : "an array")")
                }
                let child = try convert(value, path: SpecPath.child(path, scalar.string), file: file)
                entries.append(SpecEntry(key: scalar.string, keyMark: keyMark, value: child))
            }
            return SpecNode(content: .mapping(entries), mark: mark)
        case .alias(let alias):
            throw SpecError(file: file, path: path, line: mark?.line, column: mark?.column,
                            reason: "unresolved alias '\(alias.anchor.rawValue)'")
        }
    }

    /// A scalar typed by its tag: quoted and `!!str` scalars are strings, plain ones follow
    /// the core schema, and `!!int`, `!!float`, `!!bool` and `!!null` must match theirs.
    private static func typed(_ scalar: Node.Scalar, path: String, mark: SpecMark?, file: String?) throws(SpecError) -> SpecScalar {
        let text = scalar.string
        func refuse(_ reason: String) -> SpecError {
            SpecError(file: file, path: path, line: mark?.line, column: mark?.column, reason: reason)
        }
        switch scalar.tag.rawValue {
        case "":
            return scalar.style == .plain || scalar.style == .any ? CoreSchema.resolvePlain(text) : .string(text)
        case "!", strTag:
            return .string(text)
        case intTag:
            guard IntegerText.isInteger(text) else { throw refuse("'\(text)' is not an integer (tagged !!int)") }
            return .int(text)
        case floatTag:
            if IntegerText.isInteger(text), let value = IntegerText.double(text) { return .float(value, text) }
            guard let value = CoreSchema.float(text) else { throw refuse("'\(text)' is not a number (tagged !!float)") }
            return .float(value, text)
        case boolTag:
            guard let value = CoreSchema.bool(text) else { throw refuse("'\(text)' is not a boolean (tagged !!bool)") }
            return .bool(value)
        case nullTag:
            guard CoreSchema.isNull(text) else { throw refuse("'\(text)' is not null (tagged !!null)") }
            return .null
        case let tag:
            throw refuse("unsupported tag '\(tag)' (use !!str, !!int, !!float, !!bool or !!null)")
        }
    }

    // MARK: - Errors

    private static func parseError(_ error: any Error, format: SpecFormat, file: String?) -> SpecError {
        let prefix = "unparsable \(format == .json ? "JSON" : "YAML"): "
        func at(_ mark: SpecMark?, _ reason: String) -> SpecError {
            SpecError(file: file, path: "", line: mark?.line, column: mark?.column, reason: prefix + reason)
        }
        /// libyaml's "problem (while parsing a flow sequence at line 2, column 11)", or Yams'
        /// "expected a single document in the stream, but found another document".
        func message(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context, !context.text.isEmpty else { return problem }
            guard context.text.hasPrefix("while ") else { return "\(context.text), \(problem)" }
            return "\(problem) (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
        }
        guard let error = error as? YamlError else { return at(nil, "\(error)") }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            return at(SpecMark(line: mark.line, column: mark.column), message(problem, context))
        case let .reader(problem, offset, _, yaml):
            return at(offset.map { mark(ofCharacterOffset: $0, in: yaml) }, problem)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return at(SpecMark(line: context.mark.line, column: context.mark.column), "duplicate key \(keys) in one object")
        default:
            return at(nil, "\(error)")
        }
    }

    private static func mark(ofCharacterOffset offset: Int, in text: String) -> SpecMark {
        let prefix = text.prefix(offset)
        let line = prefix.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        let column = prefix.reversed().prefix { $0 != "\n" }.reduce(1) { $0 + $1.unicodeScalars.count }
        return SpecMark(line: line, column: column)
    }

    // MARK: - Strict JSON

    /// Why `JSONSerialization` refuses the text, with the position it reports.
    private static func jsonSyntaxProblem(_ text: String) -> (message: String, mark: SpecMark?)? {
        let data = Data(text.utf8)
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            var message = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
            var mark: SpecMark?
            // "Invalid value around character 8." — a byte offset into the UTF-8 text.
            if let range = message.range(of: " around character ") {
                let digits = message[range.upperBound...].prefix { $0.isNumber }
                if let offset = Int(digits) { mark = self.mark(ofUTF8Offset: offset, in: text) }
                message = String(message[..<range.lowerBound])
            }
            if message.hasSuffix(".") { message.removeLast() }
            return (message.prefix(1).lowercased() + message.dropFirst(), mark)
        }
    }

    private static func mark(ofUTF8Offset offset: Int, in text: String) -> SpecMark {
        var line = 1
        var column = 1
        var consumed = 0
        for scalar in text.unicodeScalars {
            if consumed >= offset { break }
            consumed += UTF8.width(scalar)
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return SpecMark(line: line, column: column)
    }
}
