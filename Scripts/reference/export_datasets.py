#!/usr/bin/env python3
"""Exports the small real data sets that ship inside scikit-learn to CSV test fixtures.

Writes Tests/EstimatorsTests/Fixtures/datasets/{breast_cancer,wine,diabetes,digits}.csv
(features as named by scikit-learn, then the target column) and README.md with their origin
and licence. Digits keeps its integer pixel values (0-16). Run from the repository root with scikit-learn in a virtualenv:
  .venv/bin/python Scripts/reference/export_datasets.py
"""
import csv
import os

import sklearn
from sklearn import datasets

OUT = os.path.join("Tests", "EstimatorsTests", "Fixtures", "datasets")


def export(name, bunch, target_name, integers=False):
    path = os.path.join(OUT, f"{name}.csv")
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([feature.replace(" ", "_") for feature in bunch.feature_names] + [target_name])
        for row, target in zip(bunch.data.tolist(), bunch.target.tolist()):
            writer.writerow([str(int(v)) if integers else repr(float(v)) for v in row] + [target])
    return path, bunch.data.shape


def main():
    os.makedirs(OUT, exist_ok=True)
    shapes = {}
    for name, loader, target in [
        ("breast_cancer", datasets.load_breast_cancer, "malignant_or_benign"),
        ("wine", datasets.load_wine, "cultivar"),
        ("diabetes", lambda: datasets.load_diabetes(scaled=True), "progression"),
        ("digits", datasets.load_digits, "digit"),
    ]:
        path, shape = export(name, loader(), target, integers=name == "digits")
        shapes[name] = shape
        print(f"wrote {path}: {shape[0]} rows x {shape[1]} features")
    with open(os.path.join(OUT, "README.md"), "w") as handle:
        handle.write(f"""# Real data sets for parity tests

Exported from scikit-learn {sklearn.__version__} (`sklearn.datasets`) by
`Scripts/reference/export_datasets.py`. Features keep scikit-learn's names (spaces become
underscores); the last column is the target.

| file | rows × features | target | origin | licence |
|---|---|---|---|---|
| `breast_cancer.csv` | {shapes['breast_cancer'][0]} × {shapes['breast_cancer'][1]} | 0 = malignant, 1 = benign | Breast Cancer Wisconsin (Diagnostic), W. H. Wolberg, W. N. Street, O. L. Mangasarian, UCI Machine Learning Repository, 1995 | CC BY 4.0 (UCI); distributed with scikit-learn (BSD-3-Clause) |
| `wine.csv` | {shapes['wine'][0]} × {shapes['wine'][1]} | cultivar 0, 1, 2 | Wine, M. Forina et al., UCI Machine Learning Repository, 1991 | CC BY 4.0 (UCI); distributed with scikit-learn (BSD-3-Clause) |
| `diabetes.csv` | {shapes['diabetes'][0]} × {shapes['diabetes'][1]} | disease progression after one year | B. Efron, T. Hastie, I. Johnstone, R. Tibshirani, "Least Angle Regression", Annals of Statistics 32(2), 2004; features mean-centred and scaled as scikit-learn ships them | distributed with scikit-learn (BSD-3-Clause) |
| `digits.csv` | {shapes['digits'][0]} × {shapes['digits'][1]} | digit 0–9 | Optical Recognition of Handwritten Digits (test part), E. Alpaydin, C. Kaynak, UCI Machine Learning Repository, 1998: 8×8 images, pixel counts 0–16 | CC BY 4.0 (UCI); distributed with scikit-learn (BSD-3-Clause) |
""")


if __name__ == "__main__":
    main()
