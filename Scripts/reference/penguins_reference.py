#!/usr/bin/env python3
"""scikit-learn's result on the penguins example, on the pipeline's own split.

Reads Examples/Penguins/data/penguins.csv (pandas reads its `NA` cells as missing) and
Tests/PipelinesTests/Fixtures/penguins_split.json (the training and testing ids of the
seeded split that Examples/Penguins/spec.yaml makes; the SDK's split, not scikit-learn's),
fits on the training ids

    Pipeline([
        ColumnTransformer([   # in the spec's feature order, so the columns are the SDK's
            island: SimpleImputer(most_frequent) + OneHotEncoder(handle_unknown="ignore"),
            bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g: SimpleImputer(median),
            sex: SimpleImputer(most_frequent) + OneHotEncoder(handle_unknown="ignore"),
        ]),
        LogisticRegression(C=1.0, max_iter=10000, tol=1e-4),   # the spec's tuning
    ])

scores it on the testing ids, and writes Tests/PipelinesTests/Fixtures/penguins_reference.json:
the versions, the split's sizes, accuracy and f1_macro, the fitted imputation values, the
L-BFGS iteration count and the predicted species of every testing id. The fit must converge
(a ConvergenceWarning is an error): max_iter=10000 leaves room for the 4392 iterations the
unscaled measurements need, so both libraries are compared at the optimum, not mid-way.
Tests/PipelinesTests/PenguinsTests.swift requires the SDK's testing accuracy (and f1_macro)
within 0.02 of these, the same imputation values, and the same species on at least 98% of
the testing rows.

Run from the repository root, in a virtualenv with scikit-learn 1.9.1 and pandas:
  python3 -m venv .venv && .venv/bin/pip install scikit-learn==1.9.1 pandas
  .venv/bin/python Scripts/reference/penguins_reference.py
After a change of the spec's split, first rewrite the split fixture:
  PENGUINS_WRITE_SPLIT=$PWD/Tests/PipelinesTests/Fixtures/penguins_split.json swift test --filter PenguinsSplitWriter
"""
import json
import pathlib
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder

root = pathlib.Path(__file__).resolve().parents[2]
fixtures = root / "Tests/PipelinesTests/Fixtures"
NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
FEATURES = ["island"] + NUMERIC + ["sex"]
HYPER_PARAMETERS = {"C": 1.0, "max_iter": 10000, "tol": 1e-4}


def categorical():
    return make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore"))


def main():
    warnings.simplefilter("error", ConvergenceWarning)  # compare converged fits only
    data = pd.read_csv(root / "Examples/Penguins/data/penguins.csv").set_index("id")
    split = json.loads((fixtures / "penguins_split.json").read_text())
    training, testing = data.loc[split["training"]], data.loc[split["testing"]]
    if set(split["training"]) & set(split["testing"]) or len(training) + len(testing) != len(data):
        raise SystemExit("the split fixture does not partition the data")

    model = Pipeline([
        ("features", ColumnTransformer([
            ("island", categorical(), ["island"]),
            ("numbers", SimpleImputer(strategy="median"), NUMERIC),
            ("sex", categorical(), ["sex"]),
        ])),
        ("classifier", LogisticRegression(**HYPER_PARAMETERS)),
    ])
    model.fit(training[FEATURES], training["species"])
    predicted = model.predict(testing[FEATURES])

    transformers = model.named_steps["features"].named_transformers_
    imputation = {name: float(value) for name, value in zip(NUMERIC, transformers["numbers"].statistics_)}
    for name in ["island", "sex"]:
        imputation[name] = str(transformers[name].named_steps["simpleimputer"].statistics_[0])
    output_names = [str(name).split("__", 1)[1] for name in model.named_steps["features"].get_feature_names_out()]

    reference = {
        "sklearn": sklearn.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "estimator": "LogisticRegression",
        "hyper_parameters": HYPER_PARAMETERS,
        "features": output_names,
        "training_rows": len(training),
        "testing_rows": len(testing),
        "accuracy": accuracy_score(testing["species"], predicted),
        "f1_macro": f1_score(testing["species"], predicted, average="macro"),
        "lbfgs_iterations": int(model.named_steps["classifier"].n_iter_[0]),
        "imputation": imputation,
        "predictions": {str(i): str(p) for i, p in zip(testing.index, predicted)},
    }
    path = fixtures / "penguins_reference.json"
    path.write_text(json.dumps(reference, indent=2, sort_keys=True) + "\n")
    print(f"wrote {path.relative_to(root)}: scikit-learn {sklearn.__version__}, {len(training)} training and "
          f"{len(testing)} testing rows, accuracy {reference['accuracy']:.4f}, f1_macro {reference['f1_macro']:.4f}, "
          f"{reference['lbfgs_iterations']} L-BFGS iterations")


if __name__ == "__main__":
    main()
