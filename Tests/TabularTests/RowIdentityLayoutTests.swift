import Tabular
import Testing

/// Rows of numeric and integer columns without missing values are encoded with a fixed
/// layout (names written once per block); their identities must be those of the general
/// encoding, byte for byte.
@Suite("Row identities: the fixed layout of numeric rows")
struct RowIdentityLayoutTests {
    @Test("numeric and integer rows hash the documented encoding, repeats numbered")
    func pinnedIdentities() throws {
        let table = try Table([
            Column(name: "y", integer: [7, 7, 3]), Column(name: "a", numeric: [1.5, 1.5, -0.25]),
        ])
        var datasets = MLDatasets()
        let report = try datasets.generate(from: table, selection: FeatureSelection(label: "y"), testFraction: 0.5, seed: 1)
        #expect(report.repeatedRows == 1)
        let identities = Set(datasets.testingIdentities.union(datasets.trainingLedger).map(\.description))
        // An independent SHA-256 (Python's hashlib) of the encoding documented in RowIdentity.
        #expect(identities == ["b7055a7027869c0de67faa9f605b0bb9", "76b17388fefbe1ef8375f23ef7bbe12f", "75f550f90b5062bf157be03fdc658eea"])
    }

    @Test("a large numeric table: the same identities as the general encoding, on every block")
    func sameAsGeneralLayout() throws {
        let rows = 5_000
        let x = (0..<rows).map { Double($0 % 100) * 0.5 }
        let n = (0..<rows).map { $0 % 300 }
        let fixed = try Table([Column(name: "x", numeric: x), Column(name: "n", integer: n), Column(name: "y", integer: n)])
        // One more row with a missing value sends the whole table down the general path.
        let general = try Table([
            Column(name: "x", numeric: x.map { Optional($0) } + [nil]), Column(name: "n", integer: n + [1]), Column(name: "y", integer: n + [1]),
        ])
        var first = MLDatasets()
        var second = MLDatasets()
        let selection = FeatureSelection(label: "y")
        let a = try first.generate(from: fixed, selection: selection, testFraction: 0.3, seed: 9)
        let b = try second.generate(from: general, selection: selection, testFraction: 0.3, seed: 9)
        #expect(a.repeatedRows == b.repeatedRows && a.repeatedRows > 0)
        let fixedIdentities = first.testingIdentities.union(first.trainingLedger)
        let generalIdentities = second.testingIdentities.union(second.trainingLedger)
        #expect(fixedIdentities.count == rows && fixedIdentities.isSubset(of: generalIdentities))
    }
}
