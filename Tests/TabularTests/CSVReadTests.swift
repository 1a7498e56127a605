import LinearAlgebra
import Foundation
import Tabular
import Testing

@Suite("CSV reading")
struct CSVReadTests {
    @Test("header, types inferred over whole columns, empty field is missing")
    func inference() throws {
        let table = try readCSV("""
            id,price,name,active,score
            1,2.5,apple,true,
            2,3,banana,FALSE,7
            3,,cherry,True,8
            """)
        #expect(table.columnNames == ["id", "price", "name", "active", "score"])
        #expect(table.rowCount == 3)
        #expect(table.schema.columns.map(\.type) == [.integer, .numeric, .categorical, .boolean, .integer])
        #expect(table["price"]?[1] == .numeric(3))
        #expect(table["price"]?[2] == .missing)
        #expect(table["active"]?[1] == .boolean(false))
        #expect(table["score"]?[0] == .missing)
        #expect(table["name"]?[2] == .categorical("cherry"))
    }

    @Test("RFC 4180 quoting: delimiters, doubled quotes and line breaks inside quotes")
    func quoting() throws {
        let table = try readCSV("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"line1\nline2\",\"\"\n")
        #expect(table["a"]?[0] == .categorical("x, y"))
        #expect(table["b"]?[0] == .categorical("say \"hi\""))
        #expect(table["a"]?[1] == .categorical("line1\nline2"))
        // A quoted empty field is an empty string in a text column, not missing.
        #expect(table["b"]?[1] == .categorical(""))
    }

    @Test("CRLF, LF and CR line ends, a missing final newline, and blank lines", arguments: ["\r\n", "\n", "\r"])
    func lineEnds(newline: String) throws {
        let text = ["a,b", "1,x", "", "2,y"].joined(separator: newline)
        let table = try readCSV(text)
        #expect(table.rowCount == 2)
        #expect(table["a"]?[1] == .integer(2))
        #expect(table["b"]?[1] == .categorical("y"))
    }

    @Test("UTF-8 with and without a byte-order mark")
    func byteOrderMark() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let body = Array("név,ár\nkörte,3\n".utf8)
        let withBOM = try CSV.read(bytes: bom + body)
        let without = try CSV.read(bytes: body)
        #expect(withBOM == without)
        #expect(withBOM.columnNames == ["név", "ár"])
        #expect(withBOM["név"]?[0] == .categorical("körte"))
    }

    @Test("configurable delimiter")
    func delimiter() throws {
        let table = try readCSV("a;b\n1,5;x\n", options: CSVOptions(delimiter: ";"))
        #expect(table.columnNames == ["a", "b"])
        #expect(table["a"]?[0] == .categorical("1,5"))
        let tabs = try readCSV("a\tb\n1\t2\n", options: CSVOptions(delimiter: "\t"))
        #expect(tabs["b"]?[0] == .integer(2))
    }

    @Test("a schema overrides inference")
    func schemaOverride() throws {
        let table = try readCSV("zip,count\n01234,1\n99,2\n", options: CSVOptions(schema: ["zip": .categorical, "count": .numeric]))
        #expect(table["zip"]?[0] == .categorical("01234"))
        #expect(table["count"]?.type == .numeric)
        #expect(table["count"]?[1] == .numeric(2))
    }

    @Test("integers widen to numeric; numbers followed by text make the column categorical with original spellings")
    func widening() throws {
        let table = try readCSV("a,b,c\n1,1.50,true\n2.5,2,false\n3,n.a.,maybe\n")
        #expect(table["a"]?.type == .numeric)
        #expect(table["a"]?[0] == .numeric(1))
        #expect(table["b"]?.type == .categorical)
        #expect(table["b"]?[0] == .categorical("1.50"))
        #expect(table["b"]?[2] == .categorical("n.a."))
        #expect(table["c"]?.type == .categorical)
        #expect(table["c"]?[0] == .categorical("true"))
    }

    @Test("a quoted empty field seen before the type is known stays an empty string in a text column")
    func quotedEmptyThenText() throws {
        let table = try readCSV("a,b\n\"\",1\n,2\nx,3\n")
        #expect(table["a"]?.type == .categorical)
        #expect(table["a"]?[0] == .categorical(""))
        #expect(table["a"]?[1] == .missing)
        let numeric = try readCSV("a\n\"\"\n1.5\n")
        #expect(numeric["a"]?.type == .numeric)
        #expect(numeric["a"]?[0] == .missing)
    }

    @Test("an all-empty column is numeric and all missing; a header-only file has no rows")
    func emptyColumns() throws {
        let table = try readCSV("a,b\n,1\n,2\n")
        #expect(table["a"]?.type == .numeric)
        #expect(table["a"]?.missing.missingCount == 2)
        let headerOnly = try readCSV("a,b\n")
        #expect(headerOnly.rowCount == 0 && headerOnly.columnNames == ["a", "b"])
    }

    @Test("trailing delimiter at the end of the input is an empty last field")
    func trailingDelimiter() throws {
        let table = try readCSV("a,b\n1,")
        #expect(table["b"]?[0] == .missing)
    }

    @Test("numbers parse exactly as the standard library parses them")
    func numberParsing() throws {
        var random = RandomSource(seed: 17)
        var values: [String] = ["0", "-0.0", "1e-5", "1E+300", "123456789012345678901234", "0.1", "3.141592653589793",
                                "-2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308", "+7", ".5", "5.", " 42 ",
                                "9007199254740993", "0.30000000000000004"]
        for _ in 0..<2_000 {
            let magnitude = random.nextDouble() * 40 - 20
            let value = (random.nextDouble() - 0.5) * pow(10, magnitude)
            values.append(String(value))
            values.append(String(format: "%.6f", value))
            values.append(String(format: "%.12e", value))
        }
        let text = "x\n" + values.joined(separator: "\n") + "\n"
        let table = try readCSV(text)
        let column = try #require(table["x"])
        #expect(column.type == .numeric)
        for (row, text) in values.enumerated() {
            let expected = try #require(Double(text.trimmingCharacters(in: .whitespaces)), "\(text)")
            guard case .numeric(let parsed) = column[row] else {
                Issue.record("row \(row) '\(text)' is \(column[row])")
                continue
            }
            #expect(parsed.bitPattern == expected.bitPattern, "'\(text)': \(parsed) vs \(expected)")
        }
    }

    @Test("integers at the edges of Int parse, beyond them become numeric")
    func integerEdges() throws {
        let table = try readCSV("a,b\n9223372036854775807,-9223372036854775808\n1,9223372036854775808\n")
        #expect(table["a"]?[0] == .integer(Int.max))
        #expect(table["b"]?.type == .numeric)
        #expect(table["b"]?[1] == .numeric(9223372036854775808.0))
    }

    @Test("reading a file gives the same table as reading its bytes")
    func fileAndBytes() throws {
        let directory = try temporaryDirectory()
        let url = directory.appendingPathComponent("data.csv")
        var text = "k,v,w\n"
        for i in 0..<5_000 { text += "\(i),\(Double(i) / 7),\(i % 3 == 0 ? "a" : "b")\n" }
        try text.write(to: url, atomically: true, encoding: .utf8)
        let fromFile = try CSV.read(contentsOf: url)
        #expect(fromFile == (try readCSV(text)))
        #expect(fromFile.rowCount == 5_000)
    }
}
