import Foundation
import Tabular
import Testing

@Suite("CSV chunk reader")
struct CSVChunkReaderTests {
    /// Writes `bytes` to a new file under the temporary directory (the caller removes it).
    private func temporaryFile(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("chunk-reader-\(UUID().uuidString).csv")
        try Data(bytes).write(to: url)
        return url
    }

    private func temporaryFile(_ text: String) throws -> URL {
        try temporaryFile(Array(text.utf8))
    }

    /// Every chunk of `reader`, `maxRows` records at a time.
    private func allChunks(_ reader: CSVChunkReader, maxRows: Int) throws -> [CSVChunk] {
        var chunks: [CSVChunk] = []
        while let chunk = try reader.next(maxRows: maxRows) { chunks.append(chunk) }
        return chunks
    }

    /// The chunks' columns, parsed as `types` and concatenated; records an issue for any
    /// problem reported.
    private func concatenated(_ chunks: [CSVChunk], types: [ColumnType], sourceLocation: SourceLocation = #_sourceLocation) throws -> [Column] {
        var columns: [Column] = []
        for chunk in chunks {
            #expect(chunk.fieldCountProblems.isEmpty, sourceLocation: sourceLocation)
            for (index, type) in types.enumerated() {
                let (column, problems) = chunk.column(index, as: type)
                #expect(problems.isEmpty, "\(problems)", sourceLocation: sourceLocation)
                #expect(column.count == chunk.rowCount, sourceLocation: sourceLocation)
                if columns.count == index { columns.append(column) } else { try columns[index].append(contentsOf: column) }
            }
        }
        return columns
    }

