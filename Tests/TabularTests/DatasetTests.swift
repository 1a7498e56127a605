import LinearAlgebra
import Tabular
import Testing

/// Rows of a synthetic source: key `id`, features `x` and `color`, label `y`; every value
/// is a function of the row's `id`, so a row has the same content in every input.
func sourceTable(ids: [Int]) throws -> Table {
    try Table([
        Column(name: "id", integer: ids),
        Column(name: "x", numeric: ids.map { Double($0) * 0.5 }),
        Column(name: "color", categorical: ids.map { ["red", "green", "blue"][$0 % 3] }),
        Column(name: "y", integer: ids.map { id in var random = RandomSource(seed: UInt64(id)); return random.nextInt(below: 2) }),
        Column(name: "comment", categorical: ids.map { "row \($0)" }),
    ])
}

let keyed = FeatureSelection(label: "y", features: ["x", "color"], keys: ["id"])
let unkeyed = FeatureSelection(label: "y", features: ["x", "color"])

/// The `id` values of a dataset table (recovered from `x = id / 2` when the selection has
/// no key column).
func ids(_ table: Table) -> Set<Int> {
    if let column = table["id"], case .integer(let values) = column.values { return Set(values) }
    if let column = table["x"], case .numeric(let values) = column.values { return Set(values.map { Int($0 * 2) }) }
    return []
}

@Suite("Append-only ML datasets")
struct DatasetTests {
    @Test("first generation splits by ratio and keeps only the dataset's columns")
    func firstGeneration() throws {
        var datasets = MLDatasets()
        let report = try datasets.generate(from: try sourceTable(ids: Array(0..<200)), selection: keyed, testFraction: 0.15, seed: 27062020)
        #expect(report.newRows == 200 && report.addedToTesting == 30)
        #expect(datasets.testing.rowCount == 30 && datasets.training.rowCount == 170)
        #expect(datasets.training.columnNames == ["id", "x", "color", "y"])
        #expect(ids(datasets.training).isDisjoint(with: ids(datasets.testing)))
    }

    @Test("generating twice from the same input adds nothing to testing and keeps training the same")
    func idempotent() throws {
        var datasets = MLDatasets()
        let input = try sourceTable(ids: Array(0..<100))
        try datasets.generate(from: input, selection: keyed, testFraction: 0.2, seed: 3)
        let first = datasets
        let report = try datasets.generate(from: input, selection: keyed, testFraction: 0.2, seed: 3)
        #expect(report.addedToTesting == 0 && report.newRows == 0 && report.alreadyInTesting == 20)
        #expect(datasets.testing == first.testing)
        #expect(ids(datasets.training) == ids(first.training))
        #expect(datasets.generations == 2)
    }

    @Test("same seed and input give the same sets; another seed another split")
    func reproducible() throws {
        var a = MLDatasets(), b = MLDatasets(), c = MLDatasets()
        let input = try sourceTable(ids: Array(0..<300))
        try a.generate(from: input, selection: keyed, testFraction: 0.15, seed: 11)
        try b.generate(from: input, selection: keyed, testFraction: 0.15, seed: 11)
        try c.generate(from: input, selection: keyed, testFraction: 0.15, seed: 12)
        #expect(a == b)
        #expect(ids(a.testing) != ids(c.testing))
    }

    @Test("rows that went to training never reach testing later, even when the input shrinks and grows")
    func noLeaks() throws {
        var datasets = MLDatasets()
        try datasets.generate(from: try sourceTable(ids: Array(0..<100)), selection: keyed, testFraction: 0.3, seed: 1)
        let firstTraining = ids(datasets.training)
        let firstTesting = ids(datasets.testing)
        try datasets.generate(from: try sourceTable(ids: Array(50..<100)), selection: keyed, testFraction: 0.3, seed: 2)
        #expect(ids(datasets.testing) == firstTesting)             // testing kept though its rows left the input
        #expect(ids(datasets.training) == firstTraining.filter { $0 >= 50 })  // training flushed to the input
        try datasets.generate(from: try sourceTable(ids: Array(0..<150)), selection: keyed, testFraction: 0.3, seed: 3)
        #expect(firstTraining.isSubset(of: ids(datasets.training)))
        #expect(firstTesting.isSubset(of: ids(datasets.testing)))
        #expect(ids(datasets.training).isDisjoint(with: ids(datasets.testing)))
        #expect(ids(datasets.testing).count == 30 + 15)
    }

