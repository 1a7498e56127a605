#!/usr/bin/env python3
"""Times `mlpipe watch --once` over a folder of files against `mlpipe predict` on the same rows.

Issue 15, item 5 (the folder consumer): what the watcher's bookkeeping costs a user — per
file, a SHA-256 of the content, three ledger writes in the store, a move — compared with
predicting the same rows as one batch. Both are timed end to end (process start to exit).

In one run it:
  1. copies Examples/BreastCancer into a temporary folder, trims the grid to one forest
     (max_depth 5, 20 trees) and runs `mlpipe run --spec spec.json` (trains and deploys it);
  2. writes --files CSV files of --rows rows each (the example's rows, ids made unique)
     and the same rows as one file;
  3. --runs times: copies the files into a fresh input folder and times
     `mlpipe watch --pipeline breast-cancer --input … --output … --settle 0 --once`
     (a fresh folder each time: the ledger would otherwise know the files, and move them
     to failed/ as duplicates without predicting them), then times `mlpipe predict` on the
     single file; both with /usr/bin/time for the peak RSS;
  4. prints each time, the medians and the ratio.

Run from the repository root:
    python3 Benchmarks/Scripts/watch_folder.py [--mlpipe PATH] [--files 30] [--rows 5000] [--runs 5]
Without --mlpipe it builds the release `mlpipe` first
(`swift build -c release --product mlpipe --scratch-path .build-benchserve`).
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

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def timed(command, cwd):
    """Runs `command` under /usr/bin/time -v; returns (wall seconds, peak RSS in MB)."""
    result = subprocess.run(["/usr/bin/time", "-v"] + command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    seconds = float(wall.group(1) or 0) * 3600 + float(wall.group(2)) * 60 + float(wall.group(3))
    return seconds, int(rss.group(1)) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mlpipe", help="the mlpipe binary (default: build the release one)")
    parser.add_argument("--files", type=int, default=30)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    mlpipe = args.mlpipe
    if not mlpipe:
        subprocess.run(["swift", "build", "-c", "release", "--product", "mlpipe", "--scratch-path", ".build-benchserve"],
                       cwd=ROOT, check=True)
        mlpipe = os.path.join(ROOT, ".build-benchserve/release/mlpipe")
    mlpipe = os.path.abspath(mlpipe)

    work = tempfile.mkdtemp(prefix="watch-folder-")
    try:
        example = os.path.join(work, "example")
        shutil.copytree(os.path.join(ROOT, "Examples/BreastCancer"), example)
        spec_path = os.path.join(example, "spec.json")
        with open(spec_path) as f:
            spec = json.load(f)
        spec["tuning"] = {"max_depth": [5], "n_estimators": [20], "random_state": 0}
        with open(spec_path, "w") as f:
            json.dump(spec, f)
        subprocess.run([mlpipe, "run", "--spec", "spec.json"], cwd=example, check=True, capture_output=True)

        with open(os.path.join(example, "data/breast_cancer.csv")) as f:
            lines = [line for line in f.read().split("\n") if line]
        header, body = lines[0], lines[1:]
        files = os.path.join(work, "files")
        os.makedirs(files)
        everything = [header]
        for file in range(args.files):
            rows = []
            for row in range(args.rows):
                fields = body[(row + file * 37) % len(body)].split(",")
                fields[0] = str(file * 1_000_000 + row)
                rows.append(",".join(fields))
            everything += rows
            with open(os.path.join(files, f"batch-{file:03d}.csv"), "w") as f:
                f.write("\n".join([header] + rows) + "\n")
        single = os.path.join(work, "all.csv")
        with open(single, "w") as f:
            f.write("\n".join(everything) + "\n")
        size_mb = os.path.getsize(single) / 1e6
        print(f"{args.files} files x {args.rows} rows ({size_mb:.1f} MB), RandomForestClassifier (20 trees)")

        watch, predict = [], []
        for run in range(args.runs):
            inbox = os.path.join(work, f"run-{run}", "inbox")
            shutil.copytree(files, inbox)
            seconds, rss = timed([mlpipe, "watch", "--pipeline", "breast-cancer", "--input", inbox,
                                  "--output", os.path.join(work, f"run-{run}", "outbox"), "--settle", "0", "--once"], example)
            processed = len(os.listdir(os.path.join(inbox, "processed")))
            if processed != args.files:
                sys.exit(f"run {run}: {processed} of {args.files} files processed")
            watch.append(seconds)
            print(f"  watch --once: {seconds:.2f} s, peak RSS {rss:.0f} MB")
            seconds, rss = timed([mlpipe, "predict", "--pipeline", "breast-cancer", "--input", single,
                                  "--output", os.path.join(work, f"run-{run}", "all.out.csv")], example)
            predict.append(seconds)
            print(f"  predict one file: {seconds:.2f} s, peak RSS {rss:.0f} MB")
        w, p = statistics.median(watch), statistics.median(predict)
        print(f"median: watch {w:.2f} s ({args.files / w:.0f} files/s, {size_mb / w:.0f} MB/s), "
              f"predict {p:.2f} s; watch / predict = {w / p:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