    /// A file of numeric, integer, boolean, categorical (quoted delimiters, doubled quotes
    /// and line breaks, quoted and unquoted tokens) and integer-looking text fields, blank
    /// lines among them.
    private static let mixedCSV: String = {
        let prices = ["2.5", "3", "-0.125", "NA", "", "1e3", "+7.75", "nan", "12345678901234567890", "0.1"]
        let flags = ["true", "FALSE", "True", "", "NULL", "false", "TRUE"]
        let cities = [
            "Berlin", "\"New\nYork\"", "\"a, \"\"b\"\"\"", "\"NA\"", "NA", "\"\"", "Zürich", "", " spaced ", "\"x\r\ny\"", "n/a",
        ]
        var lines = ["id,price,active,city,zip"]
        for i in 0..<61 {
            let id = i % 13 == 5 ? "" : (i % 17 == 9 ? "NA" : String(i * 7 - 40))
            let zip = i % 9 == 4 ? "" : String(repeating: "0", count: i % 3) + String(100 + i * 37)
            lines.append([id, prices[i % prices.count], flags[i % flags.count], cities[i % cities.count], zip].joined(separator: ","))
            if i % 8 == 3 { lines.append("") }
            if i % 19 == 0 { lines.append("\r") }
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test("chunks of any size concatenate to exactly what CSV.read returns", arguments: [1, 2, 3, 7, 16, 1000])
    func concatenation(maxRows: Int) throws {
        let url = try temporaryFile(Self.mixedCSV)
        defer { try? FileManager.default.removeItem(at: url) }
        let options = CSVOptions(schema: ["zip": .categorical])
        let table = try CSV.read(contentsOf: url, options: options)
        #expect(table.schema.columns.map(\.type) == [.integer, .numeric, .boolean, .categorical, .categorical])
        #expect(table.rowCount == 61)

        let reader = try CSVChunkReader(contentsOf: url, options: options)
        #expect(reader.header == table.columnNames)
        let chunks = try allChunks(reader, maxRows: maxRows)
        #expect(chunks.allSatisfy { $0.rowCount >= 1 && $0.rowCount <= maxRows })
        #expect(chunks.dropLast().allSatisfy { $0.rowCount == maxRows })
        let columns = try concatenated(chunks, types: table.schema.columns.map(\.type))
        for (column, expected) in zip(columns, table.columns) {
            #expect(column.values == expected.values, "\(column.name)")
            #expect(column.missing == expected.missing, "\(column.name)")
        }
        #expect(try Table(columns) == table)
        #expect(chunks.flatMap(\.lines) == (try CSV.recordLines(contentsOf: url)))
        // Pass-through text: the quoted line break and doubled quotes as the table has them.
        let texts = chunks.flatMap { chunk in (0..<chunk.rowCount).map { chunk.text(row: $0, column: 3) } }
        #expect(texts[1] == "New\nYork")
        #expect(texts[2] == "a, \"b\"")
        #expect(texts[9] == "x\r\ny")
        #expect(texts[4] == "NA")
    }

    @Test("line numbers count blank lines and line breaks inside quotes", arguments: [1, 2, 3, 5])
    func lineNumbers(maxRows: Int) throws {
        let text = "a,b\n\n1,\"x\ny\"\n\n\n2,z\r\n3,\"p\r\nq\r\nr\"\n4,w"
        let url = try temporaryFile(text)
        defer { try? FileManager.default.removeItem(at: url) }
        let chunks = try allChunks(try CSVChunkReader(contentsOf: url), maxRows: maxRows)
        #expect(chunks.flatMap(\.lines) == [3, 7, 8, 11])
        #expect(chunks.flatMap(\.lines) == (try CSV.recordLines(contentsOf: url)))
        let b = chunks.flatMap { chunk in (0..<chunk.rowCount).map { chunk.text(row: $0, column: 1) } }
        #expect(b == ["x\ny", "z", "p\r\nq\r\nr", "w"])
    }

    @Test("a field that does not parse is reported with its line and column; the other rows are intact")
    func badField() throws {
        let url = try temporaryFile("id,x,y\n1,2.5,a\n\n2,abc,b\n3,4,c\n4,inf,d\n5,NAN,e\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let path = url.path
        let reader = try CSVChunkReader(contentsOf: url)
        let chunk = try #require(try reader.next(maxRows: 100))
        #expect(chunk.rowCount == 5)
        #expect(chunk.lines == [2, 4, 5, 6, 7])

        let (x, problems) = chunk.column(1, as: .numeric)
        #expect(x.values == .numeric([2.5, 0, 4, 0, 0]))
        #expect(x.missing.missingIndices == [1, 3, 4])
        #expect(problems == [
            1: CSVError(.invalidValue(value: "abc", columnName: "x", expected: .numeric), file: path, line: 4, column: 2),
            3: CSVError(.infiniteValue(value: "inf", columnName: "x"), file: path, line: 6, column: 2),
            4: CSVError(.notANumber(value: "NAN", columnName: "x"), file: path, line: 7, column: 2),
        ])
        // The same error CSV.read throws for that column's type.
        let readError = csvError { _ = try CSV.read(contentsOf: url, options: CSVOptions(schema: ["x": .numeric])) }
        #expect(readError == problems[1])

        let (id, idProblems) = chunk.column(0, as: .integer)
        #expect(id == Column(name: "id", integer: [1, 2, 3, 4, 5]))
        #expect(idProblems.isEmpty)
        #expect(chunk.column(2, as: .categorical).column == Column(name: "y", categorical: ["a", "b", "c", "d", "e"]))

        // A name given is the column's and the errors'; infinities allowed are values.
        let (renamed, renamedProblems) = chunk.column(1, as: .numeric, named: "price")
        #expect(renamed.name == "price")
        #expect(renamedProblems[1]?.kind == .invalidValue(value: "abc", columnName: "price", expected: .numeric))
        let lenient = try #require(try CSVChunkReader(contentsOf: url, options: CSVOptions(allowsInfinity: true)).next(maxRows: 10))
        let (infinite, infiniteProblems) = lenient.column(1, as: .numeric)
        #expect(infinite[3] == .numeric(.infinity))
        #expect(Set(infiniteProblems.keys) == [1, 4])
        // Booleans and integers refuse what is not theirs the same way.
        let (flags, flagProblems) = chunk.column(2, as: .boolean)
        #expect(flags.missing.missingCount == 5)
        #expect(flagProblems[0] == CSVError(.invalidValue(value: "a", columnName: "y", expected: .boolean), file: path, line: 2, column: 3))
        #expect(chunk.column(1, as: .integer).problems.keys.sorted() == [0, 1, 3, 4])
    }

    @Test("a short or long record is reported in fieldCountProblems and is missing in every column")
    func fieldCounts() throws {
        let url = try temporaryFile("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let path = url.path
        let chunks = try allChunks(try CSVChunkReader(contentsOf: url), maxRows: 2)
        #expect(chunks.map(\.rowCount) == [2, 2])
        #expect(chunks[0].fieldCountProblems == [1: CSVError(.raggedRow(expected: 3, found: 2), file: path, line: 3, column: 3)])
        #expect(chunks[1].fieldCountProblems == [0: CSVError(.raggedRow(expected: 3, found: 4), file: path, line: 4, column: 4)])
        // CSV.read throws the first of them.
        #expect(csvError { _ = try CSV.read(contentsOf: url) } == chunks[0].fieldCountProblems[1])

        let columns = try concatenatedIgnoringFieldCounts(chunks)
        #expect(columns[0] == Column(name: "a", integer: [1, nil, nil, 10]))
        #expect(columns[2] == Column(name: "c", integer: [3, nil, nil, 12]))
        // The text of the fields there are; a field past the end of a short record is empty.
        #expect(chunks[0].text(row: 1, column: 1) == "5")
        #expect(chunks[0].text(row: 1, column: 2) == "")
        #expect(chunks[1].text(row: 0, column: 2) == "8")
    }

    /// Columns 0..<3 as integers, no parse problem expected.
    private func concatenatedIgnoringFieldCounts(_ chunks: [CSVChunk]) throws -> [Column] {
        var columns: [Column] = []
        for chunk in chunks {
            for index in 0..<3 {
                let (column, problems) = chunk.column(index, as: .integer)
                #expect(problems.isEmpty)
                if columns.count == index { columns.append(column) } else { try columns[index].append(contentsOf: column) }
            }
        }
        return columns
    }

    @Test("byte-order mark, CRLF and another delimiter read as CSV.read reads them")
    func bomAndCRLF() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("név;ár;megj\r\nkörte;3;\"x\r\ny\"\r\n\r\nalma;4.5;\"\"\"q\"\";r\"\r\nszilva;;NA\r\n".utf8)
        let url = try temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(at: url) }
        let options = CSVOptions(delimiter: ";")
        let table = try CSV.read(contentsOf: url, options: options)
        let reader = try CSVChunkReader(contentsOf: url, options: options)
        #expect(reader.header == ["név", "ár", "megj"])
        let chunks = try allChunks(reader, maxRows: 2)
        #expect(chunks.flatMap(\.lines) == [2, 5, 6])
        let columns = try concatenated(chunks, types: table.schema.columns.map(\.type))
        #expect(try Table(columns) == table)
        #expect(chunks[0].text(row: 0, column: 2) == "x\r\ny")
        #expect(chunks[0].text(row: 1, column: 2) == "\"q\";r")
        #expect(chunks[1].text(row: 0, column: 1) == "")
        #expect(reader.bytesRead == reader.byteCount)
    }

