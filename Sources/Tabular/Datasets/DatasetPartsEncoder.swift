import Dispatch

/// The three parts of ``MLDatasets`` (``DatasetParts``) planned before they are written:
/// each part's exact size first, then each written once, straight into storage of that
/// size that the caller provides (an array, a `Data`): no growing array, no copy after.
///
/// The training part (the largest) is written on a second thread while the ledger (whose
/// identities are sorted) and the testing part are written.
///
/// ```swift
/// let encoder = DatasetPartsEncoder(datasets)
/// var training = Data(count: encoder.trainingCount)   // and the ledger and testing parts
/// training.withUnsafeMutableBytes { … encoder.encode(ledger: …, training: $0, testing: …) }
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

    /// Writes the three parts, each into a buffer of exactly its size (untouched, so that a
    /// large one can be backed by huge pages).
    ///
    /// - Complexity: O(size of the parts), plus sorting the identities.
    package func encode(
        ledger: UnsafeMutableRawBufferPointer, training trainingBuffer: UnsafeMutableRawBufferPointer,
        testing testingBuffer: UnsafeMutableRawBufferPointer
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
    private func encodeLedger(into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count == ledgerCount, "a dataset ledger needs \(ledgerCount) bytes, got \(buffer.count)")
        var writer = FixedByteWriter(buffer)
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
        let ledger: UnsafeMutableRawBufferPointer
        let training: UnsafeMutableRawBufferPointer
        let testing: UnsafeMutableRawBufferPointer
    }
}
