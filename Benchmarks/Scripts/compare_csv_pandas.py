#!/usr/bin/env python3
"""Puts Tabular's CSV.read side by side with pandas.read_csv on the issue 3 fixtures.

In one run it:
  1. installs Debian's `time` package when /usr/bin/time is missing (apt-get, as root);
  2. creates the virtualenv Benchmarks/.venv with pandas from PyPI when it is missing;
  3. generates Benchmarks/.data/*.csv (generate_csv_fixtures.py) when a file is missing;
  4. builds the release executable csv-read-timer (Benchmarks/Sources/CSVReadTimer);
  5. on each file, with the page cache warm, times our reader (one read per process,
     --runs processes, each under /usr/bin/time -v for the peak RSS) and pandas.read_csv
     (--runs reads in one process, then one more process with a single read under
     /usr/bin/time -v for the peak RSS, next to the RSS of a process that only imports pandas);
  6. prints a compact summary and PASS/FAIL for the targets on the numeric file:
       * ours >= 150 MB/s;
       * ours at least as fast as pandas (median read time);
       * our peak RSS <= 2x the parsed table's size (rows x columns x 8 bytes).
     The numbers are printed whether or not a target is met.

MB is 10^6 bytes; MB/s is the file size over the median read time. Read times exclude
process start-up (and, for pandas, `import pandas`); peak RSS is for the whole process.

Run from the repository root:
    python3 Benchmarks/Scripts/compare_csv_pandas.py [--runs 3] [--numeric-only]
Exits 0 when every target is met, 1 otherwise. The orchestration needs only the Python
standard library, swift on PATH and network access to PyPI for the first run.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)  # Benchmarks/
DATA = os.path.join(PACKAGE, ".data")
VENV = os.path.join(PACKAGE, ".venv")
VENV_PYTHON = os.path.join(VENV, "bin", "python")
TIME = "/usr/bin/time"
NUMERIC = os.path.join(DATA, "numeric_200000x51.csv")
MIXED = os.path.join(DATA, "mixed_200000.csv")

TARGET_MB_PER_S = 150.0
TARGET_RSS_RATIO = 2.0

# Runs inside the virtualenv: times pandas.read_csv `runs` times, prints JSON.
PANDAS_TIMING = r"""
import json, sys, time
import pandas
path, runs = sys.argv[1], int(sys.argv[2])
seconds = []
for _ in range(runs):
    started = time.perf_counter()
    frame = pandas.read_csv(path)
    seconds.append(time.perf_counter() - started)
print(json.dumps({"seconds": seconds, "rows": int(frame.shape[0]), "columns": int(frame.shape[1]),
                  "memory": int(frame.memory_usage(deep=True).sum()), "version": pandas.__version__}))
