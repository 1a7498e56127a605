#!/usr/bin/env python3
"""Derives the pipeline tutorial's dataset from the exported breast cancer data.

Reads Tests/EstimatorsTests/Fixtures/datasets/breast_cancer.csv (scikit-learn's copy of
the Breast Cancer Wisconsin (Diagnostic) data, see that folder's README for origin and
licence) and writes Tests/PipelinesTests/Fixtures/breast_cancer_diagnosis.csv with
  - an `id` key column (1-based row number),
  - the 30 features unchanged,
  - the label `diagnosis` as text: "malignant" (target 0) or "benign" (target 1).
Standard library only: python3 Scripts/reference/make_tutorial_dataset.py
"""
import csv
import pathlib

root = pathlib.Path(__file__).resolve().parents[2]
source = root / "Tests/EstimatorsTests/Fixtures/datasets/breast_cancer.csv"
target = root / "Tests/PipelinesTests/Fixtures/breast_cancer_diagnosis.csv"

with source.open(newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
with target.open("w", newline="") as f:
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow(["id"] + header[:-1] + ["diagnosis"])
    for i, row in enumerate(body, start=1):
        label = "malignant" if row[-1] in ("0", "0.0") else "benign"
        writer.writerow([i] + row[:-1] + [label])
print(f"wrote {target} ({len(body)} rows)")
