import Crypto

/// The canonical encoding of rows that ``RowIdentity`` hashes, written straight from the
/// typed columns.
///
/// Per column (sorted by name): its name (`u32` byte length + UTF-8), then the value:
/// `0` missing; `1` + `i64` an integer or an integral number below 2⁶³ in magnitude; `2` +
/// IEEE 754 bits another number (every NaN the same); `3` + `u32` length + UTF-8 a category
/// or `true`/`false`. All little-endian.
///
/// A block of rows is written column by column (one type dispatch per column and block,
/// a tight loop over the column's own array), each row into its own slot of the block.
/// When every column is numeric or integer without missing values, every row has the same
/// layout (each value 9 bytes at a fixed place): the names are written once per block
/// buffer and only the values are written for each block.
struct RowEncoder: Sendable {
    let columns: [Column]
    let prefixes: [[UInt8]]
    /// The length of every row's encoding when the layout is fixed, else nil.
    let fixedRowLength: Int?

    init(columns: [Column]) {
        self.columns = columns
        prefixes = columns.map { column in
            var bytes: [UInt8] = []
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: column.name.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: column.name.utf8)
            return bytes
        }
        let fixed = columns.allSatisfy { column in
            guard column.missing.isEmpty else { return false }
            switch column.values {
            case .numeric, .integer: return true
            case .boolean, .categorical: return false
            }
        }
        fixedRowLength = fixed ? prefixes.reduce(0) { $0 + $1.count + 9 } : nil
    }

    /// The encoded length of each value of `column` in `range` (its name excluded).
    private func addLengths(of column: Column, rows range: Range<Int>, to lengths: inout [Int]) {
        let missing = column.missing
        let anyMissing = !missing.isEmpty
        switch column.values {
        case .numeric, .integer:
            for index in range.indices { lengths[index - range.lowerBound] += anyMissing && missing.isMissing(index) ? 1 : 9 }
        case .boolean(let values):
            for index in range.indices {
                lengths[index - range.lowerBound] += anyMissing && missing.isMissing(index) ? 1 : (values[index] ? 9 : 10)
            }
        case .categorical(let values):
            for index in range.indices {
                lengths[index - range.lowerBound] += anyMissing && missing.isMissing(index) ? 1 : 5 + values[index].utf8.count
            }
        }
    }

    /// Encodes the rows in `range` into `block` (row `i` of the block is row `range.lowerBound + i`).
    func encode(rows range: Range<Int>, into block: inout RowBlock) {
        if let rowLength = fixedRowLength {
            encodeFixed(rows: range, rowLength: rowLength, into: &block)
            return
        }
        let count = range.count
        var lengths = [Int](repeating: prefixes.reduce(0) { $0 + $1.count }, count: count)
        for column in columns { addLengths(of: column, rows: range, to: &lengths) }
        block.reset(lengths: lengths)
        var cursors = Array(block.offsets.prefix(count))
        block.bytes.withUnsafeMutableBytes { out in
            cursors.withUnsafeMutableBufferPointer { cursor in
                for (column, prefix) in zip(columns, prefixes) {
                    prefix.withUnsafeBytes { name in
                        write(column, name: name, rows: range, into: out, cursors: cursor)
                    }
                }
            }
        }
    }

    /// The fixed layout: names in place (written when the block's buffer is set up), then
    /// one 9-byte value per column and row.
    private func encodeFixed(rows range: Range<Int>, rowLength: Int, into block: inout RowBlock) {
        if block.setFixed(rows: range.count, rowLength: rowLength) {
            block.bytes.withUnsafeMutableBytes { out in
                for slot in 0..<range.count {
                    var at = slot * rowLength
                    for prefix in prefixes {
                        prefix.withUnsafeBytes { name in
                            UnsafeMutableRawBufferPointer(rebasing: out[at..<(at + name.count)]).copyMemory(from: name)
                        }
                        at += prefix.count + 9
                    }
                }
            }
        }
        block.bytes.withUnsafeMutableBytes { out in
            guard let base = out.baseAddress else { return }
            var offset = 0
            for (column, prefix) in zip(columns, prefixes) {
                offset += prefix.count
                var at = base + offset
                switch column.values {
                case .integer(let values):
                    values.withUnsafeBufferPointer { v in
                        for index in range {
                            at.storeBytes(of: 1, as: UInt8.self)
                            (at + 1).storeBytes(of: UInt64(bitPattern: Int64(v[index])).littleEndian, as: UInt64.self)
                            at += rowLength
                        }
                    }
                case .numeric(let values):
                    values.withUnsafeBufferPointer { v in
                        for index in range {
                            let x = v[index]
                            // Integral and below 2⁶³ in magnitude (truncation instead of a libm call).
                            if abs(x) < 0x1p63, Double(Int64(x)) == x {
                                at.storeBytes(of: 1, as: UInt8.self)
                                (at + 1).storeBytes(of: UInt64(bitPattern: Int64(x)).littleEndian, as: UInt64.self)
                            } else {
                                at.storeBytes(of: 2, as: UInt8.self)
                                (at + 1).storeBytes(of: (x.isNaN ? Double.nan : x).bitPattern.littleEndian, as: UInt64.self)
                            }
                            at += rowLength
                        }
                    }
                case .boolean, .categorical:
                    preconditionFailure("a fixed row layout has only numeric and integer columns")
                }
                offset += 9
            }
        }
    }

    private func write(
        _ column: Column, name: UnsafeRawBufferPointer, rows range: Range<Int>, into out: UnsafeMutableRawBufferPointer,
        cursors: UnsafeMutableBufferPointer<Int>
    ) {
        let missing = column.missing
        let anyMissing = !missing.isEmpty
        func start(_ index: Int) -> Int? {
            let at = cursors[index - range.lowerBound]
            UnsafeMutableRawBufferPointer(rebasing: out[at..<(at + name.count)]).copyMemory(from: name)
            if anyMissing && missing.isMissing(index) {
                out[at + name.count] = 0
                cursors[index - range.lowerBound] = at + name.count + 1
                return nil
            }
            return at + name.count
        }
        func integer(_ value: Int64, at: Int, _ index: Int) {
            out[at] = 1
            out.storeBytes(of: UInt64(bitPattern: value).littleEndian, toByteOffset: at + 1, as: UInt64.self)
            cursors[index - range.lowerBound] = at + 9
        }
        func text(_ utf8: UnsafeBufferPointer<UInt8>, at: Int, _ index: Int) {
            out[at] = 3
            out.storeBytes(of: UInt32(truncatingIfNeeded: utf8.count).littleEndian, toByteOffset: at + 1, as: UInt32.self)
            if let source = utf8.baseAddress, let target = out.baseAddress, utf8.count > 0 {
                (target + at + 5).copyMemory(from: source, byteCount: utf8.count)
            }
            cursors[index - range.lowerBound] = at + 5 + utf8.count
        }
        switch column.values {
        case .integer(let values):
            values.withUnsafeBufferPointer { v in
                for index in range { if let at = start(index) { integer(Int64(v[index]), at: at, index) } }
            }
        case .numeric(let values):
            values.withUnsafeBufferPointer { v in
                for index in range {
                    guard let at = start(index) else { continue }
                    let x = v[index]
                    // Integral and below 2⁶³ in magnitude (truncation instead of a libm call).
                    if abs(x) < 0x1p63, Double(Int64(x)) == x {
                        integer(Int64(x), at: at, index)
                    } else {
                        out[at] = 2
                        out.storeBytes(of: (x.isNaN ? Double.nan : x).bitPattern.littleEndian, toByteOffset: at + 1, as: UInt64.self)
                        cursors[index - range.lowerBound] = at + 9
                    }
                }
            }
        case .boolean(let values):
            for index in range {
                guard let at = start(index) else { continue }
                var word = values[index] ? "true" : "false"
                word.withUTF8 { text($0, at: at, index) }
            }
        case .categorical(let values):
            for index in range {
                guard let at = start(index) else { continue }
                var category = values[index]
                category.withUTF8 { text($0, at: at, index) }
            }
        }
    }
}

