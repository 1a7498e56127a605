/// How a LAPACK routine's positive `info` code is to be read; negative codes always mean an
/// illegal argument (or, below -1000, a LAPACKE allocation failure).
enum LAPACKFailure: Sendable {
    /// `info = k > 0`: the leading minor of order k is not positive definite (potrf).
    case notPositiveDefinite
    /// `info = i > 0`: `U(i,i)` is exactly zero (getrf, getri).
    case singular
    /// `info = k > 0`: k values failed to converge (gelsd, gesdd, syevd).
    case didNotConverge
}

/// LAPACKE's own error codes for failed allocations (`LAPACK_WORK_MEMORY_ERROR`,
/// `LAPACK_TRANSPOSE_MEMORY_ERROR`).
private let lapackeWorkMemoryError: Int32 = -1010
private let lapackeTransposeMemoryError: Int32 = -1011

/// Maps a LAPACK/LAPACKE `info` code to ``LinearAlgebraError``; returns normally when
/// `info == 0`.
func checkLAPACK(
    _ info: Int32, routine: String, positive: LAPACKFailure
) throws(LinearAlgebraError) {
    if info == 0 { return }
    if info == lapackeWorkMemoryError || info == lapackeTransposeMemoryError {
        throw .allocationFailed(routine: routine)
    }
    if info < 0 {
        throw .illegalArgument(routine: routine, position: Int(-info))
    }
    switch positive {
    case .notPositiveDefinite: throw .notPositiveDefinite(minor: Int(info))
    case .singular: throw .singular(pivot: Int(info) - 1)
    case .didNotConverge: throw .didNotConverge(routine: routine, unconverged: Int(info))
    }
}
