#!/usr/bin/env python3
"""Fits scikit-learn 1.9 and our estimators side by side on the same seeded synthetic data.

In one run it:
  1. writes the data sets once into Benchmarks/.data/ (make_regression 200,000 x 50;
     make_classification 100,000 x 40 and 50,000 x 20, seeded), features then target;
  2. builds the release executable estimator-timer (Benchmarks/Sources/EstimatorTimer);
  3. for each estimator, fits scikit-learn's (2 threads: threadpoolctl limits BLAS/OpenMP,
     n_jobs=2 where the estimator has it) and ours (2 threads) on the same file, and
     measures single-row prediction latency in-process (p50 of 2,000 calls);
  4. prints fit times, the ratio ours / scikit-learn's against the target, and PASS/FAIL.

Targets (issue 4): ratio <= 0.5 for LinearRegression, Ridge, LogisticRegression,
DecisionTreeClassifier and RandomForestClassifier (100 trees, max_depth 10); <= 1 for the
rest (GradientBoosting* against HistGradientBoosting*). Single-row prediction p50 <= 5 us
for linear models and <= 50 us for a 100-tree forest.

Run from the repository root, with scikit-learn in the repository's virtualenv:
    python3 -m venv .venv && .venv/bin/pip install scikit-learn==1.9.1 threadpoolctl
    .venv/bin/python Benchmarks/Scripts/compare_estimators_sklearn.py [--only NAME ...]
Exits 1 when a target is missed.
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np
from sklearn import datasets, ensemble, linear_model, naive_bayes, neighbors, tree
from benchmark_sets import write_sets
from threadpoolctl import threadpool_limits

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
DATA = os.path.join(PACKAGE, ".data")
TIMER = os.path.join(PACKAGE, ".build", "release", "estimator-timer")
THREADS = 2

# name, data set, task, our hyper-parameters, scikit-learn's estimator, target ratio, latency target (us)
FOREST = {"n_estimators": 100, "max_depth": 10, "random_state": 0}
CASES = [
    ("LinearRegression", "reg200k", "regression", {}, lambda: linear_model.LinearRegression(), 0.5, 5),
    ("Ridge", "reg200k", "regression", {"alpha": 1.0}, lambda: linear_model.Ridge(alpha=1.0), 0.5, 5),
    ("Lasso", "reg200k", "regression", {"alpha": 1.0}, lambda: linear_model.Lasso(alpha=1.0), 1.0, 5),
    ("ElasticNet", "reg200k", "regression", {"alpha": 1.0}, lambda: linear_model.ElasticNet(alpha=1.0), 1.0, 5),
    ("LogisticRegression", "clf100k", "classification", {}, lambda: linear_model.LogisticRegression(), 0.5, 5),
    ("GaussianNB", "clf100k", "classification", {}, lambda: naive_bayes.GaussianNB(), 1.0, None),
    ("DecisionTreeClassifier", "clf100k", "classification", {"random_state": 0},
     lambda: tree.DecisionTreeClassifier(random_state=0), 0.5, None),
    ("RandomForestClassifier", "clf100k", "classification", FOREST,
     lambda: ensemble.RandomForestClassifier(n_jobs=THREADS, **FOREST), 0.5, 50),
    ("DecisionTreeRegressor", "reg200k", "regression", {"random_state": 0, "max_depth": 10},
     lambda: tree.DecisionTreeRegressor(random_state=0, max_depth=10), 1.0, None),
    ("RandomForestRegressor", "reg200k", "regression", {"n_estimators": 20, "max_depth": 10, "random_state": 0},
     lambda: ensemble.RandomForestRegressor(n_estimators=20, max_depth=10, random_state=0, n_jobs=THREADS), 1.0, None),
    ("GradientBoostingClassifier", "clf50k", "classification", {"random_state": 0},
     lambda: ensemble.HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0), 1.0, None),
    ("GradientBoostingRegressor", "reg200k", "regression", {"random_state": 0},
     lambda: ensemble.HistGradientBoostingRegressor(max_iter=100, early_stopping=False, random_state=0), 1.0, None),
    ("KNeighborsClassifier", "clf50k", "classification", {}, lambda: neighbors.KNeighborsClassifier(n_jobs=THREADS), 1.0, None),
]


def write_data():
    sets = {
        "reg200k": lambda: datasets.make_regression(n_samples=200_000, n_features=50, noise=10.0, random_state=0),
        "clf100k": lambda: datasets.make_classification(n_samples=100_000, n_features=40, n_informative=20, random_state=0),
        "clf50k": lambda: datasets.make_classification(n_samples=50_000, n_features=20, n_informative=10, n_classes=3, random_state=0),
    }
    return write_sets(sets, DATA, fmt="%.10g")


def sklearn_timing(make, x, y):
    with threadpool_limits(limits=THREADS):
        model = make()
        started = time.perf_counter()
        model.fit(x, y)
        fit = time.perf_counter() - started
        latencies = []
        for i in range(300):
            row = x[i:i + 1]
            t0 = time.perf_counter()
            model.predict(row)
            latencies.append(time.perf_counter() - t0)
    return fit, float(np.median(latencies)) * 1e6


def encode(parameters):
    """Hyper-parameters as estimator-timer's `name=TYPE:VALUE,...` argument."""
    def item(name, value):
        if value is None:
            return f"{name}=n:"
        if isinstance(value, bool):
            return f"{name}=b:{'true' if value else 'false'}"
        if isinstance(value, int):
            return f"{name}=i:{value}"
        if isinstance(value, float):
            return f"{name}=d:{value!r}"
        return f"{name}=s:{value}"
    return ",".join(item(name, value) for name, value in parameters.items())


def ours(name, data, task, parameters):
    output = subprocess.run([TIMER, os.path.join(DATA, f"{data}.csv"), task, name, encode(parameters), str(THREADS)],
                            check=True, capture_output=True, text=True).stdout
    values = dict(item.split("=") for item in output.split())
    return float(values["fit_seconds"]), float(values["predict_one_p50_us"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", help="estimator names to run")
    arguments = parser.parse_args()
    arrays = write_data()
    subprocess.run(["swift", "build", "-c", "release", "--product", "estimator-timer"], cwd=PACKAGE, check=True,
                   stdout=subprocess.DEVNULL)
    failures = 0
    print(f"{'estimator':28} {'data':8} {'ours s':>8} {'sklearn s':>10} {'ratio':>6} {'target':>6}  "
          f"{'ours 1-row us':>13} {'sklearn 1-row us':>16}")
    for name, data, task, parameters, make, target, latency_target in CASES:
        if arguments.only and name not in arguments.only:
            continue
        x, y = arrays[data]
        try:
            our_fit, our_latency = ours(name, data, task, parameters)
        except subprocess.CalledProcessError as error:
            print(f"{name:28} {data:8} failed: {error.stderr.strip()}")
            failures += 1
            continue
        sk_fit, sk_latency = sklearn_timing(make, x, y)
        ratio = our_fit / sk_fit
        ok = ratio <= target and (latency_target is None or our_latency <= latency_target)
        failures += 0 if ok else 1
        print(f"{name:28} {data:8} {our_fit:8.3f} {sk_fit:10.3f} {ratio:6.2f} {target:6.2f}  "
              f"{our_latency:13.1f} {sk_latency:16.1f}  {'PASS' if ok else 'FAIL'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
