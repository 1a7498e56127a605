import LinearAlgebra
import Foundation
import Tabular
import Testing

@Suite("CSV writing")
struct CSVWriteTests {
    @Test("writing round-trips what reading produced")
    func roundTrip() throws {
        let text = """
            id,price,name,active,note
            1,2.5,apple,true,"has, comma"
            2,,banana,false,"quote "" inside"
            3,1e-07,,true,"two
            lines"
            4,-0.0,"",,  padded  
            """
        let table = try readCSV(text)
        let written = try CSV.encode(table)
        let reread = try CSV.read(bytes: written)
        #expect(reread == table)
        #expect(reread["name"]?[3] == .categorical(""))
        #expect(reread["name"]?[2] == .missing)
    }

    @Test("numbers are written in shortest round-tripping form, all values survive; NaN is written as missing")
    func numbers() throws {
        var random = RandomSource(seed: 3)
        let values = (0..<1_000).map { _ in (random.nextDouble() - 0.5) * pow(10, random.nextDouble() * 30 - 15) }
            + [.nan, .infinity, -.infinity, -0.0, 1e300]
        let table = try Table([Column(name: "x", numeric: values), Column(name: "i", integer: values.indices.map { $0 - 500 })])
        let reread = try CSV.read(bytes: try CSV.encode(table), options: CSVOptions(allowsInfinity: true))
        let column = try #require(reread["x"])
        for (row, value) in values.enumerated() {
            if value.isNaN {
                #expect(column[row] == .missing, "NaN reads back as missing")
                continue
            }
            guard case .numeric(let x) = column[row] else { Issue.record("row \(row)"); continue }
            #expect(x.bitPattern == value.bitPattern)
        }
        #expect(reread["i"] == table["i"])
    }

    @Test("a table read with a schema round-trips with the same schema")
    func schemaRoundTrip() throws {
        let options = CSVOptions(schema: ["zip": .categorical])
        let table = try readCSV("zip,n\n007,1\n42,2\n", options: options)
        #expect(try CSV.read(bytes: try CSV.encode(table), options: options) == table)
    }

    @Test("write to a file with another delimiter and read it back")
    func fileRoundTrip() throws {
        let url = try temporaryDirectory().appendingPathComponent("out.csv")
        let table = try Table([
            Column(name: "a;b", categorical: ["x;y", "z"]),
            Column(name: "flag", boolean: [true, nil]),
        ])
        let options = CSVOptions(delimiter: ";")
        try CSV.write(table, to: url, options: options)
        #expect(try CSV.read(contentsOf: url, options: options) == table)
        #expect(try String(contentsOf: url, encoding: .utf8) == "\"a;b\";flag\n\"x;y\";true\nz;\n")
    }
}
