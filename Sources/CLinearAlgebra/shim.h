#ifndef C_LINEAR_ALGEBRA_SHIM_H
#define C_LINEAR_ALGEBRA_SHIM_H

// OpenBLAS's CBLAS interface (also declares openblas_set_num_threads and friends)
// and the reference LAPACKE C interface to LAPACK (served by OpenBLAS on Debian).
#include <cblas.h>
#include <lapacke.h>

#endif
