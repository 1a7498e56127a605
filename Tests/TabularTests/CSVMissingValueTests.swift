import LinearAlgebra
import Foundation
import Tabular
import Testing

/// pandas' `read_csv` default `na_values`, spelled out independently of the library.
let pandasTokens = [
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL",
    "NaN", "None", "n/a", "nan", "null",
]

@Suite("CSV missing values and non-finite numbers")
struct CSVMissingValueTests {
    @Test("the default tokens are pandas' default na_values, exactly")
    func defaultTokens() {
        #expect(CSVOptions.pandasMissingValues == Set(pandasTokens))
        #expect(CSVOptions().missingValues == CSVOptions.pandasMissingValues)
        #expect(CSVOptions().allowsInfinity == false)
    }

    @Test("every default token is missing in numeric, integer, categorical and boolean columns, wherever it stands",
          arguments: pandasTokens)
    func tokenIsMissing(token: String) throws {
        // Row 1 starts each column undetermined; row 3 meets the token in a typed column.
        let text = "num,int,cat,bool\n\(token),\(token),\(token),\(token)\n1.5,1,a,true\n\(token),\(token),\(token),\(token)\n2.25,2,b,false\n"
        for options in [CSVOptions(), CSVOptions(schema: ["num": .numeric, "int": .integer, "cat": .categorical, "bool": .boolean])] {
            let table = try readCSV(text, options: options)
            #expect(table.schema.columns.map(\.type) == [.numeric, .integer, .categorical, .boolean], "'\(token)'")
            for column in table.columns {
                #expect(column[0] == .missing && column[2] == .missing, "'\(token)' in \(column.name)")
                #expect(column.missing.missingCount == 2)
            }
            #expect(table["num"]?[3] == .numeric(2.25) && table["int"]?[3] == .integer(2))
            #expect(table["cat"]?[1] == .categorical("a") && table["bool"]?[3] == .boolean(false))
        }
    }

    @Test("a column of numbers and NA is numeric (or integer) with missing values, not categorical")
    func numbersAndNAStayNumeric() throws {
        let table = try readCSV("x,n,b\n1.5,1,true\nNA,NA,NA\n2.5,null,false\nnan,3,None\n-1.#IND,N/A,#N/A\n")
        #expect(table["x"]?.type == .numeric && table["n"]?.type == .integer && table["b"]?.type == .boolean)
        #expect(table["x"]?.missing.missingCount == 3 && table["n"]?.missing.missingCount == 3)
        #expect(table["x"]?[2] == .numeric(2.5) && table["n"]?[3] == .integer(3))
        // A column of tokens only has no values: numeric, all missing, like an empty column.
        let empty = try readCSV("a,b\nNA,1\nnull,2\n")
        #expect(empty["a"]?.type == .numeric && empty["a"]?.missing.missingCount == 2)
    }

    @Test("a quoted token is read like a quoted empty field: text in a categorical column, missing in any other")
    func quotedToken() throws {
        let table = try readCSV("cat,num,first\nx,1.5,\"NA\"\n\"NA\",\"NA\",y\nNA,2,z\n")
        #expect(table["cat"]?[1] == .categorical("NA") && table["cat"]?[2] == .missing)
        #expect(table["num"]?.type == .numeric && table["num"]?[1] == .missing)
        // Seen before the type is known, then the column turns out categorical: rebuilt as text.
        #expect(table["first"]?.type == .categorical && table["first"]?[0] == .categorical("NA"))
        // Written text that equals a token is quoted, so it stays text.
        let written = try CSV.encode(table)
        #expect(String(decoding: written, as: UTF8.self).contains("\"NA\",,y"))
        #expect(try CSV.read(bytes: written) == table)
    }

    @Test("a custom token set replaces pandas' set; tokens can be added, even ones that read as numbers")
    func customTokens() throws {
        let replaced = CSVOptions(missingValues: ["-", "?"])
        let table = try readCSV("num,cat,text\n1.5,a,NA\n-,?,b\n2,-,c\n", options: replaced)
        #expect(table["num"]?.type == .numeric && table["num"]?[1] == .missing)
        #expect(table["cat"]?[1] == .missing && table["cat"]?[2] == .missing)
        #expect(table["text"]?[0] == .categorical("NA"), "NA is not a token of the replaced set")

        var added = CSVOptions()
        added.missingValues.formUnion(["-999", "FALSE"])
        let sentinels = try readCSV("x,n,b,c\n1.5,7,true,NA\n-999,-999,FALSE,-999\n2.5,8,false,q\n", options: added)
        #expect(sentinels["x"]?.type == .numeric && sentinels["x"]?[1] == .missing && sentinels["x"]?[2] == .numeric(2.5))
        #expect(sentinels["n"]?.type == .integer && sentinels["n"]?[1] == .missing)
        #expect(sentinels["b"]?.type == .boolean && sentinels["b"]?[1] == .missing && sentinels["b"]?[2] == .boolean(false))
        #expect(sentinels["c"]?[0] == .missing && sentinels["c"]?[1] == .missing && sentinels["c"]?[2] == .categorical("q"))
        // The fused numeric path must not read the sentinel as a number in a long numeric column.
        let long = "x\n" + (0..<3_000).map { $0 % 1_000 == 999 ? "-999" : "\($0).5" }.joined(separator: "\n")
        #expect(try readCSV(long, options: added)["x"]?.missing.missingCount == 3)
        // An empty unquoted field is missing even when the set leaves "" out.
        #expect(try readCSV("a,b\n1,2\n,3\n", options: CSVOptions(missingValues: []))["a"]?[1] == .missing)
    }

