/// What a store keeps of ``MLDatasets``, in three parts it stores apart so that a job reads
/// only what it needs: a testing job reads the testing rows (not the training set), a
/// training job the training rows and the ledger (not the identities' sets).
///
/// - ``ledger``: everything but the rows, in the "MLDL" encoding (version 1) below.
/// - ``training`` and ``testing``: each table's "MLTB" encoding (``Table/binaryEncoded()``):
///   columnar — a numeric column is one block of IEEE 754 values, an integer column one
///   block of 64-bit integers, a categorical column its dictionary of levels then one
///   32-bit code per row, each with its missing-value bitmap — so decoding is one copy
///   per column, with no parsing and no re-encoding.
///
/// The ledger, little-endian:
///
/// | field | bytes |
/// |---|---|
/// | magic `MLDL` | 4 |
/// | version (1) | u16 |
/// | flags: bit 0 set when the identities predate occurrence numbers (see ``RowIdentity``) | u16 |
/// | generation runs since the last reset | u64 |
/// | schema column count, then each column's name and type (u32 byte length + UTF-8 each) | u64 + … |
/// | training rows, testing rows | u64, u64 |
/// | validation row count, then the indices into training | u64 + u64 × count |
/// | testing identity count, then the identities, ascending (high, low) | u64 + 16 × count |
/// | training-ledger identity count, then the identities, ascending | u64 + 16 × count |
///
/// Equal datasets encode to equal parts. Datasets stored in the single "MLDS" encoding
/// (``MLDatasets/binaryEncoded()``, versions 1 to 3) convert with
/// `MLDatasets(binaryEncoded: old).encodedParts()`.
///
/// ```swift
/// let parts = datasets.encodedParts()
/// let ledger = try DatasetLedger(binaryEncoded: parts.ledger, identities: false)
/// let testing = try Table(binaryEncoded: parts.testing)      // the testing rows only
/// let again = try MLDatasets(parts: parts)                    // == datasets
/// ```
public struct DatasetParts: Sendable, Hashable {
    /// The "MLDL" ledger.
    public var ledger: [UInt8]
    /// The training table's "MLTB" encoding.
    public var training: [UInt8]
    /// The testing table's "MLTB" encoding.
    public var testing: [UInt8]

    /// Parts from their encodings.
    public init(ledger: [UInt8], training: [UInt8], testing: [UInt8]) {
        self.ledger = ledger
        self.training = training
        self.testing = testing
    }
}

/// The ledger part of stored datasets (``DatasetParts``): their schema, generation count,
/// row counts, validation rows and — when asked for — the row identities.
public struct DatasetLedger: Sendable, Hashable {
    static let magic: [UInt8] = Array("MLDL".utf8)
    static let version: UInt16 = 1

    /// Successful generation runs since the last reset.
    public let generations: Int
    /// Each stored column's name and type; `nil` before the first generation.
    public let schema: Schema?
    /// Rows in the training table.
    public let trainingRows: Int
    /// Rows in the testing table.
    public let testingRows: Int
    /// Indices into training of the validation rows, ascending.
    public let validationIndices: [Int]
    /// The identities (testing's, and the training ledger); `nil` when decoded without them.
    let identities: Identities?
    /// The identities predate occurrence numbers (see ``MLDatasets``).
    let contentOnlyIdentities: Bool

    struct Identities: Sendable, Hashable {
        var testing: Set<RowIdentity>
        var training: Set<RowIdentity>
    }

    /// Decodes a ledger.
    ///
    /// - Parameters:
    ///   - bytes: The ``DatasetParts/ledger`` encoding.
    ///   - identities: Whether to decode the identity sets too (only a generation run needs
    ///     them; skipping them saves a hash-set insert per stored row).
    /// - Throws: ``TabularError/corruptEncoding(_:)`` for a wrong magic or version,
    ///   truncation, validation indices outside training, or trailing bytes.
    /// - Complexity: O(size of the ledger).
    public init(binaryEncoded bytes: [UInt8], identities: Bool = true) throws(TabularError) {
        self = try decodingBytes(bytes) { (reader) throws(TabularError) in try Self.decode(&reader, identities: identities) }
    }

