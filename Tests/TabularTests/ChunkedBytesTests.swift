import Foundation
import LinearAlgebra
import Tabular
import Testing

/// Dataset parts kept in chunks: encoded straight into chunks and decoded across them,
/// whatever the chunk size, with the same bytes and values as in one buffer.
@Suite("Bytes in chunks (ChunkedBytes)")
struct ChunkedBytesTests {
    /// Chunk sizes from one byte (every value crosses a boundary) to larger than the parts.
    static let chunkSizes = [1, 3, 7, 8, 64, 1_000, 1 << 20]

    @Test("encoded in chunks of any size, the three parts have the bytes of the one-buffer encoding, in chunks no larger than asked")
    func encodedInChunks() throws {
        let datasets = try DatasetPartsTests.sampleDatasets()
        let whole = datasets.encodedParts()
        for size in Self.chunkSizes {
            let chunked = DatasetPartsEncoder(datasets).encodedChunks(chunkSize: size)
            #expect(chunked.ledger.data == Data(whole.ledger), "ledger, chunks of \(size)")
            #expect(chunked.training.data == Data(whole.training), "training, chunks of \(size)")
            #expect(chunked.testing.data == Data(whole.testing), "testing, chunks of \(size)")
            #expect(chunked.training.chunkCount == (whole.training.count + size - 1) / size, "chunks of \(size)")
            chunked.training.forEachChunk { #expect($0.count <= size) }
        }
    }

    @Test("a large training part is written on two threads into chunks of 1 MiB, the same bytes as in one buffer")
    func largePartInChunks() throws {
        let rows = 60_000
        let table = try Table([
            Column(name: "x", numeric: (0..<rows).map { Double($0) * 0.25 }),
            Column(name: "k", categorical: (0..<rows).map { "level \($0 % 13)" }),
            Column(name: "g", numeric: (0..<rows).map { $0 % 7 == 0 ? nil : Double($0 % 5) }),
            Column(name: "y", numeric: (0..<rows).map { Double($0 % 2) }),
        ])
        var datasets = MLDatasets()
        try datasets.generate(from: table, selection: FeatureSelection(label: "y", features: ["x", "k", "g"]), testFraction: 0.1, seed: 4)
        let chunked = DatasetPartsEncoder(datasets).encodedChunks()
        #expect(chunked.training.count > ChunkedBytes.defaultChunkSize, "the training part is larger than one chunk")
        #expect(chunked.training.data == Data(datasets.encodedParts().training))
        chunked.training.forEachChunk { #expect($0.count <= ChunkedBytes.defaultChunkSize) }
        #expect(try Table(binaryEncoded: chunked.training) == datasets.training)
    }

    @Test("decoded across chunks of any size, the tables and the ledger equal those decoded from one buffer")
    func decodedAcrossChunks() throws {
        let datasets = try DatasetPartsTests.sampleDatasets()
        let whole = datasets.encodedParts()
        for size in Self.chunkSizes {
            #expect(try Table(binaryEncoded: ChunkedBytes(whole.training, chunkSize: size)) == datasets.training, "chunks of \(size)")
            #expect(try Table(binaryEncoded: ChunkedBytes(whole.testing, chunkSize: size)) == datasets.testing, "chunks of \(size)")
            for identities in [false, true] {
                #expect(try DatasetLedger(binaryEncoded: ChunkedBytes(whole.ledger, chunkSize: size), identities: identities)
                    == DatasetLedger(binaryEncoded: whole.ledger, identities: identities), "chunks of \(size)")
            }
        }
    }

    @Test("read in place across chunks, the numbers of a column that crosses chunks are gathered, equal to the column")
    func viewAcrossChunks() throws {
        let table = try Table([
            Column(name: "x", numeric: (0..<50).map { Double($0) * 1.5 - 7 }),
            Column(name: "line", categorical: (0..<50).map { $0 % 9 == 0 ? nil : ["red", "blue", "green"][$0 % 3] }),
            Column(name: "busy", boolean: (0..<50).map { $0 % 4 == 1 }),
        ])
        for size in Self.chunkSizes {
            let part = ChunkedBytes(table.binaryEncoded(), chunkSize: size)
            try part.withSegments { segments in
                let view = try TableEncodingView(segments: segments)
                let stored = try #require(view.storedDoubles(named: "x"), "chunks of \(size)")
                #expect(Array(stored.bindMemory(to: Double.self)) == (0..<50).map { Double($0) * 1.5 - 7 }, "chunks of \(size)")
                #expect(try view.table() == table, "chunks of \(size)")
                #expect(try view.rows(at: [49, 0, 3]) == table.rows(at: [49, 0, 3]), "chunks of \(size)")
            }
        }
    }

    @Test("a truncated or altered part in chunks is a typed error naming where, never a crash")
    func truncatedInChunks() throws {
        let encoded = try DatasetPartsTests.sampleDatasets().encodedParts()
        for length in [0, 3, 5, 17, encoded.training.count / 2, encoded.training.count - 1] {
            let cut = ChunkedBytes(Array(encoded.training.prefix(length)), chunkSize: 5)
            guard case .corruptEncoding? = tabularError({ _ = try Table(binaryEncoded: cut) }) else {
                Issue.record("a training part cut at \(length) bytes, in chunks of 5, was not refused as corrupt")
                continue
            }
        }
        let longer = ChunkedBytes(encoded.testing + [0, 0, 0], chunkSize: 7)
        #expect(tabularError { _ = try Table(binaryEncoded: longer) } == .corruptEncoding("3 unexpected bytes after the table"))
        let ledger = ChunkedBytes(Array(encoded.ledger.dropLast()), chunkSize: 3)
        guard case .corruptEncoding? = tabularError({ _ = try DatasetLedger(binaryEncoded: ledger) }) else {
            Issue.record("a ledger one byte short, in chunks of 3, was not refused as corrupt")
            return
        }
    }

    @Test("equality and hashing are the bytes', whatever the chunks; appending, slicing and coding keep the bytes")
    func valueSemantics() throws {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let a = ChunkedBytes(bytes, chunkSize: 3)
        let b = ChunkedBytes(bytes, chunkSize: 256)
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(a != ChunkedBytes(Array(bytes.dropLast()), chunkSize: 3))
        var changed = bytes
        changed[999] ^= 1
        #expect(a != ChunkedBytes(changed, chunkSize: 3), "a difference in the last byte")
        #expect(a.subdata(in: 2..<900) == Data(bytes[2..<900]))
        #expect(a.subdata(in: 5..<5).isEmpty)
        var joined = ChunkedBytes(Array(bytes.prefix(10)), chunkSize: 4)
        joined.append(contentsOf: ChunkedBytes(Array(bytes.dropFirst(10)), chunkSize: 9))
        #expect(joined == a && joined.count == 1_000)
        bytes.withUnsafeBytes { joined.append($0, chunkSize: 100) }
        #expect(joined.data == Data(bytes + bytes))
        let coded = try JSONDecoder().decode(ChunkedBytes.self, from: JSONEncoder().encode(a))
        #expect(coded == a)
        #expect(ChunkedBytes() == ChunkedBytes(Data()) && ChunkedBytes().isEmpty && ChunkedBytes().chunkCount == 0)
    }

    @Test("a file is mapped as one chunk with its bytes; a missing file is nil, a file of another size an error")
    func mappedFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("part").path
        let bytes = Data((0..<5_000).map { UInt8(truncatingIfNeeded: $0) })
        try bytes.write(to: URL(fileURLWithPath: path))
        let mapped = try #require(try ChunkedBytes.mapping(fileAt: path, expectedSize: bytes.count))
        #expect(mapped.chunkCount == 1 && mapped.data == bytes)
        #expect(try ChunkedBytes.mapping(fileAt: path + ".gone", expectedSize: 1) == nil)
        let wrongSize = #expect(throws: ChunkedBytesError.self) { try ChunkedBytes.mapping(fileAt: path, expectedSize: 4_999) }
        #expect(wrongSize?.description == "\(path) has 5000 bytes, 4999 were expected")
    }
}
