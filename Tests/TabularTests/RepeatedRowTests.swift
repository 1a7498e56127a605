import LinearAlgebra
import Foundation
import Tabular
import Testing

/// A price list with repeated rows: 12 rows, 8 distinct (three copies of one row, two of
/// two others, so 4 rows are identical to an earlier row).
let repeatedCSV = """
    length,width,color,price
    1.5,2,red,10
    1.5,2,red,10
    1.5,2,red,10
    2.0,3,blue,12
    2.5,3,blue,14
    2.5,3,blue,14
    3.0,4,green,20
    3.5,4,green,22
    4.0,5,red,30
    4.0,5,red,30
    4.5,5,red,31
    5.0,6,blue,40

    """
let priceSelection = FeatureSelection(label: "price")

/// `MLDatasets` generated from `repeatedCSV` (selection `priceSelection`, test fraction
/// 0.4, seed 1) by the code before occurrence numbers (commit 914829e), base64 of its
/// "MLDS" version 1 encoding: every copy of a repeated row shares one identity, 7 testing
/// rows with 4 identities, 5 training rows with 4.
let legacyDatasets = "TUxEUwEAAQAAAAAAAADnAAAAAAAAAE1MVEIBAAQAAAAFAAAAAAAAAAYAAABsZW5ndGgAAAAAAAAAAABAAAAAAAAACEAAAAAAAAAQQAAAAAAAABBAAAAAAAAAEkAFAAAAd2lkdGgBAAMAAAAAAAAABAAAAAAAAAAFAAAAAAAAAAUAAAAAAAAABQAAAAAAAAAFAAAAY29sb3ICAAMAAAAEAAAAYmx1ZQUAAABncmVlbgMAAAByZWQAAAAAAQAAAAIAAAACAAAAAgAAAAUAAABwcmljZQEADAAAAAAAAAAUAAAAAAAAAB4AAAAAAAAAHgAAAAAAAAAfAAAAAAAAAB8BAAAAAAAATUxUQgEABAAAAAcAAAAAAAAABgAAAGxlbmd0aAAAAAAAAAAA+D8AAAAAAAD4PwAAAAAAAPg/AAAAAAAABEAAAAAAAAAEQAAAAAAAAAxAAAAAAAAAFEAFAAAAd2lkdGgBAAIAAAAAAAAAAgAAAAAAAAACAAAAAAAAAAMAAAAAAAAAAwAAAAAAAAAEAAAAAAAAAAYAAAAAAAAABQAAAGNvbG9yAgADAAAAAwAAAHJlZAQAAABibHVlBQAAAGdyZWVuAAAAAAAAAAAAAAAAAQAAAAEAAAACAAAAAQAAAAUAAABwcmljZQEACgAAAAAAAAAKAAAAAAAAAAoAAAAAAAAADgAAAAAAAAAOAAAAAAAAABYAAAAAAAAAKAAAAAAAAAAAAAAAAAAAAAQAAAAAAAAAF9sgyAWRsBG5Ma0+Ez/Z7wK7YfIf0yE8X0qDWrvBefOswpUBS8CGeZuMds3HkAhxMJBaelTXgLNhV7QyykjCIgQAAAAAAAAA8oxGe90EHihTGotKBStcTkMjkx5ka4dglmz40uVIe9E0IfxE46ZenYBiHBXsSh5gV1/FH2C4TLd8jtoN+QTrTw=="

@Suite("Repeated rows (identity by content and occurrence)")
struct RepeatedRowTests {
    @Test("a file with repeated rows keeps them all: training + testing add up to the file, the report counts the repeats")
    func keepsRepeats() throws {
        let file = try CSV.read(string: repeatedCSV)
        var datasets = MLDatasets()
        let report = try datasets.generate(from: file, selection: priceSelection, testFraction: 0.4, seed: 1,
                                           validation: .holdout(fraction: 0.25, seed: 2))
        #expect(report.inputRows == 12 && report.newRows == 12 && report.repeatedRows == 4)
        #expect(report.addedToTesting == 5)  // ⌈0.4 × 12⌉
        #expect(datasets.training.rowCount + datasets.testing.rowCount == 12)
        #expect(datasets.testingIdentities.count == datasets.testing.rowCount)
        #expect(datasets.trainingLedger.count == datasets.training.rowCount)
        #expect(datasets.validation.rowCount == 2 && datasets.trainingWithoutValidation.rowCount == 5)
    }