    /// Decodes a ledger kept in chunks (a stored dataset part), reading across chunk
    /// boundaries.
    ///
    /// - Throws: ``TabularError/corruptEncoding(_:)`` for a wrong magic or version,
    ///   truncation, validation indices outside training, or trailing bytes.
    /// - Complexity: O(size of the ledger).
    public init(binaryEncoded bytes: ChunkedBytes, identities: Bool = true) throws(TabularError) {
        self = try bytes.withSegments { (segments) throws(TabularError) -> DatasetLedger in
            var reader = ByteReader(segments: segments)
            return try Self.decode(&reader, identities: identities)
        }
    }

    /// Decodes a ledger from borrowed bytes (a `Data`'s storage).
    ///
    /// - Throws: as ``init(binaryEncoded:identities:)``.
    package init(borrowedEncoding bytes: UnsafeRawBufferPointer, identities: Bool) throws(TabularError) {
        self = try decodingBytes(bytes) { (reader) throws(TabularError) in try Self.decode(&reader, identities: identities) }
    }

    /// Whether a generation run from this ledger needs the stored training rows too: its
    /// identities predate occurrence numbers and are renumbered from the rows.
    package var generationNeedsTrainingRows: Bool { contentOnlyIdentities && trainingRows > 0 }

    /// Whether it was decoded with its identities (or made from datasets).
    package var hasIdentities: Bool { identities != nil }

    /// The ledger of `datasets`.
    package init(of datasets: MLDatasets) {
        generations = datasets.generations
        schema = datasets.schema
        trainingRows = datasets.training.rowCount
        testingRows = datasets.testing.rowCount
        validationIndices = datasets.validationIndices
        identities = Identities(testing: datasets.testingIdentities, training: datasets.trainingLedger)
        contentOnlyIdentities = datasets.contentOnlyIdentities
    }

    private init(generations: Int, schema: Schema?, trainingRows: Int, testingRows: Int, validationIndices: [Int],
                 identities: Identities?, contentOnlyIdentities: Bool) {
        self.generations = generations
        self.schema = schema
        self.trainingRows = trainingRows
        self.testingRows = testingRows
        self.validationIndices = validationIndices
        self.identities = identities
        self.contentOnlyIdentities = contentOnlyIdentities
    }

    private static func decode(_ reader: inout ByteReader, identities withIdentities: Bool) throws(TabularError) -> DatasetLedger {
        let magic = try reader.readRaw(4, "magic")
        guard magic == Self.magic else { throw .corruptEncoding("not a dataset ledger (magic \(magic))") }
        let version = try reader.read(UInt16.self, "version")
        guard version == Self.version else {
            throw .corruptEncoding("unknown dataset ledger version \(version) (this library reads version \(Self.version))")
        }
        let flags = try reader.read(UInt16.self, "flags")
        guard flags & ~1 == 0 else { throw .corruptEncoding("unknown dataset ledger flags \(flags)") }
        let generations = Int(clamping: try reader.read(UInt64.self, "generation count"))
        let schema = try MLDatasets.readSchema(&reader)
        let trainingRows = Int(clamping: try reader.read(UInt64.self, "training row count"))
        let testingRows = Int(clamping: try reader.read(UInt64.self, "testing row count"))
        let validation = try MLDatasets.readValidation(&reader, trainingRows: trainingRows)
        var identities: Identities?
        if withIdentities {
            let (testing, training) = try MLDatasets.readIdentities(&reader)
            identities = Identities(testing: testing, training: training)
            guard reader.isAtEnd else { throw .corruptEncoding("\(reader.bytesLeft) unexpected bytes after the ledger") }
        }
        return DatasetLedger(
            generations: generations, schema: schema, trainingRows: trainingRows, testingRows: testingRows,
            validationIndices: validation, identities: identities, contentOnlyIdentities: flags & 1 != 0)
    }
}

