import Crypto
import Foundation
public import Tabular

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What checking a configuration needs to know of a CSV source — its columns and types, its
/// row count, which columns hold missing values — and how to tell that the file is still
/// the one that was read.
///
/// A check that parses a CSV source records its fingerprint (in the workspace's
/// ``SourceCache``, and in the ``ConfigurationRecord`` that `configure` saves). A later
/// check of the same file uses it instead of parsing the file again when
///
/// 1. it was read by the same rules (``Reading``: missing-value tokens, infinity rule,
///    delimiter, and column types that agree with the datasets' schema — see
///    ``answers(path:reading:integerColumns:)``), and
/// 2. the file is unchanged: its ``Stamp`` (size, modification and status-change times,
///    inode) is equal and was taken at least ``SourceCache/settlingTime`` after the file's
///    last change — else the SHA-256 of its bytes is equal (after a `touch` or a Git
///    checkout of the same content), and
/// 3. the fingerprint cannot refuse a row (``mayRefuseRows(of:)``): when a feature under
///    the `error` policy, or a label under the `refuse` policy, has missing values, the
///    file is read again to name the row.
///
/// ```swift
/// let fingerprints = try await pipeline.configuration().sources ?? []
/// for fingerprint in fingerprints { print(fingerprint.path, fingerprint.rowCount, fingerprint.sha256) }
/// ```
public struct SourceFingerprint: Sendable, Hashable, Codable {
    /// What the file system says of a file: what changes when its content may have.
    public struct Stamp: Sendable, Hashable, Codable {
        /// The size in bytes.
        public var size: UInt64
        /// The modification time, in nanoseconds since 1970.
        public var modified: Int64
        /// The status-change time (`ctime`: set by any write, rename or `touch`, and never
        /// by a tool that restores times), in nanoseconds since 1970.
        public var statusChanged: Int64
        /// The file's inode number (a file replaced by another has a new one).
        public var inode: UInt64

        /// A stamp.
        ///
        /// - Parameters:
        ///   - size: The size in bytes.
        ///   - modified: The modification time, in nanoseconds since 1970.
        ///   - statusChanged: The status-change time, in nanoseconds since 1970.
        ///   - inode: The inode number.
        public init(size: UInt64, modified: Int64, statusChanged: Int64, inode: UInt64) {
            self.size = size
            self.modified = modified
            self.statusChanged = statusChanged
            self.inode = inode
        }

        /// The stamp of the file at `path` now, or nil when it cannot be read (missing, not
        /// a regular file).
        ///
        /// - Parameter path: An absolute file path.
        public init?(ofFileAt path: String) {
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
            #if canImport(Darwin)
            let (modified, changed) = (info.st_mtimespec, info.st_ctimespec)
            #else
            let (modified, changed) = (info.st_mtim, info.st_ctim)
            #endif
            self.init(
                size: UInt64(clamping: info.st_size), modified: Self.nanoseconds(modified), statusChanged: Self.nanoseconds(changed),
                inode: UInt64(info.st_ino))
        }

        /// The later of the modification and status-change times.
        var lastChange: Int64 { max(modified, statusChanged) }

        private static func nanoseconds(_ time: timespec) -> Int64 {
            Int64(time.tv_sec).multipliedReportingOverflow(by: 1_000_000_000).partialValue &+ Int64(time.tv_nsec)
        }
    }

    /// The rules a CSV source was read by.
    public struct Reading: Sendable, Hashable, Codable {
        /// The missing-value tokens, sorted.
        public var missingValues: [String]
        /// Whether infinities were read as numbers.
        public var allowsInfinity: Bool
        /// The field delimiter.
        public var delimiter: String
        /// The column types the read imposed (from the datasets' schema), by column name.
        public var types: [String: ColumnType]

        /// The rules `options` describe.
        ///
        /// - Parameter options: The CSV options of the read, with its imposed types.
        public init(_ options: CSVOptions) {
            missingValues = options.missingValues.sorted()
            allowsInfinity = options.allowsInfinity
            delimiter = String(options.delimiter)
            types = options.schema
        }
    }

