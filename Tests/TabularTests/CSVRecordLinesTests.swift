import Foundation
import Tabular
import Testing

@Suite("CSV record lines")
struct CSVRecordLinesTests {
    @Test("each record's starting line: quoted line breaks, blank lines, CRLF and a byte-order mark count as the reader counts them")
    func lines() throws {
        let text = "\u{FEFF}a,b\r\n1,\"two\nlines\"\r\n\r\n3,x\n\n\n4,\"y\"\n5,z"
        let table = try CSV.read(string: text)
        let lines = try CSV.recordLines(bytes: Array(text.utf8))
        #expect(lines == [2, 5, 8, 9])
        #expect(lines.count == table.rowCount)
        // A reader error in the second record names the same line.
        let bad = text.replacingOccurrences(of: "3,x", with: "3,x,extra")
        guard case .csv(let error)? = tabularError({ _ = try CSV.read(string: bad) }) else {
            Issue.record("expected a CSV error")
            return
        }
        #expect(error.line == lines[1])
        #expect(throws: TabularError.csv(CSVError(.emptyFile, file: nil, line: 1, column: 1))) { _ = try CSV.recordLines(bytes: []) }
    }

    @Test("from a file, as from bytes")
    func file() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("record-lines-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try "id,x\n1,2\n\n2,\"a\nb\"\n3,4\n".write(to: url, atomically: true, encoding: .utf8)
        #expect(try CSV.recordLines(contentsOf: url) == [2, 4, 6])
    }
}
