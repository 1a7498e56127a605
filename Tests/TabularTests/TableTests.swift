import LinearAlgebra
import Tabular
import Testing

@Suite("Table")
struct TableTests {
    let table = try! Table([
        Column(name: "id", integer: [1, 2, 3, 4]),
        Column(name: "x", numeric: [0.5, nil, 1.5, 2.5]),
        Column(name: "color", categorical: ["red", "blue", nil, "red"]),
        Column(name: "ok", boolean: [true, false, true, nil]),
    ])

    @Test("construction rejects duplicate names and unequal lengths")
    func construction() {
        #expect(tabularError { _ = try Table([Column(name: "a", integer: [1]), Column(name: "a", integer: [2])]) } == .duplicateColumn("a"))
        #expect(tabularError { _ = try Table([Column(name: "a", integer: [1]), Column(name: "b", integer: [1, 2])]) }
            == .lengthMismatch(column: "b", expected: 1, actual: 2))
    }

    @Test("select columns, take rows, filter")
    func selectTakeFilter() throws {
        let selected = try table.selecting(columns: ["color", "id"])
        #expect(selected.columnNames == ["color", "id"])
        let taken = try table.rows(at: [3, 0, 3])
        #expect(taken.rowCount == 3)
        #expect(taken["id"]?[0] == .integer(4) && taken["ok"]?[0] == .missing && taken["x"]?[1] == .numeric(0.5))
        let red = table.filter { $0["color"] == .categorical("red") }
        #expect(red["id"] == Column(name: "id", integer: [1, 4]))
        #expect(tabularError { _ = try table.rows(at: [4]) } == .invalidArgument("row index 4 at position 0 is outside 0..<4"))
        #expect(tabularError { _ = try table.selecting(columns: ["nope"]) } == .unknownColumn("nope", available: ["id", "x", "color", "ok"]))
        #expect(table.row(1).values == [.integer(2), .missing, .categorical("blue"), .boolean(false)])
    }

    @Test("append rows of the same schema; integers widen into numeric; mismatches change nothing")
    func append() throws {
        var copy = table
        try copy.append(table)
        #expect(copy.rowCount == 8)
        #expect(copy["x"]?[5] == .missing)
        var numbers = try Table([Column(name: "v", numeric: [1.5])])
        try numbers.append(try Table([Column(name: "v", integer: [2])]))
        #expect(numbers["v"]?[1] == .numeric(2))
        var unchanged = table
        #expect(tabularError { try unchanged.append(try Table([Column(name: "id", integer: [1])])) } != nil)
        let wrongType = try Table([
            Column(name: "id", integer: [9]), Column(name: "x", numeric: [1]),
            Column(name: "color", integer: [1]), Column(name: "ok", boolean: [true]),
        ])
        #expect(tabularError { try unchanged.append(wrongType) } == .typeMismatch(column: "color", expected: .categorical, actual: .integer))
        #expect(unchanged == table)
    }

    @Test("numeric columns to a matrix in one pass; missing and categorical are typed errors")
    func matrix() throws {
        let complete = try table.rows(at: [0, 2])
        let m = try complete.matrix(columns: ["x", "id"])
        #expect(m == (try Matrix([[0.5, 1], [1.5, 3]])))
        #expect(tabularError { _ = try table.matrix(columns: ["id", "x"]) } == .missingValue(feature: "x", row: 1))
        #expect(tabularError { _ = try complete.matrix(columns: ["color"]) } == .notNumeric(feature: "color", type: .categorical))
        let flags = try (try table.rows(at: [0, 1])).matrix(columns: ["ok"])
        #expect(flags.elements == [1, 0])
    }

    @Test("binary encoding round-trips every column type and missing values")
    func binaryRoundTrip() throws {
        let bytes = table.binaryEncoded()
        #expect(try Table(binaryEncoded: bytes) == table)
        #expect(try Table(binaryEncoded: Table(schema: Schema([])).binaryEncoded()).rowCount == 0)
    }

    @Test("a truncated or altered table encoding is a typed error at every length")
    func binaryCorruption() throws {
        let bytes = table.binaryEncoded()
        for length in 0..<bytes.count {
            guard case .corruptEncoding? = tabularError({ _ = try Table(binaryEncoded: Array(bytes[0..<length])) }) else {
                Issue.record("prefix of \(length) bytes")
                continue
            }
        }
        var badMagic = bytes
        badMagic[0] = 0
        #expect(tabularError { _ = try Table(binaryEncoded: badMagic) } == .corruptEncoding("not a table encoding (magic [0, 76, 84, 66])"))
        var badVersion = bytes
        badVersion[4] = 9
        #expect(tabularError { _ = try Table(binaryEncoded: badVersion) }
            == .corruptEncoding("unknown table encoding version 9 (this library reads version 1)"))
        #expect(tabularError { _ = try Table(binaryEncoded: bytes + [0]) } == .corruptEncoding("1 unexpected bytes after the table"))
    }
}
