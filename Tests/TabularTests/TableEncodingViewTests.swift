import LinearAlgebra
import Tabular
import Testing

@Suite("Table encodings read in place (TableEncodingView)")
struct TableEncodingViewTests {
    /// Every column type, with and without missing values, a repeated row, and a number
    /// column with no missing value (the one read in place).
    let table = try? Table([
        Column(name: "x", numeric: [1.5, -2, 3.25, 1.5, 0, 7]),
        Column(name: "gap", numeric: [1, nil, 3, 1, nil, 6]),
        Column(name: "n", integer: [4, 5, nil, 4, 6, 7]),
        Column(name: "line", categorical: ["red", "blue", nil, "red", "green", "blue"]),
        Column(name: "busy", boolean: [true, false, true, true, nil, false]),
        Column(name: "y", numeric: [0, 1, 0, 0, 1, 1]),
    ])

    /// `body` run on the view of `table`'s encoding.
    func withView<T>(_ table: Table, _ body: (TableEncodingView) throws -> T) throws -> T {
        let bytes = table.binaryEncoded()
        return try bytes.withUnsafeBytes { raw in try body(try TableEncodingView(bytes: raw)) }
    }

    @Test("the view decodes what the table decoder decodes: the table, one column, chosen rows")
    func decodesLikeTheTable() throws {
        let table = try #require(table)
        try withView(table) { (view) throws in
            #expect(view.rowCount == 6)
            #expect(view.schema == table.schema)
            #expect(try view.table() == table)
            #expect(try view.column(named: "line") == table.column(named: "line"))
            #expect(try view.rows(at: [5, 1, 1, 4]) == table.rows(at: [5, 1, 1, 4]))
            #expect(tabularError { _ = try view.rows(at: [6]) } == tabularError { _ = try table.rows(at: [6]) })
            #expect(tabularError { _ = try view.column(named: "ghost") } == tabularError { _ = try table.column(named: "ghost") })
        }
        #expect(try Table(binaryEncoded: table.binaryEncoded()) == table)
    }

    @Test("only numbers without missing values are read in place")
    func storedDoubles() throws {
        let table = try #require(table)
        try withView(table) { (view) throws in
            let x = try #require(view.storedDoubles(named: "x"))
            #expect((0..<6).map { x.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) } == [1.5, -2, 3.25, 1.5, 0, 7])
            #expect(view.storedDoubles(named: "gap") == nil)  // missing values: decoded
            #expect(view.storedDoubles(named: "n") == nil)
            #expect(view.storedDoubles(named: "line") == nil)
            #expect(view.storedDoubles(named: "ghost") == nil)
        }
        #expect(table.storedDoubles(named: "x") == nil)  // a decoded table is read through its columns
    }

    @Test("a design matrix encoded in place equals the one encoded from the decoded table", arguments: [nil, [4, 0, 2]] as [[Int]?])
    func transformInPlace(rows: [Int]?) throws {
        let table = try #require(table)
        var options = FeatureEncoder.Options()
        options.missing = ["gap": .median, "n": .mean, "line": .mostFrequent, "busy": .constant(.boolean(false))]
        let features = ["x", "gap", "n", "line", "busy"]
        let fromTable = try FeatureEncoder.fit(table, features: features, rows: rows, options: options)
        try withView(table) { (view) throws in
            let fromView = try FeatureEncoder.fit(columns: view, features: features, rows: rows, options: options)
            #expect(fromView == fromTable)
            #expect(try fromView.transform(columns: view, rows: rows) == fromTable.transform(table, rows: rows))
        }
    }

    @Test("a number that is not finite is refused at its row, in place as from the table")
    func nonFinite() throws {
        let table = try Table([Column(name: "x", numeric: [1, 2, .infinity, .nan]), Column(name: "y", numeric: [0, 1, 0, 1])])
        let encoder = try FeatureEncoder.fit(table, features: ["x"])
        let expected = TabularError.invalidValue(feature: "x", row: 2, value: .numeric(.infinity), expected: .numeric)
        #expect(tabularError { _ = try encoder.transform(table) } == expected)
        try withView(table) { (view) throws in
            #expect(view.storedDoubles(named: "x") != nil)
            #expect(tabularError { _ = try encoder.transform(columns: view) } == expected)
            guard case .invalidValue("x", 3, _, .numeric)? = tabularError({ _ = try encoder.transform(columns: view, rows: [0, 3]) }) else {
                Issue.record("a NaN at row 3 was not refused at its row")
                return
            }
        }
    }

    @Test("truncated, altered and trailing bytes are typed errors")
    func corrupt() throws {
        let bytes = try #require(table).binaryEncoded()
        for cut in [3, 10, bytes.count / 2, bytes.count - 1] {
            let error = Array(bytes.prefix(cut)).withUnsafeBytes { raw in tabularError { _ = try TableEncodingView(bytes: raw) } }
            guard case .corruptEncoding? = error else {
                Issue.record("cut at \(cut): \(String(describing: error))")
                continue
            }
        }
        let trailing = (bytes + [0]).withUnsafeBytes { raw in tabularError { _ = try TableEncodingView(bytes: raw) } }
        #expect(trailing == .corruptEncoding("1 unexpected bytes after the table"))
    }
}