    @Test("reset empties all three sets; the next run starts afresh")
    func reset() throws {
        var datasets = MLDatasets()
        let input = try sourceTable(ids: Array(0..<40))
        try datasets.generate(from: input, selection: keyed, testFraction: 0.25, seed: 1, validation: .holdout(fraction: 0.2, seed: 2))
        #expect(datasets.validation.rowCount == 6)
        datasets.reset()
        #expect(datasets == MLDatasets())
        #expect(datasets.testing.rowCount == 0 && datasets.training.rowCount == 0 && datasets.validation.rowCount == 0)
        let report = try datasets.generate(from: input, selection: keyed, testFraction: 0.25, seed: 1)
        #expect(report.addedToTesting == 10)
    }

    @Test("validation is a seeded holdout share of training; training without validation is the rest")
    func validation() throws {
        var datasets = MLDatasets()
        try datasets.generate(from: try sourceTable(ids: Array(0..<120)), selection: keyed, testFraction: 0.25, seed: 1,
                              validation: .holdout(fraction: 0.2, seed: 9))
        #expect(datasets.training.rowCount == 90 && datasets.validation.rowCount == 18)
        #expect(datasets.trainingWithoutValidation.rowCount == 72)
        #expect(ids(datasets.validation).isSubset(of: ids(datasets.training)))
        #expect(ids(datasets.validation).isDisjoint(with: ids(datasets.trainingWithoutValidation)))
    }

    @Test("a failed generation changes nothing", arguments: ["missing label", "missing key", "duplicate key", "schema", "selection", "fraction"])
    func failedGeneration(problem: String) throws {
        var datasets = MLDatasets()
        try datasets.generate(from: try sourceTable(ids: Array(0..<50)), selection: keyed, testFraction: 0.2, seed: 1)
        let before = datasets
        var input = try sourceTable(ids: Array(0..<80))
        var selection = keyed
        var fraction = 0.2
        let expected: TabularError
        switch problem {
        case "missing label":
            try input.setColumn(Column(name: "y", integer: (0..<80).map { $0 == 70 ? nil : 1 }))
            expected = .missingValue(feature: "y", row: 70)
        case "missing key":
            try input.setColumn(Column(name: "id", integer: (0..<80).map { $0 == 65 ? nil : $0 }))
            expected = .missingValue(feature: "id", row: 65)
        case "duplicate key":
            try input.setColumn(Column(name: "id", integer: (0..<80).map { $0 == 79 ? 3 : $0 }))
            expected = .duplicateKey(key: "(id=3)", firstRow: 3, secondRow: 79)
        case "schema":
            try input.setColumn(Column(name: "color", integer: Array(0..<80)))
            expected = .typeMismatch(column: "color", expected: .categorical, actual: .integer)
        case "selection":
            selection = FeatureSelection(label: "y", features: ["x", "colour"], keys: ["id"])
            expected = .invalidSelection(["feature 'colour' is not a column"])
        default:
            fraction = 1
            expected = .invalidSplit("test fraction must be between 0 and 1 (exclusive), got 1.0")
        }
        #expect(tabularError { try datasets.generate(from: input, selection: selection, testFraction: fraction, seed: 1) } == expected)
        #expect(datasets == before)
    }

    @Test("without keys, identity is the row's content and occurrence number; every copy of a row is kept")
    func contentIdentity() throws {
        var datasets = MLDatasets()
        let base = try sourceTable(ids: Array(0..<60))
        var doubled = base
        try doubled.append(base)
        let first = try datasets.generate(from: doubled, selection: unkeyed, testFraction: 0.2, seed: 4)
        #expect(first.newRows == 120 && first.repeatedRows == 60)
        #expect(datasets.testing.rowCount == 24 && datasets.training.rowCount == 96)
        let report = try datasets.generate(from: base, selection: unkeyed, testFraction: 0.2, seed: 5)
        #expect(report.addedToTesting == 0)
        // A column outside the selection does not take part in identity.
        var commented = base
        try commented.setColumn(Column(name: "comment", categorical: (0..<60).map { "edited \($0)" }))
        #expect(try datasets.generate(from: commented, selection: unkeyed, testFraction: 0.2, seed: 6).addedToTesting == 0)
    }

