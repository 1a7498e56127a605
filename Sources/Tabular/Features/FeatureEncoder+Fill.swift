// How ``FeatureEncoder/transform(columns:rows:)`` fills one feature's output column for a
// block of rows: numbers read in place or copied from their array, other values through
// the rule records use too.
extension FeatureEncoder {
    /// One feature's values as the encoder reads them: a decoded column, or numbers read
    /// in place from a stored encoding (borrowed for the duration of one transform, read
    /// only; hence `@unchecked Sendable` for the block workers).
    enum FeatureInput: @unchecked Sendable {
        case column(Column)
        case stored(UnsafeRawBufferPointer)
    }

    /// Encodes one column's values for `outputRows` (row `r` of the output is row
    /// `rows[r]` of the column, or `r` without `rows`) through the rule records use too
    /// (``write(_:of:into:at:row:)``), with a direct copy for numbers without missing values.
    func fill(
        _ out: UnsafeMutableBufferPointer<Double>, width: Int, offset: Int, feature: Feature, input: FeatureInput,
        outputRows: Range<Int>, rows: [Int]?
    ) throws(TabularError) {
        let column: Column
        switch input {
        case .stored(let raw):
            if let bad = Self.copyFinite(raw, into: out, width: width, offset: offset, outputRows: outputRows, rows: rows) {
                throw .invalidValue(feature: feature.name, row: bad, value: .numeric(raw.loadUnaligned(fromByteOffset: bad * 8, as: Double.self)),
                                    expected: feature.type)
            }
            return
        case .column(let decoded):
            column = decoded
        }
        if case .numeric = feature.encoding, column.missing.isEmpty {
            switch column.values {
            case .numeric(let values):
                if let bad = values.withUnsafeBytes({ raw in
                    Self.copyFinite(raw, into: out, width: width, offset: offset, outputRows: outputRows, rows: rows)
                }) {
                    throw .invalidValue(feature: feature.name, row: bad, value: .numeric(values[bad]), expected: feature.type)
                }
                return
            case .integer(let values):
                values.withUnsafeBufferPointer { v in
                    for r in outputRows { out[r * width + offset] = Double(v[rows?[r] ?? r]) }
                }
                return
            case .boolean, .categorical:
                break
            }
        }
        for r in outputRows {
            let source = rows?[r] ?? r
            try write(column[source], of: feature, into: out, at: r * width + offset, row: source)
        }
    }
}

extension FeatureEncoder {
    /// Copies native doubles (an array's bytes, or a stored little-endian part's on a
    /// little-endian machine) of `outputRows` into their column of `out`, refusing a value
    /// that is not finite: returns the source row of the first one (nothing more copied).
    fileprivate static func copyFinite(
        _ raw: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Double>, width: Int, offset: Int,
        outputRows: Range<Int>, rows: [Int]?
    ) -> Int? {
        for r in outputRows {
            let source = rows?[r] ?? r
            let x = raw.loadUnaligned(fromByteOffset: source * 8, as: Double.self)
            if !x.isFinite { return source }
            out[r * width + offset] = x
        }
        return nil
    }
}
