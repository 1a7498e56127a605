/// A read-only, row-major, contiguous block of `Double` that BLAS and LAPACK routines
/// can read in place: a ``Matrix`` or a run of its rows (``MatrixSlice``).
///
/// Element `(i, j)` is at offset `i * columns + j` of the buffer passed to
/// ``withUnsafeElements(_:)``; the buffer holds exactly `rows * columns` elements.
public protocol MatrixView: Sendable {
    /// The number of rows.
    var rows: Int { get }
    /// The number of columns.
    var columns: Int { get }
    /// Calls `body` with the elements, row-major; the buffer must not escape `body`.
    func withUnsafeElements<R, E: Error>(
        _ body: (UnsafeBufferPointer<Double>) throws(E) -> R
    ) throws(E) -> R
}

extension Matrix: MatrixView {
    public func withUnsafeElements<R, E: Error>(
        _ body: (UnsafeBufferPointer<Double>) throws(E) -> R
    ) throws(E) -> R {
        try storage.withUnsafeBufferPointer(body)
    }
}

/// A contiguous run of a matrix's rows that shares the matrix's storage.
///
/// Making a slice copies nothing; BLAS routines read it in place. Use it for row blocks
/// such as mini-batches or contiguous folds; ``Matrix/selectingRows(_:)`` gathers an
/// arbitrary list of rows into a new matrix.
///
/// ```swift
/// let firstHundred = data[rows: 0..<100]
/// let gram = try BLAS.syrk(firstHundred)   // Xᵀ·X over those rows only
/// ```
public struct MatrixSlice: MatrixView, Sendable {
    /// The matrix whose rows this slice shows.
    public let base: Matrix
    /// The rows of `base` in the slice.
    public let rowRange: Range<Int>

    /// The number of rows in the slice.
    public var rows: Int { rowRange.count }
    /// The number of columns (the base matrix's).
    public var columns: Int { base.columns }

    /// The element at `row` (relative to the slice), `column`.
    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        precondition(row >= 0 && row < rowRange.count, "MatrixSlice row out of range")
        return base[rowRange.lowerBound + row, column]
    }

    public func withUnsafeElements<R, E: Error>(
        _ body: (UnsafeBufferPointer<Double>) throws(E) -> R
    ) throws(E) -> R {
        try base.storage.withUnsafeBufferPointer { (all) throws(E) -> R in
            let start = rowRange.lowerBound * base.columns
            let slice = UnsafeBufferPointer(rebasing: all[start..<(start + rowRange.count * base.columns)])
            return try body(slice)
        }
    }

    /// The slice's rows copied into a matrix of their own.
    ///
    /// - Complexity: O(rows × columns).
    public func copied() -> Matrix {
        let start = rowRange.lowerBound * base.columns
        let elements = Array(base.storage[start..<(start + rowRange.count * base.columns)])
        // The element count matches by construction.
        return Matrix(unchecked: rowRange.count, columns: base.columns, elements: elements)
    }
}

extension Matrix {
    /// Internal initializer for element arrays whose size is known to be right.
    @usableFromInline
    init(unchecked rows: Int, columns: Int, elements: [Double]) {
        assert(elements.count == rows * columns)
        self.rows = rows
        self.columns = columns
        self.storage = elements
    }

    /// The rows in `range`, as a slice sharing this matrix's storage (no copy).
    ///
    /// - Precondition: `range` lies within `0..<rows`.
    public subscript(rows range: Range<Int>) -> MatrixSlice {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "Matrix row range out of bounds")
        return MatrixSlice(base: self, rowRange: range)
    }

    /// A new matrix made of the rows at `indices`, in that order (repeats allowed).
    ///
    /// - Parameter indices: Row indices into this matrix.
    /// - Throws: ``LinearAlgebraError/invalidArgument(operation:reason:)`` naming the first
    ///   index out of range.
    /// - Complexity: O(indices.count × columns), one pass.
    public func selectingRows(_ indices: some Collection<Int>) throws(LinearAlgebraError) -> Matrix {
        var elements: [Double] = []
        elements.reserveCapacity(indices.count * columns)
        for (position, index) in indices.enumerated() {
            guard index >= 0 && index < rows else {
                throw .invalidArgument(
                    operation: "selectingRows",
                    reason: "index \(index) at position \(position) is outside 0..<\(rows)"
                )
            }
            elements.append(contentsOf: storage[(index * columns)..<((index + 1) * columns)])
        }
        return Matrix(unchecked: indices.count, columns: columns, elements: elements)
    }
}
