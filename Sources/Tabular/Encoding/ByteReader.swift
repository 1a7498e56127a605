/// Little-endian binary reading with bounds checks: running past the end is a typed
/// ``TabularError/corruptEncoding(_:)`` naming what was being read and where.
///
/// It reads borrowed bytes (an array's or a `Data`'s storage, a mapped file, or the chunks
/// of ``ChunkedBytes``) without copying them first: use it inside the owner's
/// `withUnsafeBytes` (see ``decodingBytes(_:_:)``) or ``ChunkedBytes/withSegments(_:)``,
/// and never keep it past that scope. The bytes may come in several segments; a value
/// that crosses from one to the next is gathered. Arrays of numbers are copied once,
/// straight into their final storage.
struct ByteReader {
    /// The segments, in order, none empty.
    private let segments: [UnsafeRawBufferPointer]
    /// Where reading is in them.
    private var cursor: SegmentCursor

    /// A reader over one buffer.
    init(_ bytes: UnsafeRawBufferPointer) { self.init(segments: [bytes]) }

    /// A reader over `segments`, read one after another.
    init(segments: [UnsafeRawBufferPointer]) {
        self.segments = SegmentCursor.nonEmpty(segments)
        cursor = SegmentCursor(lengths: self.segments.map(\.count))
    }

    /// The bytes read so far.
    var offset: Int { cursor.offset }

    /// The number of bytes in all segments.
    var count: Int { cursor.count }

    var isAtEnd: Bool { cursor.bytesLeft == 0 }

    /// The number of bytes not read yet.
    var bytesLeft: Int { cursor.bytesLeft }

    /// Checks `count` bytes are left.
    private func require(_ count: Int, _ what: @autoclosure () -> String) throws(TabularError) {
        guard count >= 0, count <= bytesLeft else {
            throw .corruptEncoding("truncated at byte \(offset) while reading \(what()) (\(count) bytes needed, \(bytesLeft) left)")
        }
    }

    /// The next `count` bytes (which must be left) when they lie in one segment, moving
    /// past them; nil, without moving, when they cross segments.
    private mutating func contiguous(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        guard let (segment, position) = cursor.contiguous(count) else { return nil }
        return UnsafeRawBufferPointer(rebasing: segments[segment][position..<(position + count)])
    }

    /// Copies the next `count` bytes (which must be left) into `target`, across segments.
    mutating func copyBytes(_ count: Int, into target: UnsafeMutableRawBufferPointer) {
        precondition(count <= bytesLeft && count <= target.count, "a reader copied past its end")
        guard var destination = target.baseAddress else { return }
        var remaining = count
        while remaining > 0 {
            let run = cursor.nextRun(upTo: remaining)
            if let source = segments[run.segment].baseAddress { destination.copyMemory(from: source + run.position, byteCount: run.length) }
            destination += run.length
            remaining -= run.length
        }
    }

    /// The next `count` bytes in a new array.
    private mutating func gather(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            copyBytes(count, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws(TabularError) -> T {
        try require(MemoryLayout<T>.size, what)
        if let slice = contiguous(MemoryLayout<T>.size) { return T(littleEndian: slice.loadUnaligned(as: T.self)) }
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { copyBytes(MemoryLayout<T>.size, into: $0) }
        return T(littleEndian: value)
    }

    mutating func readDouble(_ what: String) throws(TabularError) -> Double {
        Double(bitPattern: try read(UInt64.self, what))
    }

    mutating func readString(_ what: String) throws(TabularError) -> String {
        let length = Int(try read(UInt32.self, "\(what) length"))
        try require(length, what)
        let start = offset
        let string: String?
        if let slice = contiguous(length) {
            string = String(validating: slice, as: UTF8.self)
        } else {
            string = String(validating: gather(length), as: UTF8.self)
        }
        guard let string else { throw .corruptEncoding("\(what) at byte \(start) is not valid UTF-8") }
        return string
    }

    mutating func readRaw(_ count: Int, _ what: String) throws(TabularError) -> [UInt8] {
        try require(count, what)
        return gather(count)
    }

    /// The next `count` bytes: borrowed in place when they lie in one segment (valid as
    /// long as the reader's bytes are), else gathered into a chunk of their own.
    mutating func readBytes(_ count: Int, _ what: String) throws(TabularError) -> ReadBytes {
        try require(count, what)
        if let slice = contiguous(count) { return ReadBytes(bytes: slice, owner: nil) }
        let chunk = ByteChunk(allocating: count)
        copyBytes(count, into: chunk.mutableBytes)
        return ReadBytes(bytes: chunk.bytes, owner: chunk)
    }

    /// A count that must fit in the bytes left (each element at least `elementSize` bytes).
    mutating func readCount(_ what: String, elementSize: Int) throws(TabularError) -> Int {
        let raw = try read(UInt64.self, what)
        guard raw <= UInt64(bytesLeft) / UInt64(max(elementSize, 1)) else {
            throw .corruptEncoding("\(what) \(raw) at byte \(offset - 8) exceeds the data left")
        }
        return Int(raw)
    }

    /// `count` values copied in one `memcpy` per segment into a new array (byte-swapped on
    /// big-endian machines).
    mutating func readArray<T: FixedWidthInteger>(_ type: T.Type, count: Int, _ what: String) throws(TabularError) -> [T] {
        let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.size)
        guard !overflow else { throw .corruptEncoding("\(what): \(count) values exceed the data left") }
        try require(bytesNeeded, what)
        var result = [T](unsafeUninitializedCapacity: count) { target, initialized in
            copyBytes(bytesNeeded, into: UnsafeMutableRawBufferPointer(target))
            initialized = count
        }
        #if !_endian(little)
        result = result.map { T(littleEndian: $0) }
        #endif
        return result
    }

    /// `count` IEEE 754 values, copied once into a new array.
    mutating func readDoubles(count: Int, _ what: String) throws(TabularError) -> [Double] {
        #if _endian(little)
        let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: 8)
        guard !overflow else { throw .corruptEncoding("\(what): \(count) values exceed the data left") }
        try require(bytesNeeded, what)
        return [Double](unsafeUninitializedCapacity: count) { target, initialized in
            copyBytes(bytesNeeded, into: UnsafeMutableRawBufferPointer(target))
            initialized = count
        }
        #else
        return try readArray(UInt64.self, count: count, what).map(Double.init(bitPattern:))
        #endif
    }
}

/// Bytes read by ``ByteReader/readBytes(_:_:)``: in place, or in a chunk of their own
/// (``owner``, which keeps them alive) when they crossed segments.
struct ReadBytes {
    /// The bytes; valid while the reader's bytes and ``owner`` are.
    let bytes: UnsafeRawBufferPointer
    /// The chunk the bytes were gathered into, if they were.
    let owner: ByteChunk?
}
