#!/usr/bin/env python3
"""Fits scikit-learn 1.9's MLPClassifier and ours side by side on the same data.

In one run it:
  1. writes the data sets once into Benchmarks/.data/: digits (sklearn.datasets.load_digits,
     1,797 x 64, pixels / 16) and make_classification 50,000 x 100 (20 informative
     features, two classes, random_state=0), features then target;
  2. builds the release executable estimator-timer (Benchmarks/Sources/EstimatorTimer);
  3. for each case, alternately fits scikit-learn's (2 threads: threadpoolctl limits its
     BLAS) and ours (2 threads: estimator-timer sets BLAS.threadCount) on the same file,
     `--runs` times each, and prints the median fit times, their ratio (ours / scikit-learn's)
     against the target 0.5, the epochs each ran, the time per epoch, and our fit CPU time.

Both run the same number of epochs: n_iter_no_change = max_iter switches the early stop
off, so the epochs compared are equal (scikit-learn stops digits at 200 anyway).

Both run on the same OpenBLAS kernels: our process gets OPENBLAS_CORETYPE set to the kernels
numpy's own OpenBLAS chose (threadpoolctl's "architecture"), because the system's OpenBLAS
0.3.21 takes CPUs newer than it (Sapphire Rapids) for a Prescott and runs SSE3 kernels
there; `--coretype detected` leaves its choice.

Run from the repository root, with scikit-learn in the repository's virtualenv:
    python3 -m venv .venv && .venv/bin/pip install scikit-learn==1.9.1 threadpoolctl
    .venv/bin/python Benchmarks/Scripts/compare_mlp_sklearn.py [--runs 3] [--only digits clf50k] [--scratch-path DIR] [--coretype numpy|detected|NAME]
Exits 1 when the target is missed.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
import warnings

from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from benchmark_sets import write_sets
from threadpoolctl import threadpool_info, threadpool_limits

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
DATA = os.path.join(PACKAGE, ".data")
THREADS = 2
TARGET = 0.5

# name, data set, hyper-parameters (ours and scikit-learn's)
CASES = [
    ("digits", "digits", {"random_state": 0, "max_iter": 200, "n_iter_no_change": 200}),
    ("clf50k", "clf50k100", {"random_state": 0, "max_iter": 10, "n_iter_no_change": 10}),
]


def write_data():
    digits = datasets.load_digits()
    sets = {
        "digits": lambda: (digits.data / 16.0, digits.target),
        "clf50k100": lambda: datasets.make_classification(n_samples=50_000, n_features=100, n_informative=20,
                                                          random_state=0),
    }
    return write_sets(sets, DATA, fmt="%.17g")


def sklearn_fit(x, y, parameters):
    with threadpool_limits(limits=THREADS), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(**parameters)
        started = time.perf_counter()
        model.fit(x, y)
        return time.perf_counter() - started, model.n_iter_


def encode(parameters):
    """Hyper-parameters as estimator-timer's `name=TYPE:VALUE,...` argument."""
    return ",".join(f"{name}=i:{value}" if isinstance(value, int) else f"{name}=d:{value!r}"
                    for name, value in parameters.items())


def ours_fit(timer, data, parameters, environment):
    output = subprocess.run([timer, os.path.join(DATA, f"{data}.csv"), "classification", "MLPClassifier",
                             encode(parameters), str(THREADS)], check=True, capture_output=True, text=True,
                            env=environment).stdout
    values = dict(item.split("=") for item in output.split())
    return float(values["fit_seconds"]), float(values["fit_cpu_seconds"]), int(values["iterations"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="fits of each, alternating; medians are compared")
    parser.add_argument("--only", nargs="*", help="case names to run (digits, clf50k)")
    parser.add_argument("--scratch-path", default=os.path.join(PACKAGE, ".build"), help="SwiftPM's build folder")
    parser.add_argument("--coretype", default="numpy",
                        help="OPENBLAS_CORETYPE for our process: 'numpy' (the kernels numpy's OpenBLAS chose), "
                             "'detected' (leave OpenBLAS's own choice), or a name such as SkylakeX; "
                             "an OPENBLAS_CORETYPE already set wins")
    arguments = parser.parse_args()
    arrays = write_data()
    subprocess.run(["swift", "build", "-c", "release", "--product", "estimator-timer", "--scratch-path", arguments.scratch_path],
                   cwd=PACKAGE, check=True, stdout=subprocess.DEVNULL)
    timer = os.path.join(arguments.scratch_path, "release", "estimator-timer")
    # Both sides on the same OpenBLAS kernels: Debian's OpenBLAS 0.3.21 takes some CPUs it
    # does not know (Sapphire Rapids) for a Prescott, numpy's newer one picks SkylakeX there.
    environment = dict(os.environ)
    numpy_kernel = next((info.get("architecture") for info in threadpool_info() if info.get("internal_api") == "openblas"), None)
    if arguments.coretype != "detected" and "OPENBLAS_CORETYPE" not in environment:
        kernel = numpy_kernel if arguments.coretype == "numpy" else arguments.coretype
        if kernel:
            environment["OPENBLAS_CORETYPE"] = kernel
    print(f"OpenBLAS kernels: ours {environment.get('OPENBLAS_CORETYPE', 'as detected')}, scikit-learn's numpy {numpy_kernel}")
    failures = 0
    print(f"{'case':8} {'rows x cols':>12} {'epochs':>13} {'ours s':>8} {'ours cpu s':>10} {'sklearn s':>10} "
          f"{'ratio':>6} {'target':>6} {'ms/epoch ours / sklearn':>24}")
    for name, data, parameters in CASES:
        if arguments.only and name not in arguments.only:
            continue
        x, y = arrays[data]
        ours, cpu, theirs = [], [], []
        for _ in range(arguments.runs):
            seconds, cpu_seconds, our_epochs = ours_fit(timer, data, parameters, environment)
            ours.append(seconds)
            cpu.append(cpu_seconds)
            seconds, their_epochs = sklearn_fit(x, y, parameters)
            theirs.append(seconds)
        ratio = statistics.median(ours) / statistics.median(theirs)
        ok = ratio <= TARGET
        failures += 0 if ok else 1
        per_epoch = (1000 * statistics.median(ours) / our_epochs, 1000 * statistics.median(theirs) / their_epochs)
        print(f"{name:8} {x.shape[0]:>6} x {x.shape[1]:<4} {our_epochs:>5} / {their_epochs:<5} {statistics.median(ours):8.3f} "
              f"{statistics.median(cpu):10.3f} {statistics.median(theirs):10.3f} {ratio:6.2f} {TARGET:6.2f} "
              f"{per_epoch[0]:11.2f} / {per_epoch[1]:<10.2f} {'PASS' if ok else 'FAIL'}   "
              f"(ours {', '.join(f'{v:.3f}' for v in ours)}; scikit-learn {', '.join(f'{v:.3f}' for v in theirs)})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
