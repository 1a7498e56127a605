@testable import LinearAlgebra
import Testing

/// LAPACK's `info` codes that public entry points cannot provoke (they validate their input
/// first) are still mapped to typed errors, never a crash.
@Suite("LAPACK info codes")
struct LAPACKStatusTests {
    @Test("zero is success")
    func success() throws {
        try checkLAPACK(0, routine: "dgesdd", positive: .didNotConverge)
    }

    @Test("negative codes are illegal arguments, LAPACKE's -1010/-1011 are allocation failures")
    func negative() {
        #expect(throwsError(.illegalArgument(routine: "dgelsd", position: 4)) {
            try checkLAPACK(-4, routine: "dgelsd", positive: .didNotConverge)
        })
        #expect(throwsError(.allocationFailed(routine: "dgesdd")) {
            try checkLAPACK(-1010, routine: "dgesdd", positive: .didNotConverge)
        })
        #expect(throwsError(.allocationFailed(routine: "dsyevd")) {
            try checkLAPACK(-1011, routine: "dsyevd", positive: .didNotConverge)
        })
    }

    @Test("positive codes follow the routine's meaning")
    func positive() {
        #expect(throwsError(.didNotConverge(routine: "dgesdd", unconverged: 3)) {
            try checkLAPACK(3, routine: "dgesdd", positive: .didNotConverge)
        })
        #expect(throwsError(.notPositiveDefinite(minor: 2)) {
            try checkLAPACK(2, routine: "dpotrf", positive: .notPositiveDefinite)
        })
        #expect(throwsError(.singular(pivot: 4)) {
            try checkLAPACK(5, routine: "dgetrf", positive: .singular)
        })
    }

    @Test("every error describes itself with its operation")
    func descriptions() {
        let errors: [LinearAlgebraError] = [
            .dimensionMismatch(operation: "gemm", details: "x"), .notSquare(operation: "inverse", rows: 1, columns: 2),
            .notSymmetric(operation: "Cholesky", row: 0, column: 1), .nonFiniteValue(operation: "SVD", row: 1, column: 2),
            .invalidArgument(operation: "sample", reason: "r"), .notPositiveDefinite(minor: 2), .singular(pivot: 0),
            .didNotConverge(routine: "dgesdd", unconverged: 1), .illegalArgument(routine: "dgelsd", position: 3),
            .allocationFailed(routine: "dsyevd"),
        ]
        let descriptions = errors.map(\.description)
        #expect(Set(descriptions).count == errors.count)
        #expect(descriptions[3] == "SVD: non-finite value (NaN or infinity) at row 1, column 2")
        #expect(descriptions[5].contains("order 2"))
    }
}