    @Test("regenerating from the same file, in any order, adds nothing")
    func regenerate() throws {
        let file = try CSV.read(string: repeatedCSV)
        var datasets = MLDatasets()
        try datasets.generate(from: file, selection: priceSelection, testFraction: 0.4, seed: 1)
        let first = datasets
        let again = try datasets.generate(from: file, selection: priceSelection, testFraction: 0.4, seed: 99)
        #expect(again.newRows == 0 && again.addedToTesting == 0 && again.repeatedRows == 4)
        #expect(again.alreadyInTesting == first.testing.rowCount)
        #expect(datasets.testing == first.testing && datasets.training == first.training)
        #expect(datasets.testingIdentities == first.testingIdentities && datasets.trainingLedger == first.trainingLedger)
        let lines = repeatedCSV.split(separator: "\n")
        let reversed = try CSV.read(string: ([lines[0]] + lines.dropFirst().reversed()).joined(separator: "\n"))
        let shuffled = try datasets.generate(from: reversed, selection: priceSelection, testFraction: 0.4, seed: 5)
        #expect(shuffled.newRows == 0 && shuffled.addedToTesting == 0)
        #expect(datasets.training.rowCount + datasets.testing.rowCount == 12)
    }

    @Test("a later file with one more copy of a row adds exactly that copy")
    func oneMoreCopy() throws {
        var datasets = MLDatasets()
        try datasets.generate(from: try CSV.read(string: repeatedCSV), selection: priceSelection, testFraction: 0.4, seed: 1)
        let report = try datasets.generate(from: try CSV.read(string: repeatedCSV + "2.5,3,blue,14\n"), selection: priceSelection,
                                           testFraction: 0.4, seed: 2)
        #expect(report.newRows == 1 && report.repeatedRows == 5)
        #expect(datasets.training.rowCount + datasets.testing.rowCount == 13)
        // One copy fewer: the copy leaves training (or stays in testing), nothing is new.
        let fewer = try datasets.generate(from: try CSV.read(string: repeatedCSV), selection: priceSelection, testFraction: 0.4, seed: 3)
        #expect(fewer.newRows == 0 && fewer.addedToTesting == 0)
    }

    @Test("the first occurrence of a row keeps the identity older versions gave it; later copies get new ones")
    func firstOccurrenceCompatible() throws {
        let row = try Table([
            Column(name: "x", numeric: [2.5, 2.5]), Column(name: "color", categorical: ["red", "red"]),
            Column(name: "n", integer: [7, 7]), Column(name: "flag", boolean: [true, true]), Column(name: "y", integer: [1, 1]),
        ])
        var datasets = MLDatasets()
        let selection = FeatureSelection(label: "y", features: ["x", "color", "n", "flag"])
        let report = try datasets.generate(from: row, selection: selection, testFraction: 0.5, seed: 1)
        #expect(report.repeatedRows == 1 && report.newRows == 2)
        let identities = datasets.testingIdentities.union(datasets.trainingLedger).map(\.description)
        // Printed by the code before occurrence numbers (commit 914829e) for this row, from the
        // same public API; an independent SHA-256 of the documented encoding agrees.
        #expect(identities.count == 2 && identities.contains("ad36220e0043c4b6d9206b3cfb83d672"))
    }