/// The encodings of a block of rows, one slot per row, and their digests.
struct RowBlock {
    var bytes: [UInt8] = []
    /// Where each row's encoding starts; the last entry is where the block ends.
    private(set) var offsets: [Int] = [0]
    /// The fixed row length whose names are in place in ``bytes``, for this many rows.
    private var fixedLength = 0
    private var fixedRows = 0

    /// Room for rows of these encoded lengths.
    mutating func reset(lengths: [Int]) {
        fixedRows = 0
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        for length in lengths { offsets.append(offsets[offsets.count - 1] + length) }
        let total = offsets[offsets.count - 1]
        if bytes.count < total { bytes = [UInt8](repeating: 0, count: total) }
    }

    /// Room for `rows` rows of `rowLength` bytes each; returns whether the names must be
    /// written (the buffer did not hold this layout for as many rows).
    mutating func setFixed(rows: Int, rowLength: Int) -> Bool {
        offsets.removeAll(keepingCapacity: true)
        for row in 0...rows { offsets.append(row * rowLength) }
        if fixedLength == rowLength && fixedRows >= rows { return false }
        if bytes.count < rows * rowLength { bytes = [UInt8](repeating: 0, count: rows * rowLength) }
        fixedLength = rowLength
        fixedRows = rows
        return true
    }

    /// Appends the occurrence suffix to the only row of the block: a `0xFF` byte, then `k`
    /// as a little-endian `u64`. Every column's encoding is self-delimiting and the columns
    /// are the same for all rows, so a suffixed encoding is never another row's plain or
    /// suffixed encoding.
    mutating func appendOccurrence(_ occurrence: UInt64) {
        // The suffix overwrites the slot after the row: a fixed layout there is gone.
        fixedRows = min(fixedRows, 1)
        let end = offsets[1]
        if bytes.count < end + 9 { bytes += [UInt8](repeating: 0, count: end + 9 - bytes.count) }
        bytes[end] = 0xFF
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: occurrence.littleEndian, toByteOffset: end + 1, as: UInt64.self) }
        offsets[1] = end + 9
    }

    /// The first 128 bits of the SHA-256 of row `index`'s encoding.
    func digest(ofRow index: Int) -> RowIdentity {
        bytes.withUnsafeBytes { raw in
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: raw[offsets[index]..<offsets[index + 1]]))
            return hasher.finalize().withUnsafeBytes { digest in
                RowIdentity(
                    high: digest.loadUnaligned(fromByteOffset: 0, as: UInt64.self).bigEndian,
                    low: digest.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian)
            }
        }
    }
}
