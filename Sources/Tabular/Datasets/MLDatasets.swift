/// The training, testing and validation sets of a pipeline, kept across dataset
/// generation runs by the append-only rules:
///
/// - A generation run empties training and validation, then splits every input row that
///   is not already in testing between training and testing.
/// - The testing set only grows; only ``reset()`` empties it (and the other two).
/// - Rows never move between training and testing over time: a row that went to training
///   once goes to training again in later runs (a ledger of training identities is kept),
///   and a row in testing is never used for training. Only rows never seen before are
///   split, `⌈f·n⌉` of `n` new rows to testing (``Split/heldOutCount(of:fraction:)``).
/// - Row identity is ``RowIdentity``: from the key columns (two rows with the same key in
///   one input are an error), or, when no key is declared, from the row's content and its
///   occurrence number within its source. Identical rows are all kept, each a row of its
///   own, and the same input gives the same identities again.
/// - The first generation fixes the datasets' ``schema`` (each stored column's name and
///   type); later inputs must conform to it: an integer column may arrive as numeric (the
///   column widens to numeric, stored rows too) and a numeric one as integer, any other
///   type change or another set of columns is an error. Only ``reset()`` forgets it.
/// - A run that fails (a bad row anywhere, a schema change) changes nothing.
///
/// The value is free of storage; ``binaryEncoded()`` gives the compact encoding stores
/// persist.
///
/// ```swift
/// var datasets = MLDatasets()
/// let selection = FeatureSelection(label: "is_overcrowded", excluding: ["date"], keys: ["date", "station_id"])
/// try datasets.generate(from: table, selection: selection, testFraction: 0.15, seed: 27062020,
///                       validation: .holdout(fraction: 0.2, seed: 1))
/// datasets.training.rowCount; datasets.testing.rowCount; datasets.validation.rowCount
/// ```
public struct MLDatasets: Sendable, Hashable {
    /// How validation rows are set aside from training at generation time.
    public enum ValidationPlan: Sendable, Hashable, Codable {
        /// No validation set (k-fold is computed from training when models are trained).
        case none
        /// A seeded share of the training rows.
        case holdout(fraction: Double, seed: UInt64)
    }

    /// What one generation run did.
    public struct GenerationReport: Sendable, Hashable, Codable {
        /// Input rows considered.
        public var inputRows: Int
        /// Rows skipped because they are already in testing.
        public var alreadyInTesting: Int
        /// Rows seen for the first time.
        public var newRows: Int
        /// Rows added to testing by this run.
        public var addedToTesting: Int
        /// Rows in training after the run.
        public var trainingRows: Int
        /// Rows in validation after the run.
        public var validationRows: Int
        /// Input rows identical (over the dataset's columns) to an earlier row of the same
        /// source, each kept as a row of its own; 0 with key columns.
        public var repeatedRows: Int = 0
    }

    /// The training rows of the last generation run.
    public private(set) var training: Table
    /// Every testing row ever added since the last reset.
    public private(set) var testing: Table
    /// Indices into ``training`` of the validation rows, ascending.
    public private(set) var validationIndices: [Int]
    /// The identities of the testing rows.
    public private(set) var testingIdentities: Set<RowIdentity>
    /// Every identity that has gone to training since the last reset.
    public private(set) var trainingLedger: Set<RowIdentity>
    /// The number of successful generation runs since the last reset.
    public private(set) var generations: Int
    /// Each stored column's name and type, fixed by the first generation run since the last
    /// reset (integer columns widen to numeric); `nil` before it.
    public private(set) var schema: Schema?
    /// The identities were made before occurrence numbers (decoded from "MLDS" version 1):
    /// every copy of a repeated row shared one identity. The next generation without keys
    /// first gives the stored copies their occurrence identities.
    var contentOnlyIdentities: Bool

    /// Empty sets.
    public init() {
        self.init(training: Table(schema: Schema([])), testing: Table(schema: Schema([])), validationIndices: [],
                  testingIdentities: [], trainingLedger: [], generations: 0)
    }

    init(training: Table, testing: Table, validationIndices: [Int], testingIdentities: Set<RowIdentity>,
         trainingLedger: Set<RowIdentity>, generations: Int, contentOnlyIdentities: Bool = false, schema: Schema? = nil) {
        self.training = training
        self.testing = testing
        self.validationIndices = validationIndices
        self.testingIdentities = testingIdentities
        self.trainingLedger = trainingLedger
        self.generations = generations
        self.contentOnlyIdentities = contentOnlyIdentities
        // Before the schema was stored (encoding versions 1 and 2) it is the stored tables'.
        self.schema = schema ?? Self.tablesSchema(training: training, testing: testing)
    }

