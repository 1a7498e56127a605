import Foundation
@testable import PipelinesServer
import Tabular
import Testing

@Suite("The request body reader and the answer writer: strict JSON, errors by record and feature")
struct JSONReaderWriterTests {
    static func read(_ text: String) throws -> JSONValue {
        try read(bytes: Array(text.utf8))
    }

    static func read(bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBytes { buffer in try JSONReader.value(in: buffer) }
    }

    /// The value as Foundation objects, to compare with `JSONSerialization`'s reading.
    static func foundation(_ value: JSONValue) -> NSObject {
        switch value {
        case .null: NSNull()
        case .boolean(let flag): NSNumber(value: flag)
        case .integer(let number): NSNumber(value: number)
        case .number(let number): NSNumber(value: number)
        case .string(let text): text as NSString
        case .array(let elements): elements.map(foundation) as NSArray
        case .object(let members): Dictionary(members.map { ($0.key, foundation($0.value)) }, uniquingKeysWith: { $1 }) as NSDictionary
        }
    }

    static let valid = [
        #"{"records": [{"x": 1, "y": -2.5e-3, "z": 0, "c": "red", "b": true, "n": null}]}"#,
        #"  [1, -0, 0.5, 1E+2, 1e-2, 12345678901234567890, -9223372036854775808, 9223372036854775807]  "#,
        #"{"escapes": "quote \" backslash \\ slash \/ \b\f\n\r\t", "unicode": "\u00e9\u4e2d\ud83d\ude00", "raw": "é中😀"}"#,
        #"{"empty": {}, "list": [], "nested": [[[{"a": [1, {"b": null}]}]]]}"#,
        "\"just a string\"", "42", "true", "null",
    ]

    @Test("valid documents read as JSONSerialization reads them", arguments: valid)
    func readsLikeFoundation(_ text: String) throws {
        let ours = Self.foundation(try Self.read(text))
        let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as? NSObject
        #expect(ours == theirs, "\(ours) vs \(String(describing: theirs))")
    }