    /// The file, as an absolute path.
    public var path: String
    /// The file's stamp when it was read (or last confirmed by its hash).
    public var stamp: Stamp
    /// When ``stamp`` was taken, in nanoseconds since 1970 (the system's time).
    public var stampedAt: Int64
    /// The SHA-256 of the file's bytes, lowercase hexadecimal.
    public var sha256: String
    /// How the file was read.
    public var reading: Reading
    /// The columns (header order) and their types as read.
    public var schema: Schema
    /// The number of data rows.
    public var rowCount: Int
    /// The columns that hold at least one missing value.
    public var columnsWithMissingValues: [String]

    /// A fingerprint.
    ///
    /// - Parameters:
    ///   - path: The file, as an absolute path.
    ///   - stamp: Its stamp, taken before it was read.
    ///   - stampedAt: When the stamp was taken, in nanoseconds since 1970.
    ///   - sha256: The SHA-256 of its bytes, lowercase hexadecimal.
    ///   - reading: The rules it was read by.
    ///   - schema: Its columns and types as read.
    ///   - rowCount: Its number of data rows.
    ///   - columnsWithMissingValues: The columns holding a missing value.
    public init(
        path: String, stamp: Stamp, stampedAt: Int64, sha256: String, reading: Reading, schema: Schema, rowCount: Int,
        columnsWithMissingValues: [String]
    ) {
        self.path = path
        self.stamp = stamp
        self.stampedAt = stampedAt
        self.sha256 = sha256
        self.reading = reading
        self.schema = schema
        self.rowCount = rowCount
        self.columnsWithMissingValues = columnsWithMissingValues
    }

    /// Whether this fingerprint describes the file at `path` as a read by `reading` would
    /// find it, were the file unchanged. The tokens, infinity rule and delimiter must be
    /// equal; each type the new read imposes must be the type the column was read as (a
    /// column read as numeric by inference is numeric when imposed too); each type this read
    /// imposed must be imposed again (else inference may find another); and each column of
    /// `integerColumns` (integer columns of the datasets' schema, which may widen) must
    /// have been read as integer or numeric.
    ///
    /// - Parameters:
    ///   - path: The file's absolute path.
    ///   - reading: The rules of the new read.
    ///   - integerColumns: The datasets' integer columns.
    /// - Returns: Whether the new read would find what this fingerprint says.
    public func answers(path: String, reading other: Reading, integerColumns: [String]) -> Bool {
        guard path == self.path, other.missingValues == reading.missingValues, other.allowsInfinity == reading.allowsInfinity,
              other.delimiter == reading.delimiter
        else { return false }
        for (name, type) in other.types where schema[name] != type { return false }
        for (name, type) in reading.types where other.types[name] != type { return false }
        for name in integerColumns {
            if let type = schema[name], type != .integer, type != .numeric { return false }
        }
        return true
    }

    /// Whether a check of `dataset` might refuse a row of this source: a feature under the
    /// missing-value policy `error`, or (policy `refuse`) the label, holds missing values.
    /// Then the file is read again, to name the row (and rows whose label is missing are
    /// not held against a feature).
    ///
    /// - Parameter dataset: The dataset step being checked.
    public func mayRefuseRows(of dataset: DatasetStep) -> Bool {
        let missing = Set(columnsWithMissingValues)
        guard !missing.isEmpty else { return false }
        if dataset.missing.labels == .refuse, let label = dataset.label, missing.contains(label) { return true }
        guard let selection = dataset.selection, let resolved = try? selection.resolve(against: schema) else { return false }
        return resolved.features.contains { feature in
            missing.contains(feature) && (dataset.missing.features[feature] ?? dataset.missing.default) == .error
        }
    }

    /// The SHA-256 of the file at `url`, lowercase hexadecimal, read in 4 MiB chunks.
    ///
    /// - Throws: The file system's error when the file cannot be read.
    static func sha256(ofFileAt url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The system's time now, in nanoseconds since 1970 (file times are in it).
    static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1e9).rounded(.down))
    }
}

extension SourceSummary {
    /// What validation needs of a fingerprinted source.
    ///
    /// - Parameter fingerprint: The source's fingerprint.
    public init(_ fingerprint: SourceFingerprint) {
        self.init(schema: fingerprint.schema, rowCount: fingerprint.rowCount)
    }
}
