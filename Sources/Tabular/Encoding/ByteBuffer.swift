/// Little-endian binary writing, for the compact table and dataset encodings.
struct ByteWriter {
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

/// Little-endian binary reading with bounds checks: running past the end is a typed
/// ``TabularError/corruptEncoding(_:)`` naming what was being read and where.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    /// The number of bytes not read yet.
    var bytesLeft: Int { bytes.count - offset }

    private mutating func take(_ count: Int, _ what: String) throws(TabularError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - offset else {
            throw .corruptEncoding("truncated at byte \(offset) while reading \(what) (\(count) bytes needed, \(bytes.count - offset) left)")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws(TabularError) -> T {
        let slice = try take(MemoryLayout<T>.size, what)
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { target in
            for (index, byte) in slice.enumerated() { target[index] = byte }
        }
        return T(littleEndian: value)
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

    /// A count that must fit in the bytes left (each element at least `elementSize` bytes).
    mutating func readCount(_ what: String, elementSize: Int) throws(TabularError) -> Int {
        let raw = try read(UInt64.self, what)
        guard raw <= UInt64(bytes.count - offset) / UInt64(max(elementSize, 1)) else {
            throw .corruptEncoding("\(what) \(raw) at byte \(offset - 8) exceeds the data left")
        }
        return Int(raw)
    }

    mutating func readArray<T: FixedWidthInteger>(_ type: T.Type, count: Int, _ what: String) throws(TabularError) -> [T] {
        let slice = try take(count * MemoryLayout<T>.size, what)
        var result = [T](repeating: 0, count: count)
        result.withUnsafeMutableBytes { target in
            slice.withUnsafeBytes { source in target.copyMemory(from: source) }
        }
        #if !_endian(little)
        result = result.map { T(littleEndian: $0) }
        #endif
        return result
    }

    mutating func readDoubles(count: Int, _ what: String) throws(TabularError) -> [Double] {
        try readArray(UInt64.self, count: count, what).map(Double.init(bitPattern:))
    }
}