    @Test("a column widened from integer to numeric keeps identities and stored rows")
    func widening() throws {
        var datasets = MLDatasets()
        let narrow = try Table([Column(name: "k", integer: [1, 2, 3, 4, 5]), Column(name: "v", integer: [10, 20, 30, 40, 50]),
                                Column(name: "y", integer: [0, 1, 0, 1, 0])])
        let selection = FeatureSelection(label: "y", features: ["v"])
        try datasets.generate(from: narrow, selection: selection, testFraction: 0.4, seed: 1)
        var wide = try Table([Column(name: "k", integer: [1, 2, 3, 4, 5, 6]), Column(name: "v", numeric: [10, 20, 30, 40, 50, 60.5]),
                              Column(name: "y", integer: [0, 1, 0, 1, 0, 1])])
        let report = try datasets.generate(from: wide, selection: selection, testFraction: 0.4, seed: 1)
        #expect(report.alreadyInTesting == 2 && report.newRows == 1)
        #expect(datasets.testing["v"]?.type == .numeric)
        wide = try Table([Column(name: "k", integer: [1]), Column(name: "v", categorical: ["x"]), Column(name: "y", integer: [0])])
        #expect(tabularError { try datasets.generate(from: wide, selection: selection, testFraction: 0.4, seed: 1) } != nil)
    }

    @Test("separate training and testing sources need no split and never overlap")
    func separateSources() throws {
        var datasets = MLDatasets()
        let training = try sourceTable(ids: Array(0..<80))
        let testing = try sourceTable(ids: Array(80..<100))
        try datasets.generate(training: training, testing: testing, selection: keyed)
        #expect(ids(datasets.training) == Set(0..<80) && ids(datasets.testing) == Set(80..<100))
        // A later training source that contains testing rows does not pull them into training.
        let report = try datasets.generate(training: try sourceTable(ids: Array(0..<100)), testing: try sourceTable(ids: []), selection: keyed)
        #expect(report.alreadyInTesting == 20 && ids(datasets.training) == Set(0..<80))
        // A row declared testing later leaves training.
        try datasets.generate(training: try sourceTable(ids: Array(0..<100)), testing: try sourceTable(ids: [5]), selection: keyed)
        #expect(ids(datasets.testing).contains(5) && !ids(datasets.training).contains(5))
    }

