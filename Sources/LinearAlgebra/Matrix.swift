/// A dense matrix of `Double` stored row-major in one contiguous buffer.
///
/// `Matrix` is a value type: copies share storage until one of them is mutated
/// (copy-on-write, through Swift's `Array`). Element `(i, j)` lives at offset
/// `i * columns + j`, so a run of rows is itself contiguous and can be handed to BLAS
/// without copying (see ``subscript(rows:)``).
///
/// ```swift
/// var a = try Matrix([[1, 2], [3, 4]])
/// a[1, 0] = 5
/// let product = try BLAS.gemm(a, a)   // a · a
/// ```
public struct Matrix: Sendable, Hashable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns.
    public let columns: Int
    /// The elements, row after row.
    @usableFromInline
    internal var storage: [Double]

    /// Creates a `rows`×`columns` matrix with every element set to `value`.
    ///
    /// - Parameters:
    ///   - rows: The number of rows; must not be negative.
    ///   - columns: The number of columns; must not be negative.
    ///   - value: The value of every element.
    /// - Precondition: `rows >= 0 && columns >= 0` (as for `Array(repeating:count:)`).
    /// - Complexity: O(rows × columns).
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must not be negative")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// Creates a matrix from its elements in row-major order, without copying them.
    ///
    /// - Parameters:
    ///   - rows: The number of rows.
    ///   - columns: The number of columns.
    ///   - elements: `rows * columns` values, row after row.
    /// - Throws: ``LinearAlgebraError/invalidArgument(operation:reason:)`` for a negative
    ///   dimension, ``LinearAlgebraError/dimensionMismatch(operation:details:)`` when the
    ///   element count is not `rows * columns`.
    public init(rows: Int, columns: Int, elements: [Double]) throws(LinearAlgebraError) {
        guard rows >= 0, columns >= 0 else {
            throw .invalidArgument(operation: "Matrix", reason: "dimensions \(rows)×\(columns) are negative")
        }
        guard elements.count == rows * columns else {
            throw .dimensionMismatch(
                operation: "Matrix",
                details: "\(elements.count) elements given for a \(rows)×\(columns) matrix"
            )
        }
        self.rows = rows
        self.columns = columns
        self.storage = elements
    }

    /// Creates a matrix from an array of rows.
    ///
    /// - Parameter rowArrays: The rows; every row must have the same length.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:details:)`` naming the
    ///   first row whose length differs from the first row's.
    public init(_ rowArrays: [[Double]]) throws(LinearAlgebraError) {
        let columns = rowArrays.first?.count ?? 0
        var storage: [Double] = []
        storage.reserveCapacity(rowArrays.count * columns)
        for (index, row) in rowArrays.enumerated() {
            guard row.count == columns else {
                throw .dimensionMismatch(
                    operation: "Matrix",
                    details: "row \(index) has \(row.count) elements, row 0 has \(columns)"
                )
            }
            storage.append(contentsOf: row)
        }
        self.rows = rowArrays.count
        self.columns = columns
        self.storage = storage
    }

    /// Creates a matrix by calling `body` once per element, in row-major order.
    ///
    /// - Complexity: O(rows × columns) calls of `body`.
    public init(rows: Int, columns: Int, _ body: (_ row: Int, _ column: Int) throws -> Double) rethrows {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must not be negative")
        var storage: [Double] = []
        storage.reserveCapacity(rows * columns)
        for i in 0..<rows {
            for j in 0..<columns { storage.append(try body(i, j)) }
        }
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// The `n`×`n` identity matrix.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.storage[i * n + i] = 1 }
        return m
    }

    /// A column vector (an `n`×1 matrix) holding `values`.
    public init(column values: [Double]) {
        self.rows = values.count
        self.columns = 1
        self.storage = values
    }

    /// The elements in row-major order.
    @inlinable
    public var elements: [Double] { storage }

    /// `true` when the matrix has no elements.
    @inlinable
    public var isEmpty: Bool { storage.isEmpty }

    /// The element at `row`, `column` (both 0-based).
    ///
    /// - Precondition: both indices are in range.
    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            return storage[row &* columns &+ column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            storage[row &* columns &+ column] = newValue
        }
    }

    /// The elements of row `index`, sharing the matrix's storage.
    @inlinable
    public func row(_ index: Int) -> ArraySlice<Double> {
        precondition(index >= 0 && index < rows, "Matrix row out of range")
        return storage[(index * columns)..<((index + 1) * columns)]
    }

    /// A copy of column `index`.
    ///
    /// - Complexity: O(rows).
    public func column(_ index: Int) -> [Double] {
        precondition(index >= 0 && index < columns, "Matrix column out of range")
        var result: [Double] = []
        result.reserveCapacity(rows)
        for i in 0..<rows { result.append(storage[i * columns + index]) }
        return result
    }

    /// The transpose, as a new matrix.
    ///
    /// - Complexity: O(rows × columns), done in cache-friendly blocks.
    public func transposed() -> Matrix {
        var result = Matrix(rows: columns, columns: rows)
        let block = 32
        storage.withUnsafeBufferPointer { source in
            result.storage.withUnsafeMutableBufferPointer { target in
                for i0 in stride(from: 0, to: rows, by: block) {
                    for j0 in stride(from: 0, to: columns, by: block) {
                        for i in i0..<min(i0 + block, rows) {
                            for j in j0..<min(j0 + block, columns) {
                                target[j * rows + i] = source[i * columns + j]
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// Calls `body` with mutable access to the elements in row-major order.
    ///
    /// The buffer must not escape `body`.
    public mutating func withUnsafeMutableElements<R, E: Error>(
        _ body: (inout UnsafeMutableBufferPointer<Double>) throws(E) -> R
    ) throws(E) -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }
}

extension Matrix: CustomStringConvertible {
    /// The matrix as rows of numbers, e.g. `[[1.0, 2.0], [3.0, 4.0]]`.
    public var description: String {
        let lines = (0..<rows).map { i in "[" + row(i).map { "\($0)" }.joined(separator: ", ") + "]" }
        return "[" + lines.joined(separator: ", ") + "]"
    }
}
