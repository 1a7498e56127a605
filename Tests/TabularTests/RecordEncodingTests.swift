import LinearAlgebra
import Tabular
import Testing

/// Records and tables go through one encoding rule: the same values give bit-identical
/// model inputs, and the same values are refused.
@Suite("One encoder: records and tables")
struct RecordEncodingTests {
    static let categories = ["blue", "green", "red"]

    /// `count` random rows: a number, an integer, a flag and a category, each missing at
    /// times; integers sometimes given as doubles and doubles sometimes as integers; with
    /// `unseen`, one row in 20 has the category "purple", which training rows never have.
    static func randomRows(_ count: Int, seed: UInt64, unseen: Bool = true) throws -> (records: [[String: Value]], table: Table) {
        var random = RandomSource(seed: seed)
        var numbers: [Double?] = [], counts: [Int?] = [], flags: [Bool?] = [], lines: [String?] = []
        var records: [[String: Value]] = []
        for _ in 0..<count {
            var record: [String: Value] = [:]
            let missing = random.nextInt(below: 10)
            // x: numeric feature; integral values are given as integers half of the time.
            if missing == 0 {
                numbers.append(nil)
                if random.nextInt(below: 2) == 0 { record["x"] = .missing }   // else: absent from the record
            } else {
                let x = random.nextInt(below: 3) == 0 ? Double(random.int(in: -50..<50)) : random.normal() * 10
                numbers.append(x)
                record["x"] = x == x.rounded() && random.nextInt(below: 2) == 0 ? .integer(Int(x)) : .numeric(x)
            }
            // n: integer feature, given as a double a third of the time.
            if missing == 1 {
                counts.append(nil)
                record["n"] = .missing
            } else {
                let n = random.int(in: 0..<20)
                counts.append(n)
                record["n"] = random.nextInt(below: 3) == 0 ? .numeric(Double(n)) : .integer(n)
            }
            // flag: boolean feature (refused when missing: no imputation for it below).
            let flag = random.nextInt(below: 2) == 0
            flags.append(flag)
            record["flag"] = .boolean(flag)
            // line: categorical, sometimes missing, sometimes unseen.
            if missing == 2 {
                lines.append(nil)
                record["line"] = .missing
            } else {
                let line = unseen && random.nextInt(below: 20) == 0 ? "purple" : categories[random.nextInt(below: categories.count)]
                lines.append(line)
                record["line"] = .categorical(line)
            }
            records.append(record)
        }
        let table = try Table([
            Column(name: "x", numeric: numbers), Column(name: "n", integer: counts),
            Column(name: "flag", boolean: flags), Column(name: "line", categorical: lines),
        ])
        return (records, table)
    }

    static func encoder(unknown: FeatureEncoder.UnknownCategoryPolicy) throws -> FeatureEncoder {
        let (_, training) = try randomRows(300, seed: 1, unseen: false)
        var options = FeatureEncoder.Options()
        options.missing = ["x": .median, "n": .mostFrequent, "line": .mostFrequent]
        options.unknownCategories = unknown
        return try FeatureEncoder.fit(training, features: ["x", "n", "flag", "line"], options: options)
    }

    @Test("5,000 random records and the same rows as a table encode to bit-identical inputs")
    func bitIdentical() throws {
        let encoder = try Self.encoder(unknown: .ignore)
        let (records, table) = try Self.randomRows(5_000, seed: 42)
        let fromRecords = try encoder.transform(records: records)
        let fromTable = try encoder.transform(table)
        #expect(fromRecords.rows == fromTable.rows && fromRecords.columns == fromTable.columns)
        let differing = zip(fromRecords.elements, fromTable.elements).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(differing) of \(fromTable.elements.count) inputs differ")
        #expect(fromTable.elements.allSatisfy { $0.isFinite })
    }

    @Test("both paths refuse the same values with the same error")
    func sameRefusals() throws {
        let strict = try Self.encoder(unknown: .error)
        var refusedByBoth = 0
        let (records, _) = try Self.randomRows(200, seed: 7)
        for (index, record) in records.enumerated() {
            let table = try Self.table(of: record)
            let recordError = Self.error { _ = try strict.transform(records: [record]) }
            let tableError = Self.error { _ = try strict.transform(table) }
            #expect(recordError == tableError, "record \(index): \(String(describing: recordError)) vs \(String(describing: tableError))")
            if recordError != nil { refusedByBoth += 1 }
        }
        #expect(refusedByBoth > 0, "the random rows include unseen categories and missing flags")
        // Non-finite numbers are refused by both.
        for bad in [Double.nan, .infinity, -.infinity] {
            let record: [String: Value] = ["x": .numeric(bad), "n": 1, "flag": true, "line": "red"]
            let expected = TabularError.invalidValue(feature: "x", row: 0, value: .numeric(bad), expected: .numeric)
            #expect(Self.error { _ = try strict.transform(records: [record]) }?.description == expected.description)
            #expect(Self.error { _ = try strict.transform(try Self.table(of: record)) }?.description == expected.description)
        }
        // A record naming something that is not a feature is refused.
        let extra: [String: Value] = ["x": 1.0, "n": 1, "flag": true, "line": "red", "station": 4]
        #expect(Self.error { _ = try strict.transform(records: [extra]) }
            == .unknownFeature("station", row: 0, features: ["x", "n", "flag", "line"]))
    }

    /// One record as a one-row table with the encoder's column types.
    static func table(of record: [String: Value]) throws -> Table {
        func number(_ value: Value?) -> Double? { value?.doubleValue }
        func integer(_ value: Value?) -> Int? { value?.doubleValue.map { Int($0) } }
        var columns = [
            Column(name: "x", numeric: [number(record["x"])]), Column(name: "n", integer: [integer(record["n"])]),
        ]
        if case .boolean(let flag)? = record["flag"] { columns.append(Column(name: "flag", boolean: [flag])) } else {
            columns.append(Column(name: "flag", boolean: [nil]))
        }
        if case .categorical(let line)? = record["line"] { columns.append(Column(name: "line", categorical: [line])) } else {
            columns.append(Column(name: "line", categorical: [nil]))
        }
        return try Table(columns)
    }

    static func error(_ body: () throws -> Void) -> TabularError? {
        do {
            try body()
            return nil
        } catch let error as TabularError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }
}
