#ifndef C_BENCHMARK_BLAS_SHIM_H
#define C_BENCHMARK_BLAS_SHIM_H
// Raw CBLAS, for baselines that call OpenBLAS with no wrapper in between.
#include <cblas.h>
#endif