    @Test("a store written before occurrence numbers, generated again from the same file, adds and duplicates nothing")
    func legacyStore() throws {
        let bytes = Array(try #require(Data(base64Encoded: legacyDatasets)))
        var datasets = try MLDatasets(binaryEncoded: bytes)
        #expect(bytes[4] == 1 && datasets.binaryEncoded() == bytes, "read as version 1 and written back unchanged until generated")
        #expect(datasets.testing.rowCount == 7 && datasets.testingIdentities.count == 4, "the fixture has repeated rows in testing")
        #expect(datasets.training.rowCount == 5 && datasets.trainingLedger.count == 4, "and in training")
        let before = datasets
        let file = try CSV.read(string: repeatedCSV)
        let report = try datasets.generate(from: file, selection: priceSelection, testFraction: 0.4, seed: 1)
        #expect(report.newRows == 0 && report.addedToTesting == 0 && report.alreadyInTesting == 7 && report.repeatedRows == 4)
        #expect(datasets.testing == before.testing && datasets.training == before.training)
        #expect(datasets.testingIdentities.count == 7 && datasets.trainingLedger.count == 5)
        #expect(before.testingIdentities.isSubset(of: datasets.testingIdentities))
        #expect(before.trainingLedger.isSubset(of: datasets.trainingLedger))
        #expect(datasets.binaryEncoded()[4] == 3, "written as the current version (3) from now on")
        #expect(try MLDatasets(binaryEncoded: datasets.binaryEncoded()) == datasets)
        // From here on it behaves as a new store: one more copy adds exactly one row.
        let more = try datasets.generate(from: try CSV.read(string: repeatedCSV + "1.5,2,red,10\n"), selection: priceSelection,
                                         testFraction: 0.4, seed: 1)
        #expect(more.newRows == 1 && datasets.training.rowCount + datasets.testing.rowCount == 13)
    }

    @Test("a failed generation on a version 1 store leaves it version 1")
    func legacyStoreFailedGeneration() throws {
        let bytes = Array(try #require(Data(base64Encoded: legacyDatasets)))
        var datasets = try MLDatasets(binaryEncoded: bytes)
        let file = try CSV.read(string: repeatedCSV)
        #expect(tabularError { try datasets.generate(from: file, selection: FeatureSelection(label: "cost"), testFraction: 0.4, seed: 1) } != nil)
        #expect(datasets.binaryEncoded() == bytes)
    }

    @Test("separate training and testing sources: repeats in both are kept and counted; keyed identities count none")
    func twoSourcesAndKeys() throws {
        let training = try CSV.read(string: repeatedCSV)
        let testing = try CSV.read(string: "length,width,color,price\n9.5,9,red,90\n9.5,9,red,90\n")
        var datasets = MLDatasets()
        let report = try datasets.generate(training: training, testing: testing, selection: priceSelection)
        #expect(report.repeatedRows == 5 && datasets.training.rowCount == 12 && datasets.testing.rowCount == 2)
        let again = try datasets.generate(training: training, testing: testing, selection: priceSelection)
        #expect(again.newRows == 0 && datasets.training.rowCount == 12 && datasets.testing.rowCount == 2)
        var keyed = MLDatasets()
        let keyedReport = try keyed.generate(from: try sourceTable(ids: Array(0..<30)), selection: FeatureSelection(label: "y", features: ["color"], keys: ["id"]),
                                             testFraction: 0.2, seed: 1)
        #expect(keyedReport.repeatedRows == 0 && keyed.training.rowCount + keyed.testing.rowCount == 30)
    }

    @Test("properties over random inputs with many repeats: every row lands in training or testing, regenerating adds nothing",
          arguments: 0..<20)
    func properties(seed: Int) throws {
        var random = RandomSource(seed: UInt64(seed) &+ 5)
        let distinct = 1 + random.nextInt(below: 30)
        let rows = 1 + random.nextInt(below: 300)
        let picks = (0..<rows).map { _ in random.nextInt(below: distinct) }
        let table = try Table([Column(name: "a", integer: picks), Column(name: "b", categorical: picks.map { "v\($0 % 4)" }),
                               Column(name: "y", integer: picks.map { $0 % 2 })])
        let fraction = [0.1, 0.2, 0.5][seed % 3]
        let selection = FeatureSelection(label: "y")
        var datasets = MLDatasets()
        let report = try datasets.generate(from: table, selection: selection, testFraction: fraction, seed: UInt64(seed),
                                           validation: .holdout(fraction: 0.2, seed: 3))
        #expect(report.repeatedRows == rows - Set(picks).count)
        #expect(report.addedToTesting == Split.heldOutCount(of: rows, fraction: fraction))
        #expect(datasets.training.rowCount + datasets.testing.rowCount == rows)
        let again = try datasets.generate(from: table, selection: selection, testFraction: fraction, seed: UInt64(seed) + 1)
        #expect(again.newRows == 0 && again.addedToTesting == 0)
        #expect(datasets.training.rowCount + datasets.testing.rowCount == rows)
    }
}