"""
PANDAS_ONE_READ = "import sys, pandas; frame = pandas.read_csv(sys.argv[1])"
PANDAS_IMPORT_ONLY = "import pandas"


def log(message):
    print(message, file=sys.stderr, flush=True)


def ensure_time():
    if os.path.exists(TIME):
        return
    log("/usr/bin/time is missing: installing Debian's `time` package")
    subprocess.run(["apt-get", "update"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "time"], check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def ensure_venv():
    if os.path.exists(VENV_PYTHON):
        has_pandas = subprocess.run([VENV_PYTHON, "-c", "import pandas"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL).returncode == 0
        if has_pandas:
            return
    else:
        log(f"creating the virtualenv {VENV}")
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    log("installing pandas into the virtualenv")
    subprocess.run([VENV_PYTHON, "-m", "pip", "install", "--quiet", "pandas"], check=True)


def ensure_data():
    if os.path.exists(NUMERIC) and os.path.exists(MIXED):
        return
    log("generating the CSV fixtures")
    subprocess.run([sys.executable, os.path.join(HERE, "generate_csv_fixtures.py"), DATA], check=True,
                   stdout=sys.stderr)


def build_timer():
    log("building csv-read-timer (release)")
    subprocess.run(["swift", "build", "-c", "release", "--product", "csv-read-timer"], cwd=PACKAGE, check=True,
                   stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=PACKAGE, check=True,
                              capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_path, "csv-read-timer")


def warm(path):
    """Reads the file once so that every measurement starts with it in the page cache."""
    with open(path, "rb") as handle:
        while handle.read(16 << 20):
            pass


def timed(command):
    """Runs `command` under /usr/bin/time -v; returns (stdout, peak RSS in bytes)."""
    result = subprocess.run([TIME, "-v"] + command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    for line in result.stderr.splitlines():
        if "Maximum resident set size" in line:
            return result.stdout, int(line.rsplit(":", 1)[1]) * 1024
    raise SystemExit(f"no 'Maximum resident set size' in the output of {TIME} -v")


def measure_ours(timer, path, runs):
    seconds, rss = [], []
    fields = {}
    for _ in range(runs):
        out, peak = timed([timer, path])
        fields = dict(pair.split("=", 1) for pair in out.split())
        seconds.append(float(fields["seconds"]))
        rss.append(peak)
    return {"seconds": seconds, "rss": max(rss), "rows": int(fields["rows"]), "columns": int(fields["columns"]),
            "memory": int(fields["table_bytes"])}


def measure_pandas(path, runs):
    out, _ = timed([VENV_PYTHON, "-c", PANDAS_TIMING, path, str(runs)])
    result = json.loads(out)
    _, result["rss"] = timed([VENV_PYTHON, "-c", PANDAS_ONE_READ, path])
    _, result["import_rss"] = timed([VENV_PYTHON, "-c", PANDAS_IMPORT_ONLY])
    return result


def mb(n):
    return n / 1e6


def report(path, ours, pandas):
    size = os.path.getsize(path)
    name = os.path.basename(path)
    print(f"\n{name}: {mb(size):.1f} MB, {ours['rows']:,} rows x {ours['columns']} columns "
          f"(pandas {pandas['version']}: {pandas['rows']:,} x {pandas['columns']})")
    print(f"  {'':8} {'best s':>8} {'median s':>9} {'MB/s':>7} {'peak RSS MB':>12} {'table MB':>9}")
    for label, m in (("ours", ours), ("pandas", pandas)):
        median = statistics.median(m["seconds"])
        print(f"  {label:8} {min(m['seconds']):8.3f} {median:9.3f} {mb(size) / median:7.1f} "
              f"{mb(m['rss']):12.1f} {mb(m['memory']):9.1f}")
    print(f"  (pandas after `import pandas` alone: {mb(pandas['import_rss']):.1f} MB peak RSS; "
          f"table MB: ours estimated from the column arrays, pandas memory_usage(deep=True))")


def check_targets(ours, pandas):
    size = os.path.getsize(NUMERIC)
    ours_median = statistics.median(ours["seconds"])
    pandas_median = statistics.median(pandas["seconds"])
    ours_rate = mb(size) / ours_median
    pandas_rate = mb(size) / pandas_median
    table = ours["rows"] * ours["columns"] * 8
    ratio = ours["rss"] / table
    checks = [
        (f"ours >= {TARGET_MB_PER_S:.0f} MB/s on the numeric file", ours_rate >= TARGET_MB_PER_S,
         f"{ours_rate:.1f} MB/s"),
        ("ours at least as fast as pandas on the numeric file", ours_median <= pandas_median,
         f"ours {ours_rate:.1f} MB/s vs pandas {pandas_rate:.1f} MB/s: ours takes "
         f"{ours_median / pandas_median:.2f}x pandas' time"),
        (f"our peak RSS <= {TARGET_RSS_RATIO:.0f}x the table (rows x columns x 8 B)", ratio <= TARGET_RSS_RATIO,
         f"{mb(ours['rss']):.1f} MB vs {mb(table):.1f} MB: {ratio:.2f}x "
         f"(pandas {mb(pandas['rss']):.1f} MB: {pandas['rss'] / table:.2f}x)"),
    ]
    print("\nTargets (numeric file, median of the runs):")
    for label, ok, numbers in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}: {numbers}")
    return all(ok for _, ok, _ in checks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed reads per reader and file (default 3)")
    parser.add_argument("--numeric-only", action="store_true", help="skip the mixed-type file")
    args = parser.parse_args()
    if shutil.which("swift") is None:
        raise SystemExit("swift is not on PATH")

    ensure_time()
    ensure_venv()
    ensure_data()
    timer = build_timer()

    results = {}
    for path in [NUMERIC] if args.numeric_only else [NUMERIC, MIXED]:
        log(f"measuring {os.path.basename(path)}")
        warm(path)
        results[path] = (measure_ours(timer, path, args.runs), measure_pandas(path, args.runs))
        report(path, *results[path])
    ok = check_targets(*results[NUMERIC])
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