    /// The validation rows (a subset of training).
    public var validation: Table {
        (try? training.rows(at: validationIndices)) ?? Table(schema: training.schema)
    }

    /// The training rows not in validation: what models are fitted on.
    public var trainingWithoutValidation: Table {
        let held = Set(validationIndices)
        return (try? training.rows(at: (0..<training.rowCount).filter { !held.contains($0) })) ?? training
    }

    /// Empties all three sets and forgets every identity. Configuration and models, which
    /// live elsewhere, are not touched.
    public mutating func reset() {
        self = MLDatasets()
    }

    /// A generation run from one source, split by ratio.
    ///
    /// - Parameters:
    ///   - input: The source rows.
    ///   - selection: Label, features and keys; only these columns are kept.
    ///   - testFraction: The share of new rows for testing, in (0, 1).
    ///   - seed: The seed of the split of new rows.
    ///   - validation: How validation rows are chosen from training.
    /// - Returns: What the run did.
    /// - Throws: ``TabularError/invalidSelection(_:)``, ``TabularError/invalidSplit(_:)``,
    ///   ``TabularError/missingValue(feature:row:)`` for a missing label or key,
    ///   ``TabularError/duplicateKey(key:firstRow:secondRow:)``, or
    ///   ``TabularError/schemaMismatch(details:)``; the sets are unchanged then.
    /// - Complexity: O(input rows × dataset columns) to hash identities, plus copying the
    ///   stored sets (and, once for datasets stored before occurrence numbers, hashing
    ///   their rows).
    @discardableResult
    public mutating func generate(
        from input: Table, selection: FeatureSelection, testFraction: Double, seed: UInt64,
        validation: ValidationPlan = .none
    ) throws(TabularError) -> GenerationReport {
        guard testFraction > 0 && testFraction < 1 else {
            throw .invalidSplit("test fraction must be between 0 and 1 (exclusive), got \(testFraction)")
        }
        let prepared = try prepare(input, selection: selection)
        var next = self
        try next.numberStoredRepeats(keyed: prepared.keyed)
        var report = GenerationReport(inputRows: input.rowCount, alreadyInTesting: 0, newRows: 0, addedToTesting: 0,
                                      trainingRows: 0, validationRows: 0, repeatedRows: prepared.repeated)
        // Identities are unique within one input (keys are checked, repeats numbered), so
        // each new identity is one row.
        var trainingRows: [Int] = []
        var newRows: [Int] = []
        for (row, identity) in prepared.identities.enumerated() {
            if next.testingIdentities.contains(identity) {
                report.alreadyInTesting += 1
            } else if next.trainingLedger.contains(identity) {
                trainingRows.append(row)
            } else {
                newRows.append(row)
            }
        }
        report.newRows = newRows.count
        let (_, heldOut) = Split.split(count: newRows.count, heldOut: Split.heldOutCount(of: newRows.count, fraction: testFraction), seed: seed)
        var toTesting = [Bool](repeating: false, count: newRows.count)
        for index in heldOut { toTesting[index] = true }
        var testingRows: [Int] = []
        next.testingIdentities.reserveCapacity(next.testingIdentities.count + heldOut.count)
        next.trainingLedger.reserveCapacity(next.trainingLedger.count + newRows.count - heldOut.count)
        for (index, row) in newRows.enumerated() {
            let identity = prepared.identities[row]
            if toTesting[index] {
                testingRows.append(row)
                next.testingIdentities.insert(identity)
            } else {
                trainingRows.append(row)
                next.trainingLedger.insert(identity)
            }
        }
        trainingRows.sort()
        testingRows.sort()
        try next.commit(prepared.table, trainingRows: trainingRows, newTestingRows: testingRows, validation: validation)
        next.schema = prepared.table.schema
        report.addedToTesting = testingRows.count
        report.trainingRows = next.training.rowCount
        report.validationRows = next.validationIndices.count
        self = next
        return report
    }

