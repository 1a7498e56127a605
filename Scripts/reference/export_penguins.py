#!/usr/bin/env python3
"""Exports the Palmer penguins data for the example of Examples/Penguins.

Copies the `penguins.csv` that the `palmerpenguins` package (PyPI) ships to
Examples/Penguins/data/penguins.csv, adding an integer `id` key column first (the 1-based
row number in the package's file). Every other cell is copied as it is, so the 19 missing
values stay the `NA` text pandas (and this SDK's CSV reader) read as missing. The data:
Gorman, Williams & Fraser (2014), via the palmerpenguins package of Horst, Hill & Gorman;
licence CC0 (see Examples/Penguins/README.md).

Run from the repository root, in a virtualenv with the package:
  python3 -m venv .venv && .venv/bin/pip install palmerpenguins
  .venv/bin/python Scripts/reference/export_penguins.py
"""
import csv
import importlib.metadata
import importlib.resources
import pathlib

root = pathlib.Path(__file__).resolve().parents[2]
target = root / "Examples/Penguins/data/penguins.csv"

source = importlib.resources.files("palmerpenguins") / "data" / "penguins.csv"
with source.open(newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
expected = ["species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex", "year"]
if header != expected:
    raise SystemExit(f"unexpected columns {header} (expected {expected})")

target.parent.mkdir(parents=True, exist_ok=True)
with target.open("w", newline="") as f:
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow(["id"] + header)
    for i, row in enumerate(body, start=1):
        writer.writerow([i] + row)
missing = sum(cell == "NA" for row in body for cell in row)
version = importlib.metadata.version("palmerpenguins")
print(f"wrote {target.relative_to(root)}: {len(body)} rows, {missing} NA cells (palmerpenguins {version})")
