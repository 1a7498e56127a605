#!/usr/bin/env python3
"""Predicts a large generated CSV with `mlpipe predict` and reports throughput and peak memory.

Issue 15, item 2 ("Streaming"): a 1 GB CSV predicted through the linear model with peak RSS
<= 250 MB at >= 100 MB/s, end to end (process start, reading, encoding, predicting, writing
the output, renaming it into place).

In one run it:
  1. fits scikit-learn's LinearRegression on make_regression(10,000 x 20, noise 10,
     random_state 0) — the linear model of compare_serving_mlflow.py — and, in a fresh
     temporary store, imports it as the standalone line `linear` and deploys it (the same
     helpers as that script);
  2. writes a CSV of about --size-mb megabytes (default 1024): a header `id,f0..f19`, then
     blocks of 50,000 generated rows (seeded; numbers as numpy prints them with 17
     significant digits, as pandas' to_csv would) repeated with fresh ids until the size is
     reached;
  3. runs `/usr/bin/time -v mlpipe predict --line linear --input big.csv --output out.csv
     --key id --store S --json` (a chunk is 65,536 rows by default), and reads the wall time
     and the maximum resident set size;
  4. checks the output: as many rows as the input, the first 1,000 predictions equal
     scikit-learn's within 1e-9 relative;
  5. prints MB/s (input bytes / wall seconds), rows/s, peak RSS, and PASS/FAIL against the
     targets; exits 1 on a miss.

Run from the repository root with scikit-learn and pandas in the virtualenv:
    .venv/bin/python Benchmarks/Scripts/batch_predict_large.py [--mlpipe PATH] [--size-mb 1024] [--keep]
Without --mlpipe it builds the release `mlpipe` first
(`swift build -c release --product mlpipe --scratch-path .build-benchserve`).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare_serving_mlflow as serving  # noqa: E402  (the model and the store helpers)

TARGET_MB_PER_SECOND = 100.0
TARGET_RSS_MB = 250.0
BLOCK_ROWS = 50_000


def write_csv(path, size_mb, seed=7):
    rng = np.random.default_rng(seed)
    block = rng.standard_normal((BLOCK_ROWS, serving.FEATURES))
    lines = [",".join(np.format_float_positional(v, precision=17, unique=True, trim="-") for v in row) for row in block]
    target = size_mb * 1024 * 1024
    written = 0
    rows = 0
    with open(path, "w") as f:
        header = "id," + ",".join(serving.FEATURE_NAMES) + "\n"
        f.write(header)
        written += len(header)
        while written < target:
            chunk = "".join(f"{rows + i},{line}\n" for i, line in enumerate(lines))
            f.write(chunk)
            written += len(chunk.encode())
            rows += BLOCK_ROWS
    return rows, block


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mlpipe", help="an existing mlpipe binary (default: build the release one)")
    parser.add_argument("--size-mb", type=int, default=1024, help="the input's size in MB (default 1024)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and print its path")
    arguments = parser.parse_args()
    mlpipe = os.path.abspath(arguments.mlpipe) if arguments.mlpipe else serving.build_mlpipe()

    directory = tempfile.mkdtemp(prefix="mlpipe-batch-")
    try:
        models = serving.fit_models("linear")
        model = models["linear"][0]
        store = os.path.join(directory, "store.sqlite")
        payload_file = os.path.join(directory, "linear.payload.json")
        import json
        with open(payload_file, "w") as f:
            json.dump(serving.linear_payload(model), f)
        features_file = os.path.join(directory, "features.txt")
        with open(features_file, "w") as f:
            f.write("\n".join(serving.FEATURE_NAMES) + "\n")
        imported = serving.mlpipe_json(mlpipe, store, "models", "import", payload_file, "--name", "linear",
                                       "--features", features_file, "--label", serving.LABEL)
        serving.deploy_line(mlpipe, store, "linear", imported["id"])

        big = os.path.join(directory, "big.csv")
        print(f"writing about {arguments.size_mb} MB of CSV ...", flush=True)
        rows, block = write_csv(big, arguments.size_mb)
        size = os.path.getsize(big)
        output = os.path.join(directory, "out.csv")
        command = ["/usr/bin/time", "-v", mlpipe, "predict", "--line", "linear", "--input", big, "--output", output,
                   "--key", "id", "--store", store, "--json"]
        print(f"predicting {rows:,} rows ({size / 1e6:,.0f} MB) ...", flush=True)
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"mlpipe predict failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-3000:]}")
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
        summary = json.loads(result.stdout)

        # The output: one row per input row; the first block's predictions equal scikit-learn's.
        import pandas as pd
        expected = model.predict(pd.DataFrame(block[:1000], columns=serving.FEATURE_NAMES))
        with open(output) as f:
            header = f.readline().strip()
            first = [float(f.readline().rsplit(",", 1)[1]) for _ in range(1000)]
        problems = []
        if header != "id,prediction":
            problems.append(f"output header {header!r}")
        if summary["predicted"] != rows or summary["rejected"] != 0:
            problems.append(f"summary {summary}, expected {rows} rows predicted")
        if not np.allclose(first, expected, rtol=1e-9, atol=1e-9):
            problems.append("the first 1,000 predictions differ from scikit-learn's")
        mb_per_second = size / 1e6 / wall
        rss_mb = rss_kb / 1024
        print()
        print(f"input {size / 1e6:,.0f} MB, {rows:,} rows x {serving.FEATURES} features; 2 cores")
        print(f"wall {wall:.2f} s (mlpipe's own batch time {summary['seconds']:.2f} s): {mb_per_second:,.0f} MB/s, "
              f"{rows / wall:,.0f} rows/s; peak RSS {rss_mb:,.0f} MB")
        ok = not problems and mb_per_second >= TARGET_MB_PER_SECOND and rss_mb <= TARGET_RSS_MB
        print(f"{'PASS' if ok else 'FAIL'}: {mb_per_second:,.0f} MB/s (target >= {TARGET_MB_PER_SECOND:.0f}), "
              f"peak RSS {rss_mb:,.0f} MB (target <= {TARGET_RSS_MB:.0f})")
        for problem in problems:
            print(problem)
        if not ok:
            sys.exit(1)
    finally:
        if arguments.keep:
            print(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
