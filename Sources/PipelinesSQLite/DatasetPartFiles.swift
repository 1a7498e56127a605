import Foundation
import Pipelines
import Tabular

/// Large dataset parts kept as files beside the database (`<file>-parts/<uuid>.part`),
/// referenced by their snapshot's row.
///
/// SQLite moves an 80 MB blob at a few hundred MB/s and writes it twice in WAL mode (the
/// log, then the checkpoint); a file is written once, chunk by chunk, and read back with
/// one `mmap`. A part
/// file is written to a temporary name, flushed to disk and renamed before the transaction
/// that references it commits, so a committed snapshot's parts are always whole; files of
/// a transaction that failed are removed at once. Replaced files retire with the next
/// save and are removed at the one after (a reader that read the previous row may still be
/// mapping them; readers retry when even those are gone). Files left by a process killed
/// between a write and its commit, or before removing, are swept when a store opens (only
/// files older than ``sweepAge``, so a save in flight in another process is never touched).
///
/// The store is therefore the database file *and* its `-parts` folder (as it is also its
/// `-wal` and `-shm` files): copy them together.
struct DatasetPartFiles: Sendable {
    /// Parts at least this large go to files; smaller ones stay in the row.
    static let threshold = 64 * 1_024
    /// Unreferenced files younger than this are left alone by the sweep.
    static let sweepAge: TimeInterval = 600

    /// The folder.
    let directory: URL

    init(databasePath: String) {
        directory = URL(fileURLWithPath: databasePath + "-parts", isDirectory: true)
    }

    /// Writes `part` to a new part file, chunk by chunk (flushed to disk), and returns its
    /// name.
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file cannot be written.
    func write(_ part: ChunkedBytes) throws -> String {
        let name = UUID().uuidString.lowercased() + ".part"
        let final = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent(name + ".tmp")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw StoreError.backend("cannot create \(temporary.path)")
            }
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try part.forEachChunk { chunk in
                guard let base = chunk.baseAddress else { return }
                try handle.write(contentsOf: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: chunk.count, deallocator: .none))
            }
            try handle.synchronize()
            try FileManager.default.moveItem(at: temporary, to: final)
            Self.synchronizeDirectory(directory)
            return name
        } catch let error as StoreError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw StoreError.backend("writing a dataset part to \(final.path): \(error)")
        }
    }

    /// The part file's bytes, memory-mapped as one chunk (nil when the file is gone: a newer
    /// generation replaced it after the caller read the row).
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when it exists but cannot be read, or
    ///   does not have `size` bytes.
    func read(_ name: String, size: Int) throws -> ChunkedBytes? {
        let url = directory.appendingPathComponent(name)
        do {
            return try ChunkedBytes.mapping(fileAt: url.path, expectedSize: size)
        } catch {
            throw StoreError.backend("reading the dataset part: \(error)")
        }
    }

    /// Removes part files (those that are gone already are skipped). A file that cannot be
    /// removed now is no longer referenced, so the sweep of the next store opened on the
    /// file removes it: nothing is lost, and the caller's commit stands.
    func remove(_ names: [String]) {
        for name in names { try? FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
    }

    /// Removes part files (and temporary files) older than ``sweepAge`` that `referenced`
    /// does not name: what a process killed mid-save or mid-cleanup left.
    func sweep(keeping referenced: Set<String>) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        let cutoff = Date().addingTimeInterval(-Self.sweepAge)
        for name in names where (name.hasSuffix(".part") || name.hasSuffix(".part.tmp")) && !referenced.contains(name) {
            let url = directory.appendingPathComponent(name)
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date,
                  modified < cutoff
            else { continue }
            try? FileManager.default.removeItem(at: url)
        }
    }

    /// The part files' names present in the folder.
    func present() -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".part") })
    }

    /// Flushes the folder's entries (the rename) to disk.
    private static func synchronizeDirectory(_ directory: URL) {
        let descriptor = open(directory.path, O_RDONLY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = close(descriptor)
    }
}