    @Test("text is the field as written: no trimming, tokens kept, quotes undone")
    func text() throws {
        let url = try temporaryFile("a,b\n 1.50 ,NA\n\"\",\"say \"\"hi\"\"\"\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let chunk = try #require(try CSVChunkReader(contentsOf: url).next(maxRows: 10))
        #expect(chunk.text(row: 0, column: 0) == " 1.50 ")
        #expect(chunk.text(row: 0, column: 1) == "NA")
        #expect(chunk.text(row: 1, column: 0) == "")
        #expect(chunk.text(row: 1, column: 1) == "say \"hi\"")
    }

    @Test("bytesRead grows with every chunk and reaches byteCount with the last")
    func progress() throws {
        var text = "a,b\n"
        for i in 0..<50 { text += "\(i),\(i % 3 == 0 ? "\"q\nq\"" : "v")\n" }
        text += "\n\n"
        let url = try temporaryFile(text)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try CSVChunkReader(contentsOf: url)
        #expect(reader.byteCount == text.utf8.count)
        #expect(reader.bytesRead == 4)
        var previous = reader.bytesRead
        var rows = 0
        while let chunk = try reader.next(maxRows: 7) {
            #expect(reader.bytesRead > previous)
            previous = reader.bytesRead
            rows += chunk.rowCount
            if rows == 50 { #expect(reader.bytesRead == reader.byteCount) }
        }
        #expect(rows == 50)
        #expect(reader.bytesRead == reader.byteCount)
        #expect(try reader.next(maxRows: 7) == nil)
    }

    @Test("an empty file throws emptyFile as CSV.read does; a header-only file has no chunks")
    func emptyAndHeaderOnly() throws {
        for bytes in [[], [0xEF, 0xBB, 0xBF], Array("\n\r\n".utf8)] as [[UInt8]] {
            let url = try temporaryFile(bytes)
            defer { try? FileManager.default.removeItem(at: url) }
            let expected = CSVError(.emptyFile, file: url.path, line: 1, column: 1)
            #expect(csvError { _ = try CSVChunkReader(contentsOf: url) } == expected)
            #expect(csvError { _ = try CSV.read(contentsOf: url) } == expected)
        }
        for text in ["a,b\n", "a,b", "a,b\r\n\r\n"] {
            let url = try temporaryFile(text)
            defer { try? FileManager.default.removeItem(at: url) }
            let reader = try CSVChunkReader(contentsOf: url)
            #expect(reader.header == ["a", "b"])
            #expect(try reader.next(maxRows: 10) == nil)
            #expect(reader.bytesRead == reader.byteCount)
        }
        // The header rules are CSV.read's.
        let duplicate = try temporaryFile("a,b,a\n1,2,3\n")
        defer { try? FileManager.default.removeItem(at: duplicate) }
        #expect(csvError { _ = try CSVChunkReader(contentsOf: duplicate) } == csvError { _ = try CSV.read(contentsOf: duplicate) })
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("chunk-reader-absent-\(UUID().uuidString).csv")
        guard case .unreadable? = csvError({ _ = try CSVChunkReader(contentsOf: missing) })?.kind else {
            Issue.record("expected unreadable")
            return
        }
    }

    @Test("an unterminated quote throws with its line, then again; maxRows must be positive")
    func structuralErrors() throws {
        let url = try temporaryFile("a,b\n1,2\n3,\"open\n4,5\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try CSVChunkReader(contentsOf: url)
        #expect(try reader.next(maxRows: 1)?.rowCount == 1)
        let expected = CSVError(.unterminatedQuote, file: url.path, line: 3, column: 2)
        #expect(csvError { _ = try reader.next(maxRows: 1) } == expected)
        #expect(csvError { _ = try reader.next(maxRows: 1) } == expected)
        #expect(csvError { _ = try CSV.read(contentsOf: url) } == expected)
        guard case .invalidArgument? = tabularError({ _ = try CSVChunkReader(contentsOf: url).next(maxRows: 0) }) else {
            Issue.record("expected invalidArgument")
            return
        }
    }

    @Test("a file of several release intervals reads right; an old chunk stays readable after its pages are released")
    func largeFile() throws {
        let padding = String(repeating: "p", count: 200)
        var text = "id,x,pad\n"
        text.reserveCapacity(100_000 * 220)
        for i in 0..<100_000 { text += "\(i),\(i % 10).5,\(padding)\n" }
        let url = try temporaryFile(text)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try CSVChunkReader(contentsOf: url)
        #expect(reader.byteCount > 2 * (8 << 20))
        let first = try #require(try reader.next(maxRows: 4096))
        var row = first.rowCount
        while let chunk = try reader.next(maxRows: 4096) {
            guard case .integer(let ids) = chunk.column(0, as: .integer).column.values else {
                Issue.record("not an integer column")
                return
            }
            #expect(ids == Array(row..<(row + chunk.rowCount)))
            #expect(chunk.column(1, as: .numeric).column[chunk.rowCount - 1] == .numeric(Double((row + chunk.rowCount - 1) % 10) + 0.5))
            row += chunk.rowCount
        }
        #expect(row == 100_000)
        #expect(reader.bytesRead == reader.byteCount)
        #expect(first.column(0, as: .integer).column[4095] == .integer(4095))
        #expect(first.text(row: 0, column: 2) == padding)
    }
}