extension MLDatasets {
    /// The datasets in the three parts stores keep apart (``DatasetParts``).
    ///
    /// - Complexity: O(size of the sets); each column is copied once, straight into its
    ///   part (see ``DatasetPartsEncoder``).
    public func encodedParts() -> DatasetParts {
        let encoder = DatasetPartsEncoder(self)
        var training: [UInt8] = []
        var testing: [UInt8] = []
        let ledger = [UInt8](unsafeUninitializedCapacity: encoder.ledgerCount) { ledger, ledgerCount in
            training = [UInt8](unsafeUninitializedCapacity: encoder.trainingCount) { training, trainingCount in
                testing = [UInt8](unsafeUninitializedCapacity: encoder.testingCount) { testing, testingCount in
                    encoder.encode(
                        ledger: UnsafeMutableRawBufferPointer(ledger), training: UnsafeMutableRawBufferPointer(training),
                        testing: UnsafeMutableRawBufferPointer(testing))
                    testingCount = encoder.testingCount
                }
                trainingCount = encoder.trainingCount
            }
            ledgerCount = encoder.ledgerCount
        }
        return DatasetParts(ledger: ledger, training: training, testing: testing)
    }

    /// Decodes datasets from their three parts.
    ///
    /// - Throws: ``TabularError/corruptEncoding(_:)`` for a corrupt part, or tables whose
    ///   row counts are not the ledger's.
    /// - Complexity: O(size of the parts).
    public init(parts: DatasetParts) throws(TabularError) {
        let ledger = try DatasetLedger(binaryEncoded: parts.ledger, identities: true)
        try self.init(ledger: ledger, training: try Table(binaryEncoded: parts.training), testing: try Table(binaryEncoded: parts.testing))
    }

    /// Datasets from a ledger decoded with its identities and the tables.
    ///
    /// Without `training` (nil), the datasets have an empty training set and no validation
    /// rows: what a generation run starts from, since it replaces training (a ledger whose
    /// identities predate occurrence numbers needs the training rows to renumber them).
    ///
    /// - Throws: ``TabularError/corruptEncoding(_:)`` when a table's row count is not the
    ///   ledger's, or the ledger was decoded without identities;
    ///   ``TabularError/invalidArgument(_:)`` when `training` is needed and missing.
    package init(ledger: DatasetLedger, training: Table?, testing: Table) throws(TabularError) {
        guard let identities = ledger.identities else { throw .corruptEncoding("the dataset ledger was decoded without its identities") }
        guard testing.rowCount == ledger.testingRows else {
            throw .corruptEncoding("the testing table has \(testing.rowCount) rows, the ledger says \(ledger.testingRows)")
        }
        if let training, training.rowCount != ledger.trainingRows {
            throw .corruptEncoding("the training table has \(training.rowCount) rows, the ledger says \(ledger.trainingRows)")
        }
        if training == nil && ledger.contentOnlyIdentities && ledger.trainingRows > 0 {
            throw .invalidArgument("these datasets' identities predate occurrence numbers: their training rows are needed to renumber them")
        }
        self.init(
            training: training ?? Table(schema: Schema([])),
            testing: testing, validationIndices: training == nil ? [] : ledger.validationIndices,
            testingIdentities: identities.testing, trainingLedger: identities.training, generations: ledger.generations,
            contentOnlyIdentities: ledger.contentOnlyIdentities, schema: ledger.schema)
    }

    /// Writes the schema section: column count, then each name and type.
    func writeSchema(into writer: inout some ByteSink) {
        let columns = schema?.columns ?? []
        writer.write(UInt64(columns.count))
        for field in columns {
            writer.write(field.name)
            writer.write(field.type.rawValue)
        }
    }

    /// The size of the schema section.
    var schemaSize: Int {
        (schema?.columns ?? []).reduce(8) { $0 + FixedByteWriter.size(of: $1.name) + FixedByteWriter.size(of: $1.type.rawValue) }
    }

    /// Reads the schema section (`nil` when it has no columns).
    static func readSchema(_ reader: inout ByteReader) throws(TabularError) -> Schema? {
        let count = try reader.readCount("schema column count", elementSize: 8)
        var fields: [Schema.Field] = []
        for index in 0..<count {
            let name = try reader.readString("schema column \(index) name")
            let typeName = try reader.readString("schema column \(index) type")
            guard let type = ColumnType(rawValue: typeName) else {
                throw .corruptEncoding("schema column '\(name)' has an unknown type '\(typeName)'")
            }
            fields.append(Schema.Field(name: name, type: type))
        }
        return fields.isEmpty ? nil : Schema(fields)
    }
}
