#!/usr/bin/env python3
"""Writes the CSV fixtures that the Tabular benchmarks read (issue 3).

Files, both seeded and byte-for-byte deterministic for a given seed:
  * numeric_200000x51.csv: header f0..f49,target; 200,000 rows of 51 numeric columns with
    fixed decimals (at most 11 significant digits), about 130 MB;
  * mixed_200000.csv: 200,000 rows of an integer id, four numeric columns with about 2%
    empty (missing) fields, three categorical columns (one with quoted values holding
    commas), a boolean column (true/false) and a date-like string column, about 14 MB.

Run from the repository root:
    python3 Benchmarks/Scripts/generate_csv_fixtures.py            # into Benchmarks/.data/
    python3 Benchmarks/Scripts/generate_csv_fixtures.py OUT_DIR --seed 7
Prints each file's path and size. Needs only the Python standard library. The data is
not committed (Benchmarks/.data/ is in .gitignore).
"""
import argparse
import csv
import datetime
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FOLDER = os.path.join(os.path.dirname(HERE), ".data")

ROWS = 200_000
FEATURES = 50
NUMERIC_NAME = f"numeric_{ROWS}x{FEATURES + 1}.csv"
MIXED_NAME = f"mixed_{ROWS}.csv"


def write_numeric(path, seed):
    """Gaussian features at a few scales, printed with fixed decimals, and a linear target."""
    random_source = random.Random(seed)
    gauss = random_source.gauss
    # Column j: scale and decimals chosen so that cells average about 11.7 characters
    # (12.7 bytes with the delimiter) and no value has more than 11 significant digits.
    scales = [(0.5, 10), (5.0, 9), (50.0, 8)]
    columns = [scales[j % len(scales)] for j in range(FEATURES)]
    formats = ["{:.%df}" % decimals for _, decimals in columns]
    weights = [gauss(0, 1) for _ in range(FEATURES)]
    header = ",".join([f"f{j}" for j in range(FEATURES)] + ["target"])
    with open(path, "w", newline="\n", encoding="ascii") as out:
        out.write(header + "\n")
        lines = []
        for _ in range(ROWS):
            values = [gauss(0, scale) for scale, _ in columns]
            target = sum(w * v for w, v in zip(weights, values)) + gauss(0, 1)
            cells = [fmt.format(v) for fmt, v in zip(formats, values)]
            cells.append("{:.7f}".format(target))
            lines.append(",".join(cells))
            if len(lines) == 4096:
                out.write("\n".join(lines) + "\n")
                lines.clear()
        if lines:
            out.write("\n".join(lines) + "\n")


REGIONS = ["north", "south", "east", "west", "central"]
# Some values hold commas, so the CSV writer quotes them ("Hardware, tools").
PRODUCTS = ["books", "music", "Hardware, tools", "garden", "Toys, games, puzzles", "food", "Home, kitchen", "sports"]
GRADES = ["A", "B", "C", "D", "E"]


def write_mixed(path, seed):
    """id, four numeric columns with ~2% missing, three categoricals, a boolean, a date."""
    random_source = random.Random(seed)
    r = random_source.random
    gauss = random_source.gauss
    choice = random_source.choice
    start = datetime.date(2015, 1, 1)
    header = ["id", "age", "income", "score", "balance", "region", "product", "grade", "active", "signup_date"]

    def maybe(text):
        return "" if r() < 0.02 else text

    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        for row in range(ROWS):
            writer.writerow([
                row + 1,
                maybe("{:.1f}".format(18 + 60 * r())),
                maybe("{:.2f}".format(max(0.0, gauss(52_000, 18_000)))),
                maybe("{:.4f}".format(gauss(0, 1))),
                maybe("{:.2f}".format(gauss(1_500, 4_000))),
                choice(REGIONS),
                choice(PRODUCTS),
                choice(GRADES),
                "true" if r() < 0.4 else "false",
                (start + datetime.timedelta(days=int(r() * 3650))).isoformat(),
            ])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default=DEFAULT_FOLDER, help="output folder (default: Benchmarks/.data/)")
    parser.add_argument("--seed", type=int, default=20260301, help="random seed (default: 20260301)")
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    for name, write, seed in [(NUMERIC_NAME, write_numeric, args.seed), (MIXED_NAME, write_mixed, args.seed + 1)]:
        path = os.path.join(args.folder, name)
        started = time.monotonic()
        partial = path + ".partial"
        write(partial, seed)
        os.replace(partial, path)  # never leave a half-written fixture under the real name
        size = os.path.getsize(path)
        print(f"{path}: {size:,} bytes ({size / 1e6:.1f} MB) in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
