/// A table's "MLTB" encoding (``Table/binaryEncoded()``) planned before it is written: its
/// exact size is known first, so the encoding is written once, straight into storage of
/// that size (an array, a `Data`, a buffer), with no growing array and no copy after.
///
/// Numeric and integer columns are copied in bulk.
package struct TableEncoder: Sendable {
    /// A categorical column's levels (in order of first appearance) and each row's level.
    private struct Levels: Sendable {
        var ordered: [String] = []
        var codes: [UInt32] = []
    }

    private let table: Table
    /// The levels of each categorical column, by column position.
    private let levels: [Int: Levels]
    /// The exact size of the encoding, in bytes.
    package let count: Int

    /// Plans the encoding of `table` (levels of categorical columns are found now).
    ///
    /// - Complexity: O(rows) per categorical column, O(1) per other column.
    package init(_ table: Table) {
        self.table = table
        var levels: [Int: Levels] = [:]
        var count = 4 + 2 + 4 + 8
        for (position, column) in table.columns.enumerated() {
            count += FixedByteWriter.size(of: column.name) + 2
            if !column.missing.isEmpty { count += 8 * column.missing.words.count }
            switch column.values {
            case .numeric(let v): count += 8 * v.count
            case .integer(let v): count += 8 * v.count
            case .boolean(let v): count += (v.count + 7) / 8
            case .categorical(let v):
                var found = Levels()
                var index: [String: UInt32] = [:]
                found.codes = v.map { value -> UInt32 in
                    if let code = index[value] { return code }
                    let code = UInt32(found.ordered.count)
                    index[value] = code
                    found.ordered.append(value)
                    return code
                }
                count += 4 + found.ordered.reduce(0) { $0 + FixedByteWriter.size(of: $1) } + 4 * v.count
                levels[position] = found
            }
        }
        self.levels = levels
        self.count = count
    }

    /// The encoding as a new array.
    func encoded() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            encode(into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Writes the encoding into `buffer`, which must have exactly ``count`` bytes.
    ///
    /// - Complexity: O(size of the encoding).
    package func encode(into buffer: UnsafeMutableRawBufferPointer) {
        encode(into: [buffer])
    }

    /// Writes the encoding into `segments`, one after another, which must have exactly
    /// ``count`` bytes in all (the chunks of ``ChunkedBytes``).
    ///
    /// - Complexity: O(size of the encoding).
    package func encode(into segments: [UnsafeMutableRawBufferPointer]) {
        var writer = FixedByteWriter(segments: segments)
        precondition(writer.count == count, "a table encoding needs \(count) bytes, got \(writer.count)")
        writer.writeRaw(Table.binaryMagic)
        writer.write(Table.binaryVersion)
        writer.write(UInt32(table.columns.count))
        writer.write(UInt64(table.rowCount))
        for (position, column) in table.columns.enumerated() {
            writer.write(column.name)
            writer.write(Self.typeCode(column.type))
            if column.missing.isEmpty {
                writer.write(UInt8(0))
            } else {
                writer.write(UInt8(1))
                writer.writeArray(column.missing.words)
            }
            switch column.values {
            case .numeric(let v): writer.writeArray(v)
            case .integer(let v):
                #if arch(x86_64) || arch(arm64)
                writer.writeArray(v)  // Int is Int64 here
                #else
                writer.writeArray(v.map(Int64.init))
                #endif
            case .boolean(let v):
                var packed = [UInt8](repeating: 0, count: (v.count + 7) / 8)
                for (row, flag) in v.enumerated() where flag { packed[row >> 3] |= 1 << UInt8(row & 7) }
                writer.writeRaw(packed)
            case .categorical:
                let found = levels[position] ?? Levels()
                writer.write(UInt32(found.ordered.count))
                for level in found.ordered { writer.write(level) }
                writer.writeArray(found.codes)
            }
        }
        precondition(writer.isFull, "a table encoding fell short of the size computed for it")
    }

    /// The type code of the encoding (0 numeric, 1 integer, 2 categorical, 3 boolean).
    private static func typeCode(_ type: ColumnType) -> UInt8 {
        switch type {
        case .numeric: return 0
        case .integer: return 1
        case .categorical: return 2
        case .boolean: return 3
        }
    }
}
