/// An error raised by a linear-algebra operation: bad dimensions or values on the way in,
/// or a LAPACK routine that reported failure through its `info` code.
///
/// Every case names the operation (or LAPACK routine) it came from, so a message such as
/// `gemm: inner dimensions differ (A is 3×4, B is 5×2)` says what and where.
public enum LinearAlgebraError: Error, Equatable, Sendable {
    /// The shapes of the operands do not fit together.
    case dimensionMismatch(operation: String, details: String)
    /// A square matrix was required.
    case notSquare(operation: String, rows: Int, columns: Int)
    /// A symmetric matrix was required; the entries at (`row`, `column`) and
    /// (`column`, `row`) differ by more than the stated tolerance.
    case notSymmetric(operation: String, row: Int, column: Int)
    /// An input holds NaN or an infinity at (`row`, `column`) (0-based).
    case nonFiniteValue(operation: String, row: Int, column: Int)
    /// An argument is outside its allowed range (for example a negative count).
    case invalidArgument(operation: String, reason: String)
    /// Cholesky factorization failed: the leading minor of order `minor` (1-based, as
    /// LAPACK counts) is not positive definite.
    case notPositiveDefinite(minor: Int)
    /// LU factorization found an exactly zero pivot: `U[pivot, pivot]` is 0 (0-based), so
    /// the matrix is singular and cannot be inverted.
    case singular(pivot: Int)
    /// An iterative LAPACK routine stopped before `unconverged` values converged.
    case didNotConverge(routine: String, unconverged: Int)
    /// LAPACK rejected its argument number `position` (1-based, in LAPACK's own order).
    /// Public entry points validate their input, so this signals a bug: please report it.
    case illegalArgument(routine: String, position: Int)
    /// LAPACKE could not allocate its work or transposition buffer.
    case allocationFailed(routine: String)
}

extension LinearAlgebraError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .dimensionMismatch(operation, details):
            return "\(operation): dimension mismatch: \(details)"
        case let .notSquare(operation, rows, columns):
            return "\(operation): a square matrix is required, got \(rows)×\(columns)"
        case let .notSymmetric(operation, row, column):
            return "\(operation): the matrix is not symmetric at (\(row), \(column))"
        case let .nonFiniteValue(operation, row, column):
            return "\(operation): non-finite value (NaN or infinity) at row \(row), column \(column)"
        case let .invalidArgument(operation, reason):
            return "\(operation): invalid argument: \(reason)"
        case let .notPositiveDefinite(minor):
            return "the matrix is not positive definite: leading minor of order \(minor) is not positive"
        case let .singular(pivot):
            return "the matrix is singular: U[\(pivot), \(pivot)] is exactly zero"
        case let .didNotConverge(routine, unconverged):
            return "\(routine) did not converge (\(unconverged) values unconverged)"
        case let .illegalArgument(routine, position):
            return "\(routine) rejected argument \(position) (an internal error: please report it)"
        case let .allocationFailed(routine):
            return "\(routine) could not allocate its work memory"
        }
    }
}
