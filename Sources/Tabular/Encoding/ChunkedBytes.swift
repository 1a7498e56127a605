public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes kept as a sequence of chunks instead of one buffer: how stored dataset parts
/// travel between the encoders, the stores and the decoders, so that a large dataset is
/// saved and read without ever needing one buffer of its whole size.
///
/// A part encoded from datasets comes in chunks of ``defaultChunkSize``; a store may hand
/// back other chunkings (a PostgreSQL row per chunk, a memory-mapped file as one chunk).
/// Two values are equal when their bytes are, however they are chunked.
///
/// ```swift
/// let part = ChunkedBytes(Data(repeating: 7, count: 3_000_000))   // 3 chunks of at most 1 MiB
/// part.count          // 3_000_000
/// part.chunkCount     // 3
/// let table = try Table(binaryEncoded: storedTrainingPart)        // decoded chunk by chunk
/// ```
public struct ChunkedBytes: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The size of the chunks the encoders write and ``init(_:)-(Data)`` splits into: 1 MiB.
    public static let defaultChunkSize = 1 << 20

    /// The chunks, in order; none is empty.
    private var chunks: [ByteChunk]
    /// The number of bytes.
    public private(set) var count: Int

    /// No bytes.
    public init() {
        chunks = []
        count = 0
    }

    /// The bytes of `data`, copied into chunks of at most `chunkSize` bytes.
    ///
    /// - Parameters:
    ///   - data: The bytes.
    ///   - chunkSize: The largest chunk (at least 1).
    /// - Complexity: O(`data.count`).
    public init(_ data: Data, chunkSize: Int = ChunkedBytes.defaultChunkSize) {
        self.init()
        data.withUnsafeBytes { append($0, chunkSize: chunkSize) }
    }

    /// The bytes of `bytes`, copied into chunks of at most `chunkSize` bytes.
    ///
    /// - Complexity: O(`bytes.count`).
    public init(_ bytes: [UInt8], chunkSize: Int = ChunkedBytes.defaultChunkSize) {
        self.init()
        bytes.withUnsafeBytes { append($0, chunkSize: chunkSize) }
    }

    /// Storage of `count` bytes in chunks of at most `chunkSize`, not yet written: the
    /// encoders fill ``uninitializedSegments`` before the value is read or shared.
    package init(uninitializedCount count: Int, chunkSize: Int = ChunkedBytes.defaultChunkSize) {
        let size = max(chunkSize, 1)
        chunks = stride(from: 0, to: count, by: size).map { ByteChunk(allocating: min(size, count - $0)) }
        self.count = count
    }

    /// The writable chunks of a value made by ``init(uninitializedCount:chunkSize:)``.
    package var uninitializedSegments: [UnsafeMutableRawBufferPointer] { chunks.map(\.mutableBytes) }

    /// The number of chunks.
    public var chunkCount: Int { chunks.count }

    /// Whether there are no bytes.
    public var isEmpty: Bool { count == 0 }

    /// Appends a copy of `bytes`, in new chunks of at most `chunkSize` bytes (the chunks
    /// already there are not grown).
    ///
    /// - Complexity: O(`bytes.count`).
    public mutating func append(_ bytes: UnsafeRawBufferPointer, chunkSize: Int = ChunkedBytes.defaultChunkSize) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let size = max(chunkSize, 1)
        for start in stride(from: 0, to: bytes.count, by: size) {
            let length = min(size, bytes.count - start)
            let chunk = ByteChunk(allocating: length)
            if let target = chunk.mutableBytes.baseAddress { target.copyMemory(from: base + start, byteCount: length) }
            chunks.append(chunk)
        }
        count += bytes.count
    }

    /// Appends the bytes of another value (its chunks are shared, not copied).
    public mutating func append(contentsOf other: ChunkedBytes) {
        chunks += other.chunks
        count += other.count
    }

    /// Calls `body` with each chunk in order; the pointers are valid only inside `body`.
    ///
    /// ```swift
    /// try part.forEachChunk { chunk in try handle.write(contentsOf: Data(chunk)) }
    /// ```
    ///
    /// - Throws: What `body` throws.
    public func forEachChunk<E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        for chunk in chunks { try withExtendedLifetime(chunk) { () throws(E) in try body(chunk.bytes) } }
    }

    /// Calls `body` with every chunk at once (for a reader that crosses chunks); the
    /// pointers are valid only inside `body`.
    ///
    /// - Throws: What `body` throws.
    package func withSegments<R, E: Error>(_ body: ([UnsafeRawBufferPointer]) throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(chunks) { () throws(E) -> R in try body(chunks.map(\.bytes)) }
    }

    /// A copy of the bytes in `range` (which may cross chunks), in one new `Data`: how a
    /// store writes a part piece by piece, each in a statement of its own.
    ///
    /// ```swift
    /// for start in stride(from: 0, to: part.count, by: 1 << 20) {
    ///     let piece = part.subdata(in: start..<min(start + (1 << 20), part.count))
    /// }
    /// ```
    ///
    /// - Complexity: O(`range.count` + ``chunkCount``).
    public func subdata(in range: Range<Int>) -> Data {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range \(range) is outside 0..<\(count)")
        var data = Data(capacity: range.count)
        var start = 0
        for chunk in chunks {
            let end = start + chunk.bytes.count
            defer { start = end }
            guard end > range.lowerBound else { continue }
            guard start < range.upperBound else { break }
            let lower = max(range.lowerBound, start) - start
            let upper = min(range.upperBound, end) - start
            withExtendedLifetime(chunk) { data.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk.bytes[lower..<upper])) }
        }
        return data
    }

    /// All the bytes in one new `Data`: for small parts (tests, a ledger), since it is the
    /// one buffer this type otherwise avoids.
    ///
    /// - Complexity: O(``count``).
    public var data: Data {
        var data = Data(capacity: count)
        forEachChunk { data.append(contentsOf: $0) }
        return data
    }

    /// The bytes of the file at `path`, memory-mapped read-only as one chunk (no copy; the
    /// pages are read on demand and belong to the page cache, not to the process's heap).
    ///
    /// - Returns: Nil when there is no file at `path`.
    /// - Throws: ``ChunkedBytesError`` when it cannot be opened or mapped, or does not have
    ///   `expectedSize` bytes.
    package static func mapping(fileAt path: String, expectedSize: Int) throws(ChunkedBytesError) -> ChunkedBytes? {
        guard let chunk = try ByteChunk(mapping: path, expectedSize: expectedSize) else { return nil }
        var bytes = ChunkedBytes()
        if chunk.bytes.count > 0 { bytes.chunks = [chunk] }
        bytes.count = chunk.bytes.count
        return bytes
    }

    // MARK: Equality, hashing, coding

    /// Whether the two hold the same bytes (whatever their chunks).
    ///
    /// - Complexity: O(``count``).
    public static func == (left: ChunkedBytes, right: ChunkedBytes) -> Bool {
        guard left.count == right.count else { return false }
        return left.withSegments { a in
            right.withSegments { b in
                var reader = (a: ByteReader(segments: a), b: ByteReader(segments: b))
                var scratch = (a: [UInt8](repeating: 0, count: 4_096), b: [UInt8](repeating: 0, count: 4_096))
                while !reader.a.isAtEnd {
                    let length = min(4_096, reader.a.bytesLeft)
                    scratch.a.withUnsafeMutableBytes { reader.a.copyBytes(length, into: $0) }
                    scratch.b.withUnsafeMutableBytes { reader.b.copyBytes(length, into: $0) }
                    if scratch.a[..<length] != scratch.b[..<length] { return false }
                }
                return true
            }
        }
    }

    /// Hashes the count and the first bytes (equal values hash equally whatever their chunks).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        let prefix = min(count, 64)
        var head = [UInt8](repeating: 0, count: prefix)
        withSegments { segments in
            var reader = ByteReader(segments: segments)
            head.withUnsafeMutableBytes { reader.copyBytes(prefix, into: $0) }
        }
        hasher.combine(head)
    }

    /// Decodes from one `Data` value.
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(Data.self))
    }

    /// Encodes as one `Data` value (so it is meant for small values).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(data)
    }

    /// "N bytes in M chunks".
    public var description: String { "\(count) bytes in \(chunkCount) chunks" }
}