    @Test("the binary encoding round-trips and refuses truncation, bad magic, unknown versions and trailing bytes")
    func binary() throws {
        var datasets = MLDatasets()
        var input = try sourceTable(ids: Array(0..<64))
        try input.setColumn(Column(name: "x", numeric: (0..<64).map { $0 % 7 == 0 ? nil : Double($0) }))
        try datasets.generate(from: input, selection: keyed, testFraction: 0.25, seed: 1, validation: .holdout(fraction: 0.25, seed: 2))
        let bytes = datasets.binaryEncoded()
        #expect(try MLDatasets(binaryEncoded: bytes) == datasets)
        #expect(datasets.binaryEncoded() == bytes)
        #expect(try MLDatasets(binaryEncoded: MLDatasets().binaryEncoded()) == MLDatasets())
        for length in stride(from: 0, to: bytes.count, by: 7) {
            guard case .corruptEncoding? = tabularError({ _ = try MLDatasets(binaryEncoded: Array(bytes[0..<length])) }) else {
                Issue.record("prefix of \(length) bytes")
                continue
            }
        }
        #expect(bytes[4] == 3 && bytes[5] == 0, "written as version 3")
        var badVersion = bytes
        badVersion[4] = 4
        #expect(tabularError { _ = try MLDatasets(binaryEncoded: badVersion) }
            == .corruptEncoding("unknown dataset encoding version 4 (this library reads versions 1 to 3)"))
        #expect(tabularError { _ = try MLDatasets(binaryEncoded: Array("JSON".utf8) + bytes.dropFirst(4)) }
            == .corruptEncoding("not a dataset encoding (magic [74, 83, 79, 78])"))
        #expect(tabularError { _ = try MLDatasets(binaryEncoded: bytes + [1, 2]) } == .corruptEncoding("2 unexpected bytes after the datasets"))
    }

    @Test("the schema: fixed by the first generation, kept in the encoding, read from version 2 as the tables', reset")
    func schema() throws {
        var datasets = MLDatasets()
        #expect(datasets.schema == nil)
        let input = try sourceTable(ids: Array(0..<40))
        try datasets.generate(from: input, selection: keyed, testFraction: 0.25, seed: 1)
        let schema = try #require(datasets.schema)
        #expect(schema.columns.map(\.name) == datasets.testing.columnNames)
        let bytes = datasets.binaryEncoded()
        #expect(try MLDatasets.schema(ofBinaryEncoded: bytes) == schema)
        // Version 2: the same layout without the schema section (after the generation count).
        let section = 8 + schema.columns.reduce(0) { $0 + 8 + $1.name.utf8.count + $1.type.rawValue.utf8.count }
        var old = Array(bytes[0..<14]) + Array(bytes[(14 + section)...])
        old[4] = 2
        let decoded = try MLDatasets(binaryEncoded: old)
        #expect(decoded.schema == schema && decoded == datasets)
        #expect(try MLDatasets.schema(ofBinaryEncoded: old) == schema)
        #expect(decoded.binaryEncoded() == bytes, "written back as version 3")
        // Another type is refused, nothing changes; integer → numeric widens.
        var text = try sourceTable(ids: Array(40..<60))
        try text.setColumn(Column(name: "x", categorical: (40..<60).map { "v\($0)" }))
        var copy = datasets
        #expect(tabularError { try copy.generate(from: text, selection: keyed, testFraction: 0.25, seed: 1) }
            == .typeMismatch(column: "x", expected: schema["x"] ?? .numeric, actual: .categorical))
        #expect(copy == datasets)
        copy.reset()
        #expect(copy.schema == nil)
        try copy.generate(from: text, selection: keyed, testFraction: 0.25, seed: 1)
        #expect(copy.schema?["x"] == .categorical)
    }

    /// Random sequences of growing (and sometimes shrinking) inputs and resets.
    @Test("properties over random histories: disjoint sets, testing only grows, new rows split within one row of the share",
          arguments: 0..<40)
    func properties(history: Int) throws {
        var random = RandomSource(seed: UInt64(history) &* 7919 &+ 1)
        let fraction = [0.1, 0.15, 0.2, 0.3, 0.5][random.nextInt(below: 5)]
        let selection = random.nextInt(below: 2) == 0 ? keyed : unkeyed
        var datasets = MLDatasets()
        var everTraining = Set<Int>(), everTesting = Set<Int>()
        var upper = 0
        for step in 0..<12 {
            if random.nextInt(below: 10) == 0 {
                datasets.reset()
                everTraining = []
                everTesting = []
                continue
            }
            upper += random.nextInt(below: 40)
            let lower = random.nextInt(below: max(upper / 2, 1))
            let input = try sourceTable(ids: Array(lower..<upper))
            let testingBefore = ids(datasets.testing)
            let seen = everTraining.union(everTesting)
            let newCount = (lower..<upper).filter { !seen.contains($0) }.count
            let report = try datasets.generate(from: input, selection: selection, testFraction: fraction, seed: UInt64(step))
            let training = ids(datasets.training), testing = ids(datasets.testing)
            #expect(training.isDisjoint(with: testing), "history \(history) step \(step)")
            #expect(testingBefore.isSubset(of: testing), "testing shrank")
            #expect(report.newRows == newCount)
            #expect(abs(Double(report.addedToTesting) - fraction * Double(newCount)) <= 1, "share of new rows")
            #expect(training == Set(lower..<upper).subtracting(testing), "training is the input minus testing")
            everTraining.formUnion(training)
            everTesting.formUnion(testing)
            #expect(everTraining.isDisjoint(with: everTesting), "a row moved between training and testing")
        }
    }
}
