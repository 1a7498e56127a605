#!/usr/bin/env python3
"""Checks issue 2's speed targets from one package-benchmark run of LinearAlgebraBenchmarks.

Targets:
  * BLAS.gemm (into a preallocated matrix) reaches >= 90% of the GFLOP/s of a direct
    cblas_dgemm call on the same 1024x1024 matrices;
  * LeastSquares.solve (automatic) on 200,000x50 takes <= 3x one direct cblas_dsyrk over
    the same data.

Run from the repository root:  python3 Benchmarks/Scripts/check_linear_algebra_targets.py
Prints the median wall-clock times, the ratios and PASS/FAIL; exits 1 when a target is missed.
Needs only the Python standard library (and swift on PATH).
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
GEMM_FLOP = 2 * 1024 ** 3


def run_suite():
    """Runs the four benchmarks once; returns each one's median wall-clock time in seconds."""
    out = tempfile.mkdtemp(prefix="la-bench-")
    command = [
        "swift", "package", "--disable-sandbox", "benchmark", "--target", "LinearAlgebraBenchmarks",
        "--filter", "gemm 1024x1024 (direct cblas_dgemm|BLAS.gemm into)|syrk 200000x50 direct cblas_dsyrk|least squares 200000x50 automatic",
        "--metric", "wallClock", "--time-units", "microseconds", "--format", "histogramPercentiles",
        "--path", out, "--no-progress",
    ]
    subprocess.run(command, cwd=PACKAGE, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = {}
    prefix = "Current_run.LinearAlgebraBenchmarks."
    for file_name in os.listdir(out):
        name = file_name[len(prefix):].split(".wallClock.")[0].replace("_", " ")
        with open(os.path.join(out, file_name)) as handle:
            rows = [line.split("\t") for line in handle.read().splitlines()[1:]]
        median = next(float(value) for percentile, value in rows if int(percentile) == 50)
        times[name] = median * 1e-6
    return times


def main():
    times = run_suite()
    direct = times["gemm 1024x1024 direct cblas dgemm"]
    ours = times["gemm 1024x1024 BLAS.gemm into"]
    syrk = times["syrk 200000x50 direct cblas dsyrk"]
    lstsq = times["least squares 200000x50 automatic"]
    gemm_share = (GEMM_FLOP / ours) / (GEMM_FLOP / direct)
    lstsq_ratio = lstsq / syrk
    print(f"gemm 1024x1024: direct {direct * 1e3:.1f} ms ({GEMM_FLOP / direct / 1e9:.1f} GFLOP/s), "
          f"BLAS.gemm {ours * 1e3:.1f} ms ({GEMM_FLOP / ours / 1e9:.1f} GFLOP/s): {gemm_share:.0%} of direct")
    print(f"least squares 200000x50: {lstsq * 1e3:.1f} ms, syrk {syrk * 1e3:.1f} ms: {lstsq_ratio:.2f}x syrk")
    ok = gemm_share >= 0.90 and lstsq_ratio <= 3.0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
