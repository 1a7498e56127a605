internal import CLinearAlgebra

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
}
