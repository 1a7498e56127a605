internal import CLinearAlgebra
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension BLAS {
    /// The number of threads OpenBLAS uses for one call.
    ///
    /// OpenBLAS starts with one thread per core (or `OPENBLAS_NUM_THREADS`). Setting this
    /// changes it for the whole process; values below 1 are treated as 1. Results of the
    /// SDK do not depend on this setting beyond floating-point summation order.
    ///
    /// ```swift
    /// BLAS.threadCount = 1   // e.g. when the host runs many fits side by side
    /// ```
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(clamping: max(1, newValue))) }
    }

    /// OpenBLAS's build configuration and the CPU kernel it chose, e.g.
    /// `"OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64 (Haswell)"`.
    public static var configuration: String {
        let config = openblas_get_config().map { String(cString: $0) } ?? "unknown"
        let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        return "\(config) (\(core))"
    }

    /// The CPU kernel OpenBLAS chose (`"SkylakeX"`, `"Haswell"`, …; `"unknown"` when it
    /// does not say).
    public static var kernel: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// A warning when OpenBLAS runs its generic Prescott kernels, as an OpenBLAS older than
    /// the CPU does (Debian 12's 0.3.21 on CPUs released after it), and `OPENBLAS_CORETYPE`
    /// does not choose others; nil otherwise. The generic kernels are 2.5–3.5× slower in
    /// dgemm; setting `OPENBLAS_CORETYPE` before the process starts chooses the right ones.
    public static var genericKernelWarning: String? {
        guard kernel == "Prescott", getenv("OPENBLAS_CORETYPE") == nil else { return nil }
        return "OpenBLAS runs its generic Prescott kernels (this CPU is newer than it knows): "
            + "set OPENBLAS_CORETYPE=SkylakeX (AVX-512) or Haswell (AVX2) for numerics 2.5-3.5x faster"
    }
}