    @Test("infinity in a numeric column is an error with file, line, column and value", arguments: [
        ("inf", "inf"), ("-inf", "-inf"), ("+inf", "+inf"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("INF", "INF"),
        ("-INFINITY", "-INFINITY"), ("1e400", "1e400"),
    ])
    func infinityRefused(text: String, value: String) throws {
        let error = csvError { _ = try CSV.read(string: "id,x\n1,2.5\n2,3\n3,\(text)\n4,1\n", name: "data.csv") }
        #expect(error?.kind == .infiniteValue(value: value, columnName: "x"))
        #expect(error?.file == "data.csv" && error?.line == 4 && error?.column == 2)
        #expect(error?.description.hasPrefix("data.csv:4:2: '\(value)' in numeric column 'x' is infinite") == true)
        // Also in an integer column (it would widen to numeric) and under a numeric schema.
        #expect(csvError { _ = try readCSV("x\n1\n\(text)\n") }?.kind == .infiniteValue(value: value, columnName: "x"))
        #expect(csvError { _ = try readCSV("x\n\(text)\n", options: CSVOptions(schema: ["x": .numeric])) }?.line == 2)
    }

    @Test("allowsInfinity reads infinities as values")
    func infinityAllowed() throws {
        let options = CSVOptions(allowsInfinity: true)
        let table = try readCSV("x,n\n1.5,1\n-Infinity,inf\n+inf,3\n1e400,NA\n", options: options)
        #expect(table["x"]?[1] == .numeric(-.infinity) && table["x"]?[2] == .numeric(.infinity) && table["x"]?[3] == .numeric(.infinity))
        #expect(table["n"]?.type == .numeric && table["n"]?[1] == .numeric(.infinity) && table["n"]?[3] == .missing)
    }

    @Test("infinity and NaN spellings in a column that turns out to be text are text")
    func spellingsInText() throws {
        let table = try readCSV("a,b\ninf,NAN\nhello,world\n")
        #expect(table["a"]?.type == .categorical && table["a"]?[0] == .categorical("inf"))
        #expect(table["b"]?.type == .categorical && table["b"]?[0] == .categorical("NAN"))
    }

    @Test("a NaN spelling that is not a token is an error, never a NaN")
    func notANumber() throws {
        let error = csvError { _ = try CSV.read(string: "x\n1.5\n+nan\n", name: "n.csv") }
        #expect(error?.kind == .notANumber(value: "+nan", columnName: "x") && error?.line == 3 && error?.column == 1)
        let noNaNToken = CSVOptions(missingValues: ["NA"], allowsInfinity: true)
        #expect(csvError { _ = try readCSV("x\n1\nnan\n", options: noNaNToken) }?.kind == .notANumber(value: "nan", columnName: "x"))
        #expect(csvError { _ = try readCSV("x\nNaN\n", options: CSVOptions(schema: ["x": .numeric], missingValues: [])) }?.line == 2)
    }

    /// Random tables with missing values, NaN, and text that looks like tokens or numbers,
    /// written with `CSV.encode` and read back.
    @Test("no NaN ever comes out of the reader: random written tables read back equal, NaN as missing", arguments: 0..<25)
    func noNaNProperty(seed: Int) throws {
        var random = RandomSource(seed: UInt64(seed) &+ 101)
        let rows = 1 + random.nextInt(below: 120)
        let words = pandasTokens + ["a", "b, c", "say \"hi\"", " padded ", "1.5", "7", "inf", "-Infinity", "NAN", "true", "n.a."]
        var numeric: [Double?] = [], expected: [Double?] = [], integer: [Int?] = [], text: [String?] = [], flags: [Bool?] = []
        for _ in 0..<rows {
            // Each value is missing with probability 1/6.
            var x: Double? = nil
            if random.nextInt(below: 6) != 0 {
                x = random.nextInt(below: 10) == 0 ? Double.nan : (random.nextDouble() - 0.5) * pow(10, random.nextDouble() * 12 - 6)
            }
            numeric.append(x)
            expected.append(x.flatMap { $0.isNaN ? nil : $0 })
            integer.append(random.nextInt(below: 6) == 0 ? nil : random.nextInt(below: 2_001) - 1_000)
            text.append(random.nextInt(below: 6) == 0 ? nil : words[random.nextInt(below: words.count)])
            flags.append(random.nextInt(below: 6) == 0 ? nil : random.nextInt(below: 2) == 0)
        }
        let table = try Table([Column(name: "x", numeric: numeric), Column(name: "i", integer: integer),
                               Column(name: "t", categorical: text), Column(name: "f", boolean: flags)])
        let written = try CSV.encode(table)
        let schema = CSVOptions(schema: ["x": .numeric, "i": .integer, "t": .categorical, "f": .boolean])
        let reread = try CSV.read(bytes: written, options: schema)
        let expectedTable = try Table([Column(name: "x", numeric: expected), Column(name: "i", integer: integer),
                                       Column(name: "t", categorical: text), Column(name: "f", boolean: flags)])
        #expect(reread == expectedTable)
        expectNoNaNWithInference(written)
    }

    /// With inference the text column may read as anything, or be refused; never NaN.
    private func expectNoNaNWithInference(_ bytes: [UInt8]) {
        do {
            let inferred = try CSV.read(bytes: bytes)
            for column in inferred.columns {
                if case .numeric(let values) = column.values { #expect(!values.contains { $0.isNaN }, "\(column.name)") }
            }
        } catch {
            switch error {
            case .csv(let csv):
                switch csv.kind {
                case .infiniteValue, .notANumber: break
                default: Issue.record("unexpected \(csv)")
                }
            default: Issue.record("unexpected \(error)")
            }
        }
    }
}
