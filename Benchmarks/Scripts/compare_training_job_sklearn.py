#!/usr/bin/env python3
"""Times a whole `mlpipe` training job side by side with scikit-learn's load + fit + save.

Issue 13 ("runs that cost little more than the fit"): a training run of ours, which reads
the stored datasets, fits, scores and saves the model, should cost no more than half of
what scikit-learn takes to load the same matrix, fit it and pickle the model; and its peak
memory should stay near the training matrix.

In one run it:
  1. writes the data sets with compare_estimators_sklearn.py's seeded generation
     (make_regression 200,000 x 50; make_classification 100,000 x 40 and the 3-class
     50,000 x 20) into Benchmarks/.data/: the CSV with a header (features f0..., then
     `target`) that file writes for us, and X/y as .npy for scikit-learn; plus a 20-row
     testing CSV per set (same generator, another seed), so that our training set holds
     every row of the CSV (no split) — the rows scikit-learn fits on;
  2. builds the release `mlpipe` (scratch path .build-benchcli, so it does not contend with
     other builds of the repository), unless --mlpipe names a binary;
  3. for each case, in a fresh temporary store: writes a JSON spec (validation none, the
     hyper-parameters of compare_estimators_sklearn.py, training threads 2), runs
     `mlpipe run --store S --spec F --jobs dataset` once (setup), then
     `mlpipe run --store S --spec F --jobs training --json` --runs times, each under
     `/usr/bin/time -v` (each run saves one more model; that is fine). It takes the
     training job's `seconds` from the JSON `jobs` array, the process wall time, and the
     peak RSS ("Maximum resident set size"). When the job objects carry a `phases` array of
     {"phase", "seconds"}, the phases of the median run are printed too;
  4. for scikit-learn, one fresh Python process per run (so imports count in the process
     wall time, as the mlpipe process's start does for ours), under threadpoolctl limits of
     2 threads (n_jobs=2 for the forest): np.load of X and y, fit, pickle.dumps of the model
     written to a file; the process wall time and peak RSS are recorded too;
  5. prints a table and PASS/FAIL.

Targets (issue 13), checked for LinearRegression, Ridge (alpha 1.0) on reg 200k x 50 and
LogisticRegression, DecisionTreeClassifier (random_state 0), RandomForestClassifier
(100 trees, max_depth 10, random_state 0) on clf 100k x 40:
  - ours training job (median) / scikit-learn load + fit + pickle (median) <= 0.5;
  - our process's peak RSS (largest of the runs) <= 2 x the training matrix
    (rows x features x 8 bytes) + 60 MB (MB = 10^6 bytes).
The 3-class clf 50k x 20 rows (LogisticRegression, DecisionTreeClassifier) are reported
with the same columns but do not count toward the exit status.

Run from the repository root, with scikit-learn in the repository's virtualenv:
    python3 -m venv .venv && .venv/bin/pip install scikit-learn==1.9.1 threadpoolctl
    .venv/bin/python Benchmarks/Scripts/compare_training_job_sklearn.py [--only NAME ...] [--runs N] [--mlpipe PATH]
--only takes estimator names (LinearRegression) or case names (LogisticRegression/clf50k).
Exits 1 when a target is missed (or a run fails).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
ROOT = os.path.dirname(PACKAGE)
DATA = os.path.join(PACKAGE, ".data")
SCRATCH = os.path.join(ROOT, ".build-benchcli")
THREADS = 2
TARGET_RATIO = 0.5
RSS_SLACK_MB = 60.0

sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
import compare_estimators_sklearn as estimators  # noqa: E402  (the same seeded data sets)

FOREST = {"n_estimators": 100, "max_depth": 10, "random_state": 0}
# case name, our estimator, data set, our hyper-parameters, scikit-learn's estimator (as
# source evaluated in the worker process), counted toward the exit status
CASES = [
    ("LinearRegression", "LinearRegression", "reg200k", {}, "linear_model.LinearRegression()", True),
    ("Ridge", "Ridge", "reg200k", {"alpha": 1.0}, "linear_model.Ridge(alpha=1.0)", True),
    ("LogisticRegression", "LogisticRegression", "clf100k", {}, "linear_model.LogisticRegression()", True),
    ("DecisionTreeClassifier", "DecisionTreeClassifier", "clf100k", {"random_state": 0},
     "tree.DecisionTreeClassifier(random_state=0)", True),
    ("RandomForestClassifier", "RandomForestClassifier", "clf100k", FOREST,
     f"ensemble.RandomForestClassifier(n_jobs={THREADS}, n_estimators=100, max_depth=10, random_state=0)", True),
    ("LogisticRegression/clf50k", "LogisticRegression", "clf50k", {}, "linear_model.LogisticRegression()", False),
    ("DecisionTreeClassifier/clf50k", "DecisionTreeClassifier", "clf50k", {"random_state": 0},
     "tree.DecisionTreeClassifier(random_state=0)", False),
]

# The same generators as compare_estimators_sklearn.write_data, for the 20 testing rows.
TESTING_SETS = {
    "reg200k": lambda: estimators.datasets.make_regression(n_samples=20, n_features=50, noise=10.0, random_state=1),
    "clf100k": lambda: estimators.datasets.make_classification(n_samples=20, n_features=40, n_informative=20, random_state=1),
    "clf50k": lambda: estimators.datasets.make_classification(n_samples=20, n_features=20, n_informative=10, n_classes=3,
                                                              random_state=1),
}

# Runs in a fresh interpreter: load, fit, pickle; prints one JSON object.
WORKER = r"""
import json, pickle, sys, time
started = time.perf_counter()
import numpy as np
from sklearn import ensemble, linear_model, tree
from threadpoolctl import threadpool_limits
x_path, y_path, make, output, threads = sys.argv[1:6]
imported = time.perf_counter()
with threadpool_limits(limits=int(threads)):
    t0 = time.perf_counter()
    x = np.load(x_path)
    y = np.load(y_path)
    t1 = time.perf_counter()
    model = eval(make)
    model.fit(x, y)
    t2 = time.perf_counter()
    with open(output, "wb") as f:
        f.write(pickle.dumps(model))
    t3 = time.perf_counter()