/// Why a file could not be mapped into ``ChunkedBytes``.
package struct ChunkedBytesError: Error, CustomStringConvertible {
    /// What went wrong, naming the file.
    package let description: String
}

/// One chunk of ``ChunkedBytes``: memory it owns (allocated, or a read-only file mapping),
/// freed with the last reference. Written only before it is shared.
final class ByteChunk: @unchecked Sendable {
    /// The bytes.
    let bytes: UnsafeRawBufferPointer
    private let mapped: Bool

    /// A chunk of `count` uninitialized bytes.
    init(allocating count: Int) {
        bytes = UnsafeRawBufferPointer(UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16))
        mapped = false
    }

    /// The file at `path` mapped read-only; nil when there is no such file.
    init?(mapping path: String, expectedSize: Int) throws(ChunkedBytesError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw ChunkedBytesError(description: "cannot open \(path): \(String(cString: strerror(code)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ChunkedBytesError(description: "cannot read the size of \(path): \(String(cString: strerror(errno)))")
        }
        guard Int(status.st_size) == expectedSize else {
            throw ChunkedBytesError(description: "\(path) has \(status.st_size) bytes, \(expectedSize) were expected")
        }
        guard expectedSize > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            mapped = false
            return
        }
        guard let address = mmap(nil, expectedSize, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw ChunkedBytesError(description: "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: expectedSize)
        mapped = true
    }

    /// The bytes, to be written before the chunk is shared.
    var mutableBytes: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(mutating: bytes) }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        } else {
            base.deallocate()
        }
    }
}