    /// A generation run from two sources: no split, the testing source's rows go to
    /// testing and the training source's to training.
    ///
    /// A training-source row already in testing is skipped (it stays in testing); a
    /// testing-source row is added to testing unless it is there already (and leaves the
    /// training ledger: the caller declared it testing data).
    ///
    /// Repeated rows are numbered within their own source (see ``RowIdentity``).
    ///
    /// - Throws: as ``generate(from:selection:testFraction:seed:validation:)``, with rows
    ///   numbered within their own source.
    /// - Complexity: as ``generate(from:selection:testFraction:seed:validation:)``, over
    ///   both sources.
    @discardableResult
    public mutating func generate(
        training trainingInput: Table, testing testingInput: Table, selection: FeatureSelection,
        validation: ValidationPlan = .none
    ) throws(TabularError) -> GenerationReport {
        let preparedTesting = try prepare(testingInput, selection: selection)
        let preparedTraining = try prepare(trainingInput, selection: selection)
        var next = self
        try next.numberStoredRepeats(keyed: preparedTraining.keyed)
        let previous = next
        var report = GenerationReport(inputRows: trainingInput.rowCount + testingInput.rowCount, alreadyInTesting: 0,
                                      newRows: 0, addedToTesting: 0, trainingRows: 0, validationRows: 0,
                                      repeatedRows: preparedTesting.repeated + preparedTraining.repeated)
        var testingRows: [Int] = []
        var added = Set<RowIdentity>()
        for (row, identity) in preparedTesting.identities.enumerated() {
            if previous.testingIdentities.contains(identity) {
                report.alreadyInTesting += 1
                continue
            }
            if !previous.trainingLedger.contains(identity) && !added.contains(identity) { report.newRows += 1 }
            testingRows.append(row)
            added.insert(identity)
            next.testingIdentities.insert(identity)
            next.trainingLedger.remove(identity)
        }
        var trainingRows: [Int] = []
        trainingRows.reserveCapacity(preparedTraining.identities.count)
        next.trainingLedger.reserveCapacity(next.trainingLedger.count + preparedTraining.identities.count)
        for (row, identity) in preparedTraining.identities.enumerated() {
            if next.testingIdentities.contains(identity) {
                report.alreadyInTesting += 1
                continue
            }
            if !previous.trainingLedger.contains(identity) { report.newRows += 1 }
            trainingRows.append(row)
            next.trainingLedger.insert(identity)
        }
        try next.appendTesting(preparedTesting.table, rows: testingRows)
        try next.commit(preparedTraining.table, trainingRows: trainingRows, newTestingRows: [], validation: validation)
        next.schema = Self.widened(preparedTraining.table.schema, preparedTesting.table.schema)
        report.addedToTesting = testingRows.count
        report.trainingRows = next.training.rowCount
        report.validationRows = next.validationIndices.count
        self = next
        return report
    }

    /// The input reduced to the dataset's columns, checked, with one identity per row, the
    /// number of repeated rows, and whether the identities come from key columns.
    private func prepare(
        _ input: Table, selection: FeatureSelection
    ) throws(TabularError) -> (table: Table, identities: [RowIdentity], repeated: Int, keyed: Bool) {
        let resolved = try selection.resolve(against: input.schema)
        var table = try input.selecting(columns: resolved.allColumns)
        table = try conformed(table)
        for name in [resolved.label] + resolved.keys {
            let column = try table.column(named: name)
            if let row = column.missing.missingIndices.first { throw .missingValue(feature: name, row: row) }
        }
        let keyed = !resolved.keys.isEmpty
        let identityColumns = keyed ? resolved.keys : resolved.allColumns
        let (identities, repeated) = try RowIdentity.identities(of: table, columns: identityColumns, numberingRepeats: !keyed)
        if keyed {
            var first: [RowIdentity: Int] = [:]
            for (row, identity) in identities.enumerated() {
                if let earlier = first.updateValue(row, forKey: identity) {
                    let key = resolved.keys.map { "\($0)=\(table[$0]?[row].description ?? "")" }.joined(separator: ", ")
                    throw .duplicateKey(key: "(\(key))", firstRow: earlier, secondRow: row)
                }
            }
        }
        return (table, identities, repeated, keyed)
    }

    /// Datasets stored before occurrence numbers gave all copies of a repeated row one
    /// identity (the content's, which is still the first copy's). Gives the stored copies
    /// their occurrence identities (numbered within the stored testing table and within
    /// the stored training table), so that generating again from the same input finds
    /// every copy where it already is instead of splitting the later copies anew. Keyed
    /// identities did not change; nothing to do then.
    ///
    /// - Complexity: O((testing rows + training rows) × columns).
    private mutating func numberStoredRepeats(keyed: Bool) throws(TabularError) {
        guard contentOnlyIdentities else { return }
        contentOnlyIdentities = false
        guard !keyed else { return }
        if !testing.columns.isEmpty {
            let numbered = try RowIdentity.identities(of: testing, columns: testing.columnNames, numberingRepeats: true)
            testingIdentities.formUnion(numbered.identities)
        }
        if !training.columns.isEmpty {
            let numbered = try RowIdentity.identities(of: training, columns: training.columnNames, numberingRepeats: true)
            trainingLedger.formUnion(numbered.identities.filter { !testingIdentities.contains($0) })
        }
    }

