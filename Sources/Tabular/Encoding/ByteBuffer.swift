/// What the encodings write to: a growing ``ByteWriter`` or a ``FixedByteWriter``.
protocol ByteSink {
    /// Writes a fixed-width integer, little-endian.
    mutating func write<T: FixedWidthInteger>(_ value: T)
    /// Writes a string: its UTF-8 byte count (`u32`), then the bytes.
    mutating func write(_ string: String)
    /// Writes fixed-width integers, little-endian, one after another.
    mutating func writeArray<T: FixedWidthInteger>(_ values: [T])
}

/// Little-endian binary writing, for the compact table and dataset encodings.
struct ByteWriter: ByteSink {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Double) { write(value.bitPattern) }

    mutating func write(_ string: String) {
        let utf8 = Array(string.utf8)
        write(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func writeRaw(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    /// Appends an array of fixed-width values; one memory copy on little-endian machines.
    mutating func writeArray<T: FixedWidthInteger>(_ values: [T]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for value in values { write(value) }
        #endif
    }

    mutating func writeArray(_ values: [Double]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for value in values { write(value) }
        #endif
    }
}

/// Little-endian binary writing into storage allocated at the encoding's exact final size
/// (computed first), so that an encoding is written once, in place: no growing array, no
/// copy into its final storage. The storage may be one buffer or several segments written
/// one after another (the chunks of ``ChunkedBytes``); a value that crosses from one
/// segment to the next is split.
///
/// Writing past the end is a programming error (the size computation and the writing
/// disagree) and traps.
struct FixedByteWriter: ByteSink {
    /// The segments, in order, none empty.
    private let segments: [UnsafeMutableRawBufferPointer]
    /// Where writing is in them.
    private var cursor: SegmentCursor

    /// A writer into one buffer.
    init(_ buffer: UnsafeMutableRawBufferPointer) { self.init(segments: [buffer]) }

    /// A writer into `segments`, filled one after another.
    init(segments: [UnsafeMutableRawBufferPointer]) {
        self.segments = SegmentCursor.nonEmpty(segments)
        cursor = SegmentCursor(lengths: self.segments.map(\.count))
    }

    /// The bytes written so far.
    var offset: Int { cursor.offset }

    /// The number of bytes in all segments.
    var count: Int { cursor.count }

    /// Whether every byte has been written.
    var isFull: Bool { cursor.bytesLeft == 0 }

    /// The next `length` bytes of the current segment when they fit in it (moving past
    /// them); nil, without moving, when they cross segments.
    private mutating func reserve(_ length: Int) -> UnsafeMutableRawPointer? {
        precondition(length <= cursor.bytesLeft, "an encoding overran the size computed for it")
        guard let (segment, position) = cursor.contiguous(length), let base = segments[segment].baseAddress else { return nil }
        return base + position
    }

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        if let target = reserve(MemoryLayout<T>.size) {
            target.storeBytes(of: value.littleEndian, as: T.self)
        } else {
            withUnsafeBytes(of: value.littleEndian) { writeRaw($0) }
        }
    }

    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            write(UInt32(utf8.count))
            writeRaw(UnsafeRawBufferPointer(utf8))
        }
    }

    mutating func writeRaw(_ raw: UnsafeRawBufferPointer) {
        guard var source = raw.baseAddress, raw.count > 0 else { return }
        precondition(raw.count <= cursor.bytesLeft, "an encoding overran the size computed for it")
        var remaining = raw.count
        while remaining > 0 {
            let run = cursor.nextRun(upTo: remaining)
            if let base = segments[run.segment].baseAddress { (base + run.position).copyMemory(from: source, byteCount: run.length) }
            source += run.length
            remaining -= run.length
        }
    }

    mutating func writeRaw(_ raw: [UInt8]) { raw.withUnsafeBytes { writeRaw($0) } }

    /// Writes an array of fixed-width values; one memory copy on little-endian machines.
    mutating func writeArray<T: FixedWidthInteger>(_ values: [T]) {
        #if _endian(little)
        values.withUnsafeBytes { writeRaw($0) }
        #else
        for value in values { write(value) }
        #endif
    }

    mutating func writeArray(_ values: [Double]) {
        #if _endian(little)
        values.withUnsafeBytes { writeRaw($0) }
        #else
        for value in values { write(value.bitPattern) }
        #endif
    }

    /// The encoded size of a string: its length then its UTF-8 bytes.
    static func size(of string: String) -> Int { 4 + string.utf8.count }
}

/// Runs `body` with a reader over the borrowed bytes of `bytes` (no copy).
///
/// - Throws: what `body` throws.
func decodingBytes<Bytes: ContiguousBytesView, T>(
    _ bytes: Bytes, _ body: (inout ByteReader) throws(TabularError) -> T
) throws(TabularError) -> T {
    let result: Result<T, TabularError> = bytes.withUnsafeRawBytes { raw in
        var reader = ByteReader(raw)
        do throws(TabularError) { return .success(try body(&reader)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// Storage whose bytes can be borrowed for decoding: `[UInt8]` and a borrowed buffer.
protocol ContiguousBytesView {
    func withUnsafeRawBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R
}

extension Array: ContiguousBytesView where Element == UInt8 {
    func withUnsafeRawBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { withUnsafeBytes(body) }
}

extension UnsafeRawBufferPointer: ContiguousBytesView {
    func withUnsafeRawBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { body(self) }
}
