import Dispatch

/// The three parts of ``MLDatasets`` (``DatasetParts``) planned before they are written:
/// each part's exact size first, then each written once, straight into storage of that
/// size that the caller provides (an array, or the chunks of ``ChunkedBytes``): no growing
/// array, no copy after.
///
/// The training part (the largest) is written on a second thread while the ledger (whose
/// identities are sorted) and the testing part are written.
///
/// ```swift
/// let parts = DatasetPartsEncoder(datasets).encodedChunks()   // three ChunkedBytes
/// ```
package struct DatasetPartsEncoder: Sendable {
    private let datasets: MLDatasets
    private let training: TableEncoder
    private let testing: TableEncoder
    /// The exact size of the ledger part, in bytes.
    package let ledgerCount: Int

    /// Plans the encoding of `datasets`' parts.
    ///
    /// - Complexity: O(rows) per categorical column, else O(columns).
    package init(_ datasets: MLDatasets) {
        self.datasets = datasets
        training = TableEncoder(datasets.training)
        testing = TableEncoder(datasets.testing)
        ledgerCount = 4 + 2 + 2 + 8 + datasets.schemaSize + 8 + 8 + 8 + 8 * datasets.validationIndices.count
            + 8 + 16 * datasets.testingIdentities.count + 8 + 16 * datasets.trainingLedger.count
    }

    /// The exact size of the training part, in bytes.
    package var trainingCount: Int { training.count }
    /// The exact size of the testing part, in bytes.
    package var testingCount: Int { testing.count }

    /// The three parts, each in chunks of at most `chunkSize` bytes (no buffer of a whole
    /// part is ever allocated).
    ///
    /// - Complexity: O(size of the parts), plus sorting the identities.
    package func encodedChunks(chunkSize: Int = ChunkedBytes.defaultChunkSize) -> (
        ledger: ChunkedBytes, training: ChunkedBytes, testing: ChunkedBytes
    ) {
        let ledger = ChunkedBytes(uninitializedCount: ledgerCount, chunkSize: chunkSize)
        let training = ChunkedBytes(uninitializedCount: trainingCount, chunkSize: chunkSize)
        let testing = ChunkedBytes(uninitializedCount: testingCount, chunkSize: chunkSize)
        encode(ledger: ledger.uninitializedSegments, training: training.uninitializedSegments, testing: testing.uninitializedSegments)
        return (ledger, training, testing)
    }

    /// Writes the three parts, each into a buffer of exactly its size (untouched, so that a
    /// large one can be backed by huge pages).
    ///
    /// - Complexity: O(size of the parts), plus sorting the identities.
    package func encode(
        ledger: UnsafeMutableRawBufferPointer, training trainingBuffer: UnsafeMutableRawBufferPointer,
        testing testingBuffer: UnsafeMutableRawBufferPointer
    ) {
        encode(ledger: [ledger], training: [trainingBuffer], testing: [testingBuffer])
    }

    /// Writes the three parts, each into segments of exactly its size in all, filled one
    /// after another.
    ///
    /// - Complexity: O(size of the parts), plus sorting the identities.
    package func encode(
        ledger: [UnsafeMutableRawBufferPointer], training trainingBuffer: [UnsafeMutableRawBufferPointer],
        testing testingBuffer: [UnsafeMutableRawBufferPointer]
    ) {
        let buffers = Buffers(ledger: ledger, training: trainingBuffer, testing: testingBuffer)
        guard training.count >= 1 << 20 else {
            encodeLedger(into: ledger)
            training.encode(into: trainingBuffer)
            testing.encode(into: testingBuffer)
            return
        }
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 0 {
                training.encode(into: buffers.training)
            } else {
                encodeLedger(into: buffers.ledger)
                testing.encode(into: buffers.testing)
            }
        }
    }

    /// The "MLDL" ledger (see ``DatasetParts``).
    private func encodeLedger(into segments: [UnsafeMutableRawBufferPointer]) {
        var writer = FixedByteWriter(segments: segments)
        precondition(writer.count == ledgerCount, "a dataset ledger needs \(ledgerCount) bytes, got \(writer.count)")
        writer.writeRaw(DatasetLedger.magic)
        writer.write(DatasetLedger.version)
        writer.write(UInt16(datasets.contentOnlyIdentities ? 1 : 0))
        writer.write(UInt64(datasets.generations))
        datasets.writeSchema(into: &writer)
        writer.write(UInt64(datasets.training.rowCount))
        writer.write(UInt64(datasets.testing.rowCount))
        writer.write(UInt64(datasets.validationIndices.count))
        for index in datasets.validationIndices { writer.write(UInt64(index)) }
        datasets.writeIdentities(into: &writer)
        precondition(writer.isFull, "a dataset ledger fell short of the size computed for it")
    }

    /// The three destinations, shared by the two threads (each writes its own).
    private struct Buffers: @unchecked Sendable {
        let ledger: [UnsafeMutableRawBufferPointer]
        let training: [UnsafeMutableRawBufferPointer]
        let testing: [UnsafeMutableRawBufferPointer]
    }
}