    /// Checks the input's columns against the datasets' ``schema``: the same names, the same
    /// types, except that integer and numeric stand for one another (an integer input
    /// column is widened to a numeric schema column; a numeric one widens the schema).
    ///
    /// - Throws: ``TabularError/schemaMismatch(details:)`` for other columns,
    ///   ``TabularError/typeMismatch(column:expected:actual:)`` for another type.
    private func conformed(_ table: Table) throws(TabularError) -> Table {
        guard let schema, !schema.columns.isEmpty else { return table }
        let names = schema.columns.map(\.name)
        guard Set(names) == Set(table.columnNames) else {
            throw .schemaMismatch(
                details: "the datasets' schema has columns \(names), the input selects \(table.columnNames) "
                    + "(reset the datasets to change the schema)")
        }
        var result = try table.selecting(columns: names)
        for field in schema.columns {
            guard let incoming = result[field.name], incoming.type != field.type else { continue }
            switch (field.type, incoming.type) {
            case (.numeric, .integer): try result.setColumn(incoming.widenedToNumeric())
            case (.integer, .numeric): continue  // the schema (and the stored rows) widen
            default: throw .typeMismatch(column: field.name, expected: field.type, actual: incoming.type)
            }
        }
        return result
    }

    /// The schema of datasets stored without one: the testing table's, else training's.
    static func tablesSchema(training: Table, testing: Table) -> Schema? {
        let stored = testing.columns.isEmpty ? training : testing
        return stored.columns.isEmpty ? nil : stored.schema
    }

    /// `a` with each column numeric where `b` has it numeric and `a` integer.
    static func widened(_ a: Schema, _ b: Schema) -> Schema {
        Schema(a.columns.map { field in
            field.type == .integer && b[field.name] == .numeric ? Schema.Field(name: field.name, type: .numeric) : field
        })
    }

    /// Widens stored integer columns that the input has as numeric.
    private mutating func widenStored(toMatch table: Table) throws(TabularError) {
        for column in table.columns where column.type == .numeric {
            if testing[column.name]?.type == .integer, let stored = testing[column.name] {
                try testing.setColumn(stored.widenedToNumeric())
            }
        }
    }

    /// The rows of `table` at `rows` (ascending): `table` itself, its columns shared rather
    /// than copied, when they are all of its rows.
    private static func rows(_ rows: [Int], of table: Table) throws(TabularError) -> Table {
        if rows.count == table.rowCount && rows.elementsEqual(0..<rows.count) { return table }
        return try table.rows(at: rows)
    }

    private mutating func appendTesting(_ table: Table, rows: [Int]) throws(TabularError) {
        let added = try Self.rows(rows, of: table)
        if testing.columns.isEmpty {
            testing = added
        } else {
            try widenStored(toMatch: added)
            try testing.append(try added.selecting(columns: testing.columnNames))
        }
    }

    private mutating func commit(
        _ table: Table, trainingRows: [Int], newTestingRows: [Int], validation: ValidationPlan
    ) throws(TabularError) {
        try appendTesting(table, rows: newTestingRows)
        training = try Self.rows(trainingRows, of: table)
        switch validation {
        case .none:
            validationIndices = []
        case let .holdout(fraction, seed):
            guard fraction > 0 && fraction < 1 else {
                throw .invalidSplit("validation fraction must be between 0 and 1 (exclusive), got \(fraction)")
            }
            let count = training.rowCount
            validationIndices = Split.split(count: count, heldOut: Split.heldOutCount(of: count, fraction: fraction), seed: seed).1
        }
        generations += 1
    }
}

extension MLDatasets.GenerationReport {
    private enum CodingKeys: String, CodingKey {
        case inputRows, alreadyInTesting, newRows, addedToTesting, trainingRows, validationRows, repeatedRows
    }

    /// Decodes a report; one encoded before ``repeatedRows`` existed decodes with 0.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inputRows = try container.decode(Int.self, forKey: .inputRows)
        alreadyInTesting = try container.decode(Int.self, forKey: .alreadyInTesting)
        newRows = try container.decode(Int.self, forKey: .newRows)
        addedToTesting = try container.decode(Int.self, forKey: .addedToTesting)
        trainingRows = try container.decode(Int.self, forKey: .trainingRows)
        validationRows = try container.decode(Int.self, forKey: .validationRows)
        repeatedRows = try container.decodeIfPresent(Int.self, forKey: .repeatedRows) ?? 0
    }
}
