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
/// copy into its final storage.
///
/// Writing past the end is a programming error (the size computation and the writing
/// disagree) and traps.
struct FixedByteWriter: ByteSink {
    let buffer: UnsafeMutableRawBufferPointer
    private(set) var offset = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    /// Whether every byte has been written.
    var isFull: Bool { offset == buffer.count }

    private mutating func reserve(_ count: Int) -> UnsafeMutableRawPointer {
        precondition(count <= buffer.count - offset, "an encoding overran the size computed for it")
        guard let base = buffer.baseAddress else { preconditionFailure("an encoding overran the size computed for it") }
        defer { offset += count }
        return base + offset
    }

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        reserve(MemoryLayout<T>.size).storeBytes(of: value.littleEndian, as: T.self)
    }

    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            write(UInt32(utf8.count))
            writeRaw(UnsafeRawBufferPointer(utf8))
        }
    }

    mutating func writeRaw(_ raw: UnsafeRawBufferPointer) {
        let target = reserve(raw.count)
        if let source = raw.baseAddress, raw.count > 0 { target.copyMemory(from: source, byteCount: raw.count) }
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

/// Little-endian binary reading with bounds checks: running past the end is a typed
/// ``TabularError/corruptEncoding(_:)`` naming what was being read and where.
///
/// It reads borrowed bytes (an array's or a `Data`'s storage, or a mapped file) without
/// copying them first: use it inside the owner's `withUnsafeBytes` (see
/// ``decodingBytes(_:_:)``) and never keep it past that scope. Arrays of numbers are
/// copied once, straight into their final storage.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    /// The number of bytes not read yet.
    var bytesLeft: Int { bytes.count - offset }

    private mutating func take(_ count: Int, _ what: String) throws(TabularError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= bytes.count - offset else {
            throw .corruptEncoding("truncated at byte \(offset) while reading \(what) (\(count) bytes needed, \(bytes.count - offset) left)")
        }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws(TabularError) -> T {
        let slice = try take(MemoryLayout<T>.size, what)
        return T(littleEndian: slice.loadUnaligned(as: T.self))
    }

    mutating func readDouble(_ what: String) throws(TabularError) -> Double {
        Double(bitPattern: try read(UInt64.self, what))
    }

    mutating func readString(_ what: String) throws(TabularError) -> String {
        let length = Int(try read(UInt32.self, "\(what) length"))
        let slice = try take(length, what)
        guard let string = String(validating: slice, as: UTF8.self) else {
            throw .corruptEncoding("\(what) at byte \(offset - length) is not valid UTF-8")
        }
        return string
    }

    mutating func readRaw(_ count: Int, _ what: String) throws(TabularError) -> [UInt8] {
        Array(try take(count, what))
    }

    /// The next `count` bytes, borrowed (valid as long as the reader's bytes are).
    mutating func readBorrowed(_ count: Int, _ what: String) throws(TabularError) -> UnsafeRawBufferPointer {
        try take(count, what)
    }

    /// A count that must fit in the bytes left (each element at least `elementSize` bytes).
    mutating func readCount(_ what: String, elementSize: Int) throws(TabularError) -> Int {
        let raw = try read(UInt64.self, what)
        guard raw <= UInt64(bytes.count - offset) / UInt64(max(elementSize, 1)) else {
            throw .corruptEncoding("\(what) \(raw) at byte \(offset - 8) exceeds the data left")
        }
        return Int(raw)
    }

    /// `count` values copied in one `memcpy` into a new array (byte-swapped on big-endian
    /// machines).
    mutating func readArray<T: FixedWidthInteger>(_ type: T.Type, count: Int, _ what: String) throws(TabularError) -> [T] {
        let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.size)
        guard !overflow else { throw .corruptEncoding("\(what): \(count) values exceed the data left") }
        let slice = try take(bytesNeeded, what)
        var result = [T](unsafeUninitializedCapacity: count) { target, initialized in
            if count > 0, let base = slice.baseAddress, let destination = target.baseAddress {
                UnsafeMutableRawPointer(destination).copyMemory(from: base, byteCount: bytesNeeded)
            }
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
        let slice = try take(bytesNeeded, what)
        return [Double](unsafeUninitializedCapacity: count) { target, initialized in
            if count > 0, let base = slice.baseAddress, let destination = target.baseAddress {
                UnsafeMutableRawPointer(destination).copyMemory(from: base, byteCount: bytesNeeded)
            }
            initialized = count
        }
        #else
        return try readArray(UInt64.self, count: count, what).map(Double.init(bitPattern:))
        #endif
    }
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
