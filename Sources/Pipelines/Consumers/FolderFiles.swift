import Crypto
import Foundation
import Tabular
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file-system side of a folder watcher: listing inputs, hashing them, moving them and
/// writing small files atomically. Every failure is a ``PipelineError`` naming the path.
enum FolderFiles {
    /// A CSV file in the watched folder, as listed.
    struct Candidate: Sendable, Hashable {
        var name: String
        var size: Int64
        var modified: Date
    }

    /// The CSV files directly in `folder` (not hidden, not in subfolders), by name;
    /// creates the folder when missing.
    static func candidates(in folder: URL) throws(PipelineError) -> [Candidate] {
        try createFolder(folder)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw .fileWrite(path: folder.path, reason: "cannot list the folder: \(error)")
        }
        var candidates: [Candidate] = []
        for name in names.sorted() where !name.hasPrefix(".") && name.lowercased().hasSuffix(".csv") {
            guard let status = status(of: folder.appendingPathComponent(name)), status.isRegularFile else { continue }
            candidates.append(Candidate(name: name, size: status.size, modified: status.modified))
        }
        return candidates
    }

    /// Size, modification time and kind of a file, or nil when it does not exist.
    static func status(of url: URL) -> (size: Int64, modified: Date, isRegularFile: Bool)? {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        let modified = Date(timeIntervalSince1970: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9)
        return (Int64(info.st_size), modified, (info.st_mode & S_IFMT) == S_IFREG)
    }

    /// The SHA-256 of a file's content (64 lowercase hex digits), read 1 MiB at a time.
    ///
    /// - Complexity: O(size).
    static func sha256(of url: URL) throws(PipelineError) -> String {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw .data(.csv(CSVError(.unreadable("cannot open the file: \(error)"), file: url.path, line: 1, column: 1)))
        }
        defer { try? handle.close() }  // read-only: closing cannot lose data
        var hasher = SHA256()
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        } catch {
            throw .data(.csv(CSVError(.unreadable("cannot read the file: \(error)"), file: url.path, line: 1, column: 1)))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Moves a file with rename(2) (atomic within one file system), creating the target's
    /// folder; an earlier file at the target is replaced.
    static func move(_ source: URL, to target: URL) throws(PipelineError) {
        try createFolder(target.deletingLastPathComponent())
        guard rename(source.path, target.path) == 0 else {
            throw .fileWrite(path: target.path, reason: "cannot move \(source.path) there: \(String(cString: strerror(errno)))")
        }
    }

    /// Writes `text` to a temporary name beside `url`, then renames it into place: a crash
    /// never leaves half a file under `url`.
    static func writeAtomically(_ text: String, to url: URL) throws(PipelineError) {
        try createFolder(url.deletingLastPathComponent())
        let temporary = partialURL(for: url)
        do {
            try Data(text.utf8).write(to: temporary)
        } catch {
            throw .fileWrite(path: url.path, reason: "\(error)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)  // the write failed already; the reason is thrown
            throw .fileWrite(path: url.path, reason: reason)
        }
    }

    /// The temporary name a file is written under before it is renamed into place
    /// (``CSVBatchSink``'s, and ``writeAtomically(_:to:)``'s).
    static func partialURL(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
    }

    /// Removes the temporary files a killed writer left in `folder` (``partialURL(for:)``'s
    /// names); returns how many.
    @discardableResult
    static func removePartials(in folder: URL) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return 0 }  // no folder: nothing left
        var removed = 0
        for name in names where isPartialName(name) {
            if (try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))) != nil { removed += 1 }
        }
        return removed
    }

    /// Whether `name` is a temporary name: `.NAME.partial-XXXXXXXX`.
    static func isPartialName(_ name: String) -> Bool {
        guard name.hasPrefix("."), let marker = name.range(of: ".partial-", options: .backwards) else { return false }
        let suffix = name[marker.upperBound...]
        return suffix.count == 8 && suffix.allSatisfy(\.isHexDigit) && marker.lowerBound > name.index(after: name.startIndex)
    }

    /// Where a file named `name` goes in `folder`: under its own name when that is free,
    /// otherwise `STEM.DIGEST12.EXT` (the same content may replace itself there).
    static func destination(for name: String, digest: String, in folder: URL) -> URL {
        let plain = folder.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: plain.path) else { return plain }
        let url = URL(fileURLWithPath: name)
        let stem = url.deletingPathExtension().lastPathComponent, ext = url.pathExtension
        return folder.appendingPathComponent("\(stem).\(digest.prefix(12))" + (ext.isEmpty ? "" : ".\(ext)"))
    }

    /// Creates `folder` (and its parents) when missing.
    static func createFolder(_ folder: URL) throws(PipelineError) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .fileWrite(path: folder.path, reason: "cannot create the folder: \(error)")
        }
    }
}
