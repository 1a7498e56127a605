/// The compact binary encoding of ``MLDatasets`` (format "MLDS", version 3).
///
/// Little-endian throughout:
///
/// | field | bytes |
/// |---|---|
/// | magic `MLDS` | 4 |
/// | version (3; 1 for datasets whose identities predate occurrence numbers) | u16 |
/// | generation runs since the last reset | u64 |
/// | version 3 only: schema column count, then each column's name and type (u32 byte length + UTF-8 each) | u64 + … |
/// | training table: byte length, then its "MLTB" encoding (``Table/binaryEncoded()``) | u64 + … |
/// | testing table: byte length, then its "MLTB" encoding | u64 + … |
/// | validation row count, then the indices into training | u64 + u64 × count |
/// | testing identity count, then the identities, ascending (high, low) | u64 + 16 × count |
/// | training-ledger identity count, then the identities, ascending | u64 + 16 × count |
///
/// Equal datasets encode to equal bytes. Versions 1 and 2 have no schema section: the
/// schema of datasets decoded from them is their stored tables' (testing's, else
/// training's). Version 1 marks row identities made before occurrence numbers (every copy
/// of a repeated row shared one identity), which the next generation without keys
/// renumbers (see ``RowIdentity``). Datasets decoded from version 1 encode as version 1
/// until then (their schema is still their tables').
extension MLDatasets {
    static let binaryMagic: [UInt8] = Array("MLDS".utf8)
    static let binaryVersion: UInt16 = 3
    /// The version whose identities give all copies of a repeated row one identity.
    static let contentOnlyIdentityVersion: UInt16 = 1

    /// The datasets in the compact binary encoding described above.
    ///
    /// - Complexity: O(size of the sets).
    public func binaryEncoded() -> [UInt8] {
        var writer = ByteWriter(capacity: (training.rowCount + testing.rowCount) * max(training.columns.count, 1) * 8 + 1024)
        writer.writeRaw(Self.binaryMagic)
        writer.write(contentOnlyIdentities ? Self.contentOnlyIdentityVersion : Self.binaryVersion)
        writer.write(UInt64(generations))
        if !contentOnlyIdentities { writeSchema(into: &writer) }
        for table in [training, testing] {
            let encoded = table.binaryEncoded()
            writer.write(UInt64(encoded.count))
            writer.writeRaw(encoded)
        }
        writer.write(UInt64(validationIndices.count))
        writer.writeArray(validationIndices.map(UInt64.init))
        writeIdentities(into: &writer)
        return writer.bytes
    }

    /// Decodes datasets from ``binaryEncoded()``'s output.
    ///
    /// - Throws: ``TabularError/corruptEncoding(_:)`` for a wrong magic, an unknown
    ///   version, truncation, validation indices outside training, or trailing bytes.
    /// - Complexity: O(encoded size).
    public init(binaryEncoded bytes: [UInt8]) throws(TabularError) {
        self = try decodingBytes(bytes) { (reader) throws(TabularError) -> MLDatasets in
            let (version, generations, schema) = try Self.readHeader(&reader)
            var tables: [Table] = []
            for name in ["training", "testing"] {
                let length = try reader.readCount("\(name) table length", elementSize: 1)
                let table = try reader.readBytes(length, "\(name) table")
                tables.append(try withExtendedLifetime(table.owner) { () throws(TabularError) in try Table(borrowedEncoding: table.bytes) })
            }
            let validation = try Self.readValidation(&reader, trainingRows: tables[0].rowCount)
            let (testingIdentities, trainingLedger) = try Self.readIdentities(&reader)
            guard reader.isAtEnd else { throw .corruptEncoding("\(reader.bytesLeft) unexpected bytes after the datasets") }
            return MLDatasets(training: tables[0], testing: tables[1], validationIndices: validation, testingIdentities: testingIdentities,
                              trainingLedger: trainingLedger, generations: generations,
                              contentOnlyIdentities: version == Self.contentOnlyIdentityVersion, schema: schema)
        }
    }

    /// The validation count and indices, each inside training.
    static func readValidation(_ reader: inout ByteReader, trainingRows: Int) throws(TabularError) -> [Int] {
        let validationCount = try reader.readCount("validation count", elementSize: 8)
        let validation = try reader.readArray(UInt64.self, count: validationCount, "validation indices").map { Int(clamping: $0) }
        if let bad = validation.first(where: { $0 >= trainingRows }) {
            throw .corruptEncoding("validation index \(bad) is outside the \(trainingRows) training rows")
        }
        return validation
    }

    /// The testing identities and the training ledger.
    static func readIdentities(_ reader: inout ByteReader) throws(TabularError) -> (Set<RowIdentity>, Set<RowIdentity>) {
        var sets: [Set<RowIdentity>] = []
        for name in ["testing identities", "training ledger"] {
            let count = try reader.readCount("\(name) count", elementSize: 16)
            let words = try reader.readArray(UInt64.self, count: count * 2, name)
            var identities = Set<RowIdentity>(minimumCapacity: count)
            for index in 0..<count { identities.insert(RowIdentity(high: words[2 * index], low: words[2 * index + 1])) }
            sets.append(identities)
        }
        return (sets[0], sets[1])
    }

    /// Writes the testing identities and the training ledger, each ascending.
    func writeIdentities(into writer: inout some ByteSink) {
        for identities in [testingIdentities, trainingLedger] {
            writer.write(UInt64(identities.count))
            for identity in identities.sorted() {
                writer.write(identity.high)
                writer.write(identity.low)
            }
        }
    }

    /// The schema of encoded datasets (`nil` before their first generation), reading only
    /// the header of a version 3 encoding (older ones are decoded: their schema is their
    /// tables').
    ///
    /// - Throws: ``TabularError/corruptEncoding(_:)`` as ``init(binaryEncoded:)``.
    public static func schema(ofBinaryEncoded bytes: [UInt8]) throws(TabularError) -> Schema? {
        let (version, _, schema) = try decodingBytes(bytes) { (reader) throws(TabularError) in try readHeader(&reader) }
        return version == binaryVersion ? schema : try MLDatasets(binaryEncoded: bytes).schema
    }

    /// Magic, version, generation count and (version 3) the schema, `nil` when empty.
    private static func readHeader(_ reader: inout ByteReader) throws(TabularError) -> (UInt16, Int, Schema?) {
        let magic = try reader.readRaw(4, "magic")
        guard magic == binaryMagic else { throw .corruptEncoding("not a dataset encoding (magic \(magic))") }
        let version = try reader.read(UInt16.self, "version")
        guard (contentOnlyIdentityVersion...binaryVersion).contains(version) else {
            throw .corruptEncoding(
                "unknown dataset encoding version \(version) (this library reads versions \(contentOnlyIdentityVersion) to \(binaryVersion))")
        }
        let generations = Int(clamping: try reader.read(UInt64.self, "generation count"))
        guard version == binaryVersion else { return (version, generations, nil) }
        return (version, generations, try readSchema(&reader))
    }
}
