import LinearAlgebra
import Tabular
import Testing

/// The stored layout of datasets in three parts (ledger, training rows, testing rows).
@Suite("Datasets stored in parts")
struct DatasetPartsTests {
    /// Datasets after two generations, with validation rows, missing values and a
    /// repeated row.
    static func sampleDatasets() throws -> MLDatasets {
        var datasets = MLDatasets()
        var table = try sourceTable(ids: Array(0..<120))
        try table.setColumn(Column(name: "x", numeric: (0..<120).map { $0 % 11 == 3 ? nil : Double($0) * 0.5 }))
        try datasets.generate(from: table, selection: unkeyed, testFraction: 0.2, seed: 5, validation: .holdout(fraction: 0.25, seed: 2))
        try datasets.generate(from: try sourceTable(ids: Array(0..<150)), selection: unkeyed, testFraction: 0.2, seed: 6,
                              validation: .holdout(fraction: 0.25, seed: 2))
        return datasets
    }

    @Test("the parts round-trip: equal datasets, equal bytes, and the old single encoding converts to the same parts")
    func roundTrip() throws {
        let datasets = try Self.sampleDatasets()
        let parts = datasets.encodedParts()
        #expect(try MLDatasets(parts: parts) == datasets)
        #expect(datasets.encodedParts() == parts)
        #expect(try MLDatasets(binaryEncoded: datasets.binaryEncoded()).encodedParts() == parts)
        #expect(try Table(binaryEncoded: parts.testing) == datasets.testing, "the testing part is the testing table alone")
        #expect(try Table(binaryEncoded: parts.training) == datasets.training)
        #expect(try MLDatasets(parts: MLDatasets().encodedParts()) == MLDatasets())
    }

    @Test("the ledger alone gives the schema, counts and validation rows, with or without the identities")
    func ledgerAlone() throws {
        let datasets = try Self.sampleDatasets()
        let parts = datasets.encodedParts()
        for identities in [false, true] {
            let ledger = try DatasetLedger(binaryEncoded: parts.ledger, identities: identities)
            #expect(ledger.schema == datasets.schema)
            #expect(ledger.generations == 2)
            #expect(ledger.trainingRows == datasets.training.rowCount && ledger.testingRows == datasets.testing.rowCount)
            #expect(ledger.validationIndices == datasets.validationIndices)
        }
        #expect(try DatasetLedger(binaryEncoded: MLDatasets().encodedParts().ledger).schema == nil)
    }

    @Test("a corrupt or mismatched part is a typed error, never a crash")
    func corruptParts() throws {
        let parts = try Self.sampleDatasets().encodedParts()
        for length in [0, 3, 5, 7, 20, parts.ledger.count - 1] {
            guard case .corruptEncoding? = tabularError({ _ = try DatasetLedger(binaryEncoded: Array(parts.ledger.prefix(length))) }) else {
                Issue.record("a ledger cut at \(length) bytes was not refused as corrupt")
                continue
            }
        }
        #expect(tabularError { _ = try DatasetLedger(binaryEncoded: Array("MLDS".utf8) + parts.ledger.dropFirst(4)) }
            == .corruptEncoding("not a dataset ledger (magic [77, 76, 68, 83])"))
        var version = parts.ledger
        version[4] = 9
        #expect(tabularError { _ = try DatasetLedger(binaryEncoded: version) }
            == .corruptEncoding("unknown dataset ledger version 9 (this library reads version 1)"))
        #expect(tabularError { _ = try DatasetLedger(binaryEncoded: parts.ledger + [0]) }
            == .corruptEncoding("1 unexpected bytes after the ledger"))
        // The testing table of other datasets: its row count is not the ledger's.
        var swapped = parts
        swapped.testing = MLDatasets().encodedParts().testing
        guard case .corruptEncoding? = tabularError({ _ = try MLDatasets(parts: swapped) }) else {
            Issue.record("a testing part of the wrong size was accepted")
            return
        }
    }

    @Test("an encoder fitted and applied on chosen rows equals one fitted on those rows copied out")
    func encoderOnRows() throws {
        var table = try sourceTable(ids: Array(0..<40))
        try table.setColumn(Column(name: "x", numeric: (0..<40).map { $0 % 7 == 2 ? nil : Double($0) }))
        var options = FeatureEncoder.Options()
        options.missing["x"] = .median
        let rows = [3, 1, 4, 15, 9, 26, 5, 35, 8, 39]
        let onRows = try FeatureEncoder.fit(table, features: ["x", "color", "id"], rows: rows, options: options)
        let copied = try table.rows(at: rows)
        let onCopy = try FeatureEncoder.fit(copied, features: ["x", "color", "id"], options: options)
        #expect(onRows == onCopy)
        #expect(try onRows.transform(table, rows: rows) == onCopy.transform(copied))
        // Row blocks: more rows than one block, numbers without missing values copied directly.
        let wide = try sourceTable(ids: Array(0..<1_000))
        let encoder = try FeatureEncoder.fit(wide, features: ["x", "color", "id"])
        let all = try encoder.transform(wide)
        let reversed = try encoder.transform(wide, rows: Array((0..<1_000).reversed()))
        #expect(reversed.row(0) == all.row(999) && reversed.row(999) == all.row(0))
    }

    @Test("errors on chosen rows name the row of the table, not of the selection")
    func encoderErrorsNameTheTableRow() throws {
        var table = try sourceTable(ids: Array(0..<10))
        try table.setColumn(Column(name: "x", numeric: (0..<10).map { $0 == 6 ? .infinity : Double($0) }))
        let encoder = try FeatureEncoder.fit(table, features: ["x"], rows: [0, 1, 2])
        #expect(tabularError { _ = try encoder.transform(table, rows: [2, 6]) }
            == .invalidValue(feature: "x", row: 6, value: .numeric(.infinity), expected: .numeric))
        #expect(tabularError { _ = try encoder.transform(table, rows: [2, 10]) }
            == .invalidArgument("row 10 is outside the table's 10 rows"))
    }

    @Test("a large input is encoded on two threads: the same matrix, and the first block's error whatever the threads")
    func encoderOnTwoThreads() throws {
        let count = 40_000
        let table = try sourceTable(ids: Array(0..<count))
        let encoder = try FeatureEncoder.fit(table, features: ["x", "color", "id"])
        let x = try encoder.transform(table)
        #expect(x.rows == count && x.columns == 5)
        for row in [0, 255, 256, 16_383, 20_000, count - 1] {
            let color = ["red", "green", "blue"][row % 3]
            let oneHot = ["blue", "green", "red"].map { $0 == color ? 1.0 : 0.0 }
            #expect(Array(x.row(row)) == [Double(row) * 0.5] + oneHot + [Double(row)], "row \(row)")
        }
        var broken = table
        try broken.setColumn(Column(name: "x", numeric: (0..<count).map { $0 == 39_000 || $0 == 30_100 ? .nan : Double($0) }))
        for _ in 0..<3 {
            // NaN is not equal to itself: compare the place.
            guard case let .invalidValue(feature, row, _, _)? = tabularError({ _ = try encoder.transform(broken) }) else {
                Issue.record("NaN was not refused")
                continue
            }
            #expect(feature == "x" && row == 30_100)
        }
    }
}
