import Foundation
import Tabular
import Testing

/// The bad-input corpus: every case must be a typed error naming its line and column.
@Suite("CSV bad input")
struct CSVErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let bytes: [UInt8]
        let options: CSVOptions
        let kind: CSVError.Kind
        let line: Int
        let column: Int
        var description: String { name }

        init(_ name: String, _ text: String, options: CSVOptions = CSVOptions(), _ kind: CSVError.Kind, line: Int, column: Int) {
            self.init(name, Array(text.utf8), options: options, kind, line: line, column: column)
        }

        init(_ name: String, _ bytes: [UInt8], options: CSVOptions = CSVOptions(), _ kind: CSVError.Kind, line: Int, column: Int) {
            self.name = name
            self.bytes = bytes
            self.options = options
            self.kind = kind
            self.line = line
            self.column = column
        }
    }

    static let corpus: [Case] = [
        Case("ragged row, too many fields", "a,b\n1,2\n3,4,5\n", .raggedRow(expected: 2, found: 3), line: 3, column: 3),
        Case("ragged row, too few fields", "a,b,c\n1,2,3\n4,5\n", .raggedRow(expected: 3, found: 2), line: 3, column: 3),
        Case("ragged row after a multi-line quoted field", "a,b\n\"x\ny\",1\n2\n", .raggedRow(expected: 2, found: 1), line: 4, column: 2),
        Case("unterminated quote", "a,b\n1,\"open\n2,3\n", .unterminatedQuote, line: 2, column: 2),
        Case("unterminated quote in the header", "\"a,b\n1,2\n", .unterminatedQuote, line: 1, column: 1),
        Case("text after a closing quote", "a,b\n\"x\"y,2\n", .unexpectedCharacterAfterQuote, line: 2, column: 1),
        Case("invalid UTF-8 in a text field", Array("a,b\n1,ok\n2,".utf8) + [0xC3, 0x28] + Array("\n".utf8),
             .invalidUTF8, line: 3, column: 2),
        Case("invalid UTF-8 in a column that looked numeric", Array("a,b\n1,2\n3,".utf8) + [0xFF] + Array("\n".utf8),
             .invalidUTF8, line: 3, column: 2),
        Case("invalid UTF-8 in the header", Array("a,".utf8) + [0xFE] + Array("\n1,2\n".utf8), .invalidUTF8, line: 1, column: 2),
        Case("non-number in a numeric column", "a,b\n1,2\n3,abc\n", options: CSVOptions(schema: ["b": .numeric]),
             .invalidValue(value: "abc", columnName: "b", expected: .numeric), line: 3, column: 2),
        Case("fraction in an integer column", "a,b\n1,2\n3,4.5\n", options: CSVOptions(schema: ["b": .integer]),
             .invalidValue(value: "4.5", columnName: "b", expected: .integer), line: 3, column: 2),
        Case("non-boolean in a boolean column", "a\ntrue\nyes\n", options: CSVOptions(schema: ["a": .boolean]),
             .invalidValue(value: "yes", columnName: "a", expected: .boolean), line: 3, column: 1),
        Case("infinity in a numeric column", "a,b\n1,2.5\n3,inf\n", .infiniteValue(value: "inf", columnName: "b"), line: 3, column: 2),
        Case("-Infinity after integers", "a,b\n1,2\n3,-Infinity\n", .infiniteValue(value: "-Infinity", columnName: "b"), line: 3, column: 2),
        Case("a number beyond the Double range", "a\n1\n1e400\n", .infiniteValue(value: "1e400", columnName: "a"), line: 3, column: 1),
        Case("infinity in a schema-numeric column", "a,b\n1,+INF\n", options: CSVOptions(schema: ["b": .numeric]),
             .infiniteValue(value: "+INF", columnName: "b"), line: 2, column: 2),
        Case("the first of several infinities", "a,b\n1,inf\n-inf,2\n", .infiniteValue(value: "inf", columnName: "b"), line: 2, column: 2),
        Case("a NaN spelling that is not a missing-value token", "a,b\n1,2.5\n2,NAN\n", .notANumber(value: "NAN", columnName: "b"),
             line: 3, column: 2),
        Case("nan when the missing-value tokens leave it out", "a\n1.5\nnan\n", options: CSVOptions(missingValues: ["NA"]),
             .notANumber(value: "nan", columnName: "a"), line: 3, column: 1),
        Case("duplicate header names", "a,b,a\n1,2,3\n", .duplicateHeader("a"), line: 1, column: 3),
        Case("empty header name", "a,,c\n1,2,3\n", .emptyHeader, line: 1, column: 2),
        Case("empty file", "", .emptyFile, line: 1, column: 1),
        Case("only a byte-order mark", [0xEF, 0xBB, 0xBF], .emptyFile, line: 1, column: 1),
        Case("only blank lines", "\n\r\n\n", .emptyFile, line: 1, column: 1),
        Case("schema names a missing column", "a,b\n1,2\n", options: CSVOptions(schema: ["c": .numeric]),
             .unknownSchemaColumn("c"), line: 1, column: 1),
        Case("quote as delimiter", "a\n1\n", options: CSVOptions(delimiter: "\""), .invalidDelimiter("\""), line: 1, column: 1),
        Case("non-ASCII delimiter", "a\n1\n", options: CSVOptions(delimiter: "é"), .invalidDelimiter("é"), line: 1, column: 1),
    ]

    @Test("every bad input is a typed error with line and column", arguments: corpus)
    func badInput(_ item: Case) {
        let error = csvError { _ = try CSV.read(bytes: item.bytes, name: "corpus.csv", options: item.options) }
        #expect(error?.kind == item.kind, "\(item.name)")
        #expect(error?.line == item.line, "\(item.name): line")
        #expect(error?.column == item.column, "\(item.name): column")
        #expect(error?.file == "corpus.csv")
        #expect(error?.description.hasPrefix("corpus.csv:\(item.line):\(item.column): ") == true)
    }

    @Test("file errors carry the path; a missing file is unreadable")
    func fileErrors() throws {
        let directory = try temporaryDirectory()
        let url = directory.appendingPathComponent("bad.csv")
        try "a,b\n1,2\n3\n".write(to: url, atomically: true, encoding: .utf8)
        let error = csvError { _ = try CSV.read(contentsOf: url) }
        #expect(error?.file == url.path)
        #expect(error?.line == 3)
        let empty = directory.appendingPathComponent("empty.csv")
        try Data().write(to: empty)
        #expect(csvError { _ = try CSV.read(contentsOf: empty) }?.kind == .emptyFile)
        let missing = csvError { _ = try CSV.read(contentsOf: directory.appendingPathComponent("nope.csv")) }
        if case .unreadable? = missing?.kind {} else { Issue.record("expected unreadable, got \(String(describing: missing))") }
    }

    @Test("a failed read appends nothing to an existing table")
    func nothingAppended() throws {
        var table = try readCSV("a,b\n1,2\n")
        let before = table
        do {
            try table.append(try readCSV("a,b\n3,4\n5\n"))
            Issue.record("expected an error")
        } catch {}
        #expect(table == before)
    }
}