print(json.dumps({"import": imported - started, "load": t1 - t0, "fit": t2 - t1, "pickle": t3 - t2, "total": t3 - t0,
                  "score": float(model.score(x, y))}))
"""


def write_data():
    """The CSV files (ours) and .npy files (scikit-learn's) of every set, written once."""
    arrays = estimators.write_data()  # Benchmarks/.data/{reg200k,clf100k,clf50k}.csv, with a header
    for name, (x, y) in arrays.items():
        for suffix, array in (("X", x), ("y", y)):
            path = os.path.join(DATA, f"{name}_{suffix}.npy")
            if not os.path.exists(path):
                np.save(path + ".partial.npy", array)
                os.replace(path + ".partial.npy", path)
        testing = os.path.join(DATA, f"{name}_testing20.csv")
        if not os.path.exists(testing):
            tx, ty = TESTING_SETS[name]()
            header = ",".join([f"f{i}" for i in range(tx.shape[1])] + ["target"])
            np.savetxt(testing + ".partial", np.column_stack([tx, ty]), delimiter=",", header=header, comments="",
                       fmt="%.10g")
            os.replace(testing + ".partial", testing)
    return {name: x.shape for name, (x, _) in arrays.items()}


def build_mlpipe():
    command = ["swift", "build", "-c", "release", "--product", "mlpipe", "--scratch-path", SCRATCH]
    print("building:", " ".join(command), file=sys.stderr)
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(command + ["--show-bin-path"], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout.strip()
    return os.path.join(bin_path, "mlpipe")


def max_rss_mb(time_output):
    """Maximum resident set size from `/usr/bin/time -v` (KiB), in MB (10^6 bytes)."""
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_output)
    return int(match.group(1)) * 1024 / 1e6 if match else float("nan")


def timed(command, **kwargs):
    """Runs `command` under /usr/bin/time -v: (completed process, wall seconds, peak RSS MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        completed = subprocess.run(["/usr/bin/time", "-v", "-o", report.name] + command, capture_output=True, text=True,
                                   **kwargs)
        wall = time.perf_counter() - started
        rss = max_rss_mb(report.read())
    return completed, wall, rss


def write_spec(directory, case, estimator, data, parameters):
    spec = {
        "repository": "bench",
        "pipeline": case.replace("/", "-"),
        "dataset": {
            "training": os.path.join(DATA, f"{data}.csv"),
            "testing": os.path.join(DATA, f"{data}_testing20.csv"),
            "label": "target",
        },
        "training": {"estimator": estimator, "validation": {"type": "none"}},
        "tuning": parameters,
        "preferences": {"threads": {"training": THREADS}},
    }
    path = os.path.join(directory, "spec.json")
    with open(path, "w") as f:
        json.dump(spec, f, indent=2)
    return path


def mlpipe_run(mlpipe, store, spec, jobs):
    command = [mlpipe, "run", "--store", store, "--spec", spec, "--jobs", jobs, "--json"]
    completed, wall, rss = timed(command)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {completed.returncode}: {completed.stderr.strip()}")
    output = json.loads(completed.stdout)
    job_name = {"dataset": "datasetGeneration", "training": "training"}[jobs]
    job = next(j for j in output["jobs"] if j["job"] == job_name)
    if job["status"] != "succeeded":
        raise RuntimeError(f"{job_name} job {job['status']}: {job.get('error')}")
    return {"seconds": job["seconds"], "wall": wall, "rss": rss, "phases": job.get("phases"), "summary": job.get("summary")}


def ours(mlpipe, directory, case, estimator, data, parameters, runs):
    spec = write_spec(directory, case, estimator, data, parameters)
    store = os.path.join(directory, "store.sqlite")
    setup = mlpipe_run(mlpipe, store, spec, "dataset")
    print(f"{case}: setup `--jobs dataset`: job {setup['seconds']:.3f} s, process {setup['wall']:.3f} s, "
          f"peak RSS {setup['rss']:.0f} MB", flush=True)
    return setup, [mlpipe_run(mlpipe, store, spec, "training") for _ in range(runs)]


def sklearn(directory, data, make, runs):
    results = []
    for index in range(runs):
        output = os.path.join(directory, f"sklearn-{index}.pickle")
        command = [sys.executable, "-c", WORKER, os.path.join(DATA, f"{data}_X.npy"), os.path.join(DATA, f"{data}_y.npy"),
                   make, output, str(THREADS)]
        completed, wall, rss = timed(command)
        if completed.returncode != 0:
            raise RuntimeError(f"scikit-learn worker exited {completed.returncode}: {completed.stderr.strip()}")
        result = json.loads(completed.stdout)
        result.update({"wall": wall, "rss": rss})
        results.append(result)
    return results


def median_run(runs, key):
    """The run whose `key` is the median (the lower middle for an even count)."""
    ordered = sorted(runs, key=lambda run: run[key])
    return ordered[(len(ordered) - 1) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="estimator or case names to run")
    parser.add_argument("--runs", type=int, default=3, help="training runs per case, for each side (default 3)")
    parser.add_argument("--mlpipe", help="an existing mlpipe binary (default: build the release one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary stores and specs")
    arguments = parser.parse_args()

    cases = [case for case in CASES if not arguments.only or case[0] in arguments.only or case[1] in arguments.only]
    if not cases:
        parser.error("--only matches no case; cases: " + ", ".join(case[0] for case in CASES))
    shapes = write_data()
    mlpipe = arguments.mlpipe or build_mlpipe()
    commit = subprocess.run(["git", "-C", ROOT, "log", "--oneline", "-1"], capture_output=True, text=True).stdout.strip()
    print(f"mlpipe: {mlpipe}" + (" (given with --mlpipe: it may be built from another tree)" if arguments.mlpipe else ""))
    print(f"repository HEAD: {commit}\nruns per case: {arguments.runs}; {THREADS} threads\n", flush=True)

    work = tempfile.mkdtemp(prefix="mlpipe-training-job-")
    rows = []
    failures = 0
    try:
        for case, estimator, data, parameters, make, counted in cases:
            directory = os.path.join(work, case.replace("/", "-"))
            os.makedirs(directory)
            try:
                setup, our_runs = ours(mlpipe, directory, case, estimator, data, parameters, arguments.runs)
                sk_runs = sklearn(directory, data, make, arguments.runs)
            except (RuntimeError, subprocess.CalledProcessError) as error:
                print(f"{case}: failed: {error}", flush=True)
                failures += 1
                continue
            n, p = shapes[data]
            matrix_mb = n * p * 8 / 1e6
            rss_limit = 2 * matrix_mb + RSS_SLACK_MB
            our_job = statistics.median(run["seconds"] for run in our_runs)
            our_wall = statistics.median(run["wall"] for run in our_runs)
            our_rss = max(run["rss"] for run in our_runs)
            sk_total = statistics.median(run["total"] for run in sk_runs)
            sk_wall = statistics.median(run["wall"] for run in sk_runs)
            sk_rss = max(run["rss"] for run in sk_runs)
            ratio = our_job / sk_total
            time_ok = ratio <= TARGET_RATIO
            rss_ok = our_rss <= rss_limit
            if counted and not (time_ok and rss_ok):
                failures += 1
            rows.append((case, data, n, p, setup, our_runs, sk_runs, our_job, our_wall, our_rss, sk_total, sk_wall, sk_rss, ratio,
                         time_ok, matrix_mb, rss_limit, rss_ok, counted))
    finally:
        if arguments.keep:
            print(f"(kept {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)

    def verdict(ok, counted):
        return ("PASS" if ok else "FAIL") if counted else ("pass" if ok else "miss") + " (report only)"

    print(f"\n{'case':30} {'data':8} {'ours job s':>10} {'ours wall s':>11} {'sklearn l+f+p s':>15} {'sklearn wall s':>14} "
          f"{'ratio':>6} {'target':>6}  {'time':18} {'ours RSS MB':>11} {'matrix MB':>9} {'RSS limit MB':>12}  {'memory':18} "
          f"{'sklearn RSS MB':>14}")
    for (case, data, n, p, _setup, our_runs, sk_runs, our_job, our_wall, our_rss, sk_total, sk_wall, sk_rss, ratio, time_ok,
         matrix_mb, rss_limit, rss_ok, counted) in rows:
        print(f"{case:30} {data:8} {our_job:10.3f} {our_wall:11.3f} {sk_total:15.3f} {sk_wall:14.3f} {ratio:6.2f} "
              f"{TARGET_RATIO:6.2f}  {verdict(time_ok, counted):18} {our_rss:11.0f} {matrix_mb:9.0f} {rss_limit:12.0f}  "
              f"{verdict(rss_ok, counted):18} {sk_rss:14.0f}")

    print("\nEvery run (ours: training job s / process wall s / peak RSS MB; scikit-learn: load + fit + pickle s "
          "= load, fit, pickle / process wall s / peak RSS MB):")
    for (case, data, n, p, setup, our_runs, sk_runs, *_rest) in rows:
        print(f"  {case} ({data}, {n} x {p}):")
        print(f"    ours, setup `--jobs dataset`: {setup['seconds']:.3f} / {setup['wall']:.3f} / {setup['rss']:.0f}")
        print("    ours:    " + "; ".join(f"{r['seconds']:.3f} / {r['wall']:.3f} / {r['rss']:.0f}" for r in our_runs))
        print("    sklearn: " + "; ".join(f"{r['total']:.3f} = {r['load']:.3f} + {r['fit']:.3f} + {r['pickle']:.3f} / "
                                         f"{r['wall']:.3f} / {r['rss']:.0f}" for r in sk_runs))
        median = median_run(our_runs, "seconds")
        if median.get("phases"):
            phases = ", ".join(f"{phase['phase']} {phase['seconds']:.3f} s" for phase in median["phases"])
            print(f"    phases of our median run ({median['seconds']:.3f} s): {phases}")
        else:
            print("    (no phases in the job objects)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