    @Test("numbers: integer literals that fit are integers; others are doubles, exactly; out of range is infinite")
    func numbers() throws {
        guard case .array(let values) = try Self.read("[7, -7, 9223372036854775807, 9223372036854775808, 1.0, 0.1, 1e999, -1e999, 4.9e-324]")
        else { Issue.record("not a list"); return }
        #expect(values.count == 9)
        if case .integer(let n) = values[0] { #expect(n == 7) } else { Issue.record("7: \(values[0])") }
        if case .integer(let n) = values[1] { #expect(n == -7) } else { Issue.record("-7: \(values[1])") }
        if case .integer(let n) = values[2] { #expect(n == Int.max) } else { Issue.record("Int.max: \(values[2])") }
        if case .number(let x) = values[3] { #expect(x == 9223372036854775808.0) } else { Issue.record("2^63: \(values[3])") }
        if case .number(let x) = values[4] { #expect(x == 1.0) } else { Issue.record("1.0: \(values[4])") }
        if case .number(let x) = values[5] { #expect(x == 0.1) } else { Issue.record("0.1: \(values[5])") }
        if case .number(let x) = values[6] { #expect(x == .infinity) } else { Issue.record("1e999: \(values[6])") }
        if case .number(let x) = values[7] { #expect(x == -.infinity) } else { Issue.record("-1e999: \(values[7])") }
        if case .number(let x) = values[8] { #expect(x == .leastNonzeroMagnitude) } else { Issue.record("denormal: \(values[8])") }
    }

    static let invalid: [(String, [UInt8])] = [
        ("empty", []), ("blank", Array("  ".utf8)), ("truncated object", Array(#"{"a": 1"#.utf8)),
        ("trailing comma", Array("[1, 2,]".utf8)), ("leading zero", Array("[01]".utf8)), ("bare minus", Array("[-]".utf8)),
        ("dot without digits", Array("[1.]".utf8)), ("exponent without digits", Array("[1e]".utf8)),
        ("single quotes", Array("{'a': 1}".utf8)), ("comment", Array("[1] // no".utf8)), ("two values", Array("1 2".utf8)),
        ("unquoted key", Array("{a: 1}".utf8)), ("control character in a string", Array("\"a\u{01}b\"".utf8)),
        ("unknown escape", Array(#""\x""#.utf8)), ("short \\u escape", Array(#""\u12""#.utf8)),
        ("lone high surrogate", Array(#""\ud83d""#.utf8)), ("lone low surrogate", Array(#""\ude00""#.utf8)),
        ("invalid UTF-8", [0x22, 0xC3, 0x28, 0x22]), ("truncated UTF-8", [0x22, 0xE4, 0xB8, 0x22]),
        ("NaN", Array("[NaN]".utf8)), ("Infinity", Array("[Infinity]".utf8)), ("TRUE", Array("TRUE".utf8)),
        ("nested too deep", Array(String(repeating: "[", count: 100_000).utf8)),
    ]

    @Test("invalid documents are refused with where, never a crash (a 100,000-deep nesting too)")
    func refusesInvalid() {
        for (name, bytes) in Self.invalid {
            do {
                let value = try Self.read(bytes: bytes)
                Issue.record("\(name): read as \(value)")
            } catch let error as JSONSyntaxError {
                #expect(error.offset >= 0 && error.offset <= bytes.count, "\(name): \(error)")
                #expect(!error.message.isEmpty, "\(name)")
            } catch {
                Issue.record("\(name): \(error)")
            }
        }
        #expect((try? Self.read(String(repeating: "[", count: JSONReader.maximumDepth) + String(repeating: "]", count: JSONReader.maximumDepth))) != nil,
                "\(JSONReader.maximumDepth) levels are fine")
    }

    static func records(_ text: String) throws -> [[String: Value]] {
        try Array(text.utf8).withUnsafeBytes { bytes in try PredictionRequest.records(in: bytes) }
    }

    @Test("records: values by kind; a repeated feature or key is refused by name, not silently overwritten")
    func records() throws {
        let records = try Self.records(#"{"records": [{"x": 1, "y": 2.5, "c": "r\u00e9d", "b": false, "n": null}, {"x": -3}]}"#)
        #expect(records == [["x": .integer(1), "y": .numeric(2.5), "c": .categorical("réd"), "b": .boolean(false), "n": .missing],
                            ["x": .integer(-3)]])
        #expect(try Self.records(#"{"record": {"x": 1}}"#) == [["x": .integer(1)]])
        #expect(throws: ServerError.invalidRequest("record 1 gives feature 'x' more than once", record: 1, feature: "x")) {
            try Self.records(#"{"records": [{"x": 1}, {"x": 1, "y": 2, "x": 3}]}"#)
        }
        #expect(throws: ServerError.invalidRequest("the body repeats the key \"records\"")) {
            try Self.records(#"{"records": [{"x": 1}], "records": [{"x": 2}]}"#)
        }
        do {
            _ = try Self.records(#"{"records": [{"x": 1}"#)
            Issue.record("a truncated body was read")
        } catch let error as ServerError {
            #expect(error.code == "malformed_json")
            #expect(error.message.contains("at byte 21"), "\(error.message)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("the writer escapes what JSON needs and writes numbers that read back exactly")
    func writer() throws {
        let awkward = "quote \" backslash \\ newline \n tab \t bell \u{07} nul \u{0} é 😀"
        var writer = JSONWriter()
        writer.raw("[")
        writer.string(awkward)
        for number in [0.1, -0.0, 1e-7, 123456789.123456789, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 3.0] {
            writer.raw(",")
            writer.number(number)
        }
        writer.raw(",")
        writer.integer(Int.min)
        writer.raw(",")
        writer.number(.nan)
        writer.raw("]")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [Any])
        #expect(parsed[0] as? String == awkward)
        let numbers = parsed[1...7].compactMap { ($0 as? NSNumber)?.doubleValue }
        #expect(numbers == [0.1, -0.0, 1e-7, 123456789.123456789, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 3.0])
        #expect((parsed[8] as? NSNumber)?.int64Value == Int64.min)
        #expect(parsed[9] is NSNull, "no NaN in JSON")
    }
}
