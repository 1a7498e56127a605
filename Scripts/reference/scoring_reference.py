#!/usr/bin/env python3
"""Reference values for the Scoring module from scikit-learn.

Writes Tests/ScoringTests/Fixtures/scoring_reference.json: a few hundred seeded vectors
(classification labels, probabilities, regression values) and scikit-learn's value of
every standard scoring function on each. The Swift tests compare within 1e-12.

Run from the repository root with scikit-learn 1.9 in a virtualenv:
  python3 -m venv .venv && .venv/bin/pip install scikit-learn==1.9.1
  .venv/bin/python Scripts/reference/scoring_reference.py
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn import metrics

warnings.simplefilter("ignore")  # zero-division and single-label warnings: values still defined
rng = np.random.default_rng(20261129)


def classification_case(n, k, noise):
    truth = rng.integers(0, k, size=n)
    predicted = np.where(rng.random(n) < noise, rng.integers(0, k, size=n), truth)
    logits = rng.normal(size=(n, k)) + 2.0 * np.eye(k)[truth] * rng.random()
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    values = {
        "accuracy": metrics.accuracy_score(truth, predicted),
        "balanced_accuracy": metrics.balanced_accuracy_score(truth, predicted),
    }
    for name, function in [("precision", metrics.precision_score), ("recall", metrics.recall_score), ("f1", metrics.f1_score)]:
        if k == 2:
            values[name] = function(truth, predicted, average="binary", zero_division=0)
        values[name + "_macro"] = function(truth, predicted, average="macro", zero_division=0)
        values[name + "_weighted"] = function(truth, predicted, average="weighted", zero_division=0)
    if len(set(truth.tolist())) == k:
        if k == 2:
            values["roc_auc"] = metrics.roc_auc_score(truth, probabilities[:, 1])
        values["roc_auc_ovr"] = metrics.roc_auc_score(truth, probabilities if k > 2 else probabilities[:, 1], multi_class="ovr")
        values["log_loss"] = metrics.log_loss(truth, probabilities, labels=list(range(k)))
    return {
        "task": "classification",
        "classCount": k,
        "truth": truth.tolist(),
        "predicted": predicted.tolist(),
        "probabilities": probabilities.tolist(),
        "values": {name: float(value) for name, value in values.items()},
    }


def regression_case(n, scale, noise):
    truth = rng.normal(size=n) * scale
    if rng.random() < 0.2:
        truth = np.round(truth)  # ties and exact zeros
    predicted = truth + rng.normal(size=n) * noise * scale
    values = {
        "r2": metrics.r2_score(truth, predicted),
        "explained_variance": metrics.explained_variance_score(truth, predicted),
        "mean_squared_error": metrics.mean_squared_error(truth, predicted),
        "root_mean_squared_error": metrics.root_mean_squared_error(truth, predicted),
        "mean_absolute_error": metrics.mean_absolute_error(truth, predicted),
        "mean_absolute_percentage_error": metrics.mean_absolute_percentage_error(truth, predicted),
        "median_absolute_error": metrics.median_absolute_error(truth, predicted),
        "max_error": metrics.max_error(truth, predicted),
    }
    return {
        "task": "regression",
        "truth": truth.tolist(),
        "predicted": predicted.tolist(),
        "values": {name: float(value) for name, value in values.items()},
    }


def edge_cases():
    cases = []
    # Constant truth: r2 and explained variance are 1 for a perfect fit, else 0.
    for predicted in ([3.0, 3.0, 3.0], [3.0, 2.0, 3.0]):
        truth = np.array([3.0, 3.0, 3.0])
        predicted = np.array(predicted)
        cases.append({
            "task": "regression", "truth": truth.tolist(), "predicted": predicted.tolist(),
            "values": {"r2": float(metrics.r2_score(truth, predicted)),
                       "explained_variance": float(metrics.explained_variance_score(truth, predicted)),
                       "mean_absolute_percentage_error": float(metrics.mean_absolute_percentage_error(truth, predicted))},
        })
    # Zero truth values in MAPE (divided by machine epsilon).
    truth, predicted = np.array([0.0, 1.0, -2.0, 0.0]), np.array([0.5, 1.0, -1.0, 0.0])
    cases.append({"task": "regression", "truth": truth.tolist(), "predicted": predicted.tolist(),
                  "values": {"mean_absolute_percentage_error": float(metrics.mean_absolute_percentage_error(truth, predicted))}})
    # No positive predictions: binary precision and F1 are 0 (zero division).
    truth, predicted = np.array([0, 1, 0, 1]), np.array([0, 0, 0, 0])
    cases.append({"task": "classification", "classCount": 2, "truth": truth.tolist(), "predicted": predicted.tolist(),
                  "probabilities": [[0.5, 0.5]] * 4,
                  "values": {"precision": float(metrics.precision_score(truth, predicted, zero_division=0)),
                             "f1": float(metrics.f1_score(truth, predicted, zero_division=0)),
                             "recall": float(metrics.recall_score(truth, predicted, zero_division=0)),
                             "roc_auc": float(metrics.roc_auc_score(truth, [0.5] * 4))}})
    # Tied scores in ROC AUC; extreme probabilities in log loss (clipped).
    truth = np.array([0, 1, 1, 0, 1, 0])
    probabilities = np.array([[1.0, 0.0], [0.3, 0.7], [0.3, 0.7], [0.3, 0.7], [0.0, 1.0], [0.6, 0.4]])
    cases.append({"task": "classification", "classCount": 2, "truth": truth.tolist(), "predicted": truth.tolist(),
                  "probabilities": probabilities.tolist(),
                  "values": {"roc_auc": float(metrics.roc_auc_score(truth, probabilities[:, 1])),
                             "log_loss": float(metrics.log_loss(truth, probabilities))}})
    # A class absent from both truth and predictions does not count in macro averages.
    truth, predicted = np.array([0, 2, 2, 0]), np.array([0, 2, 0, 0])
    cases.append({"task": "classification", "classCount": 3, "truth": truth.tolist(), "predicted": predicted.tolist(),
                  "probabilities": [[1 / 3] * 3] * 4,
                  "values": {name: float(value) for name, value in {
                      "f1_macro": metrics.f1_score(truth, predicted, average="macro", zero_division=0),
                      "precision_weighted": metrics.precision_score(truth, predicted, average="weighted", zero_division=0),
                      "balanced_accuracy": metrics.balanced_accuracy_score(truth, predicted)}.items()}})
    return cases


def main():
    cases = []
    for _ in range(120):
        k = int(rng.choice([2, 2, 3, 4, 5]))
        cases.append(classification_case(int(rng.integers(5, 200)), k, float(rng.random())))
    for _ in range(120):
        cases.append(regression_case(int(rng.integers(2, 200)), float(10 ** rng.uniform(-3, 4)), float(rng.random())))
    cases.extend(edge_cases())
    out = os.path.join("Tests", "ScoringTests", "Fixtures", "scoring_reference.json")
    with open(out, "w") as handle:
        json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases}, handle)
        handle.write("\n")
    print(f"wrote {len(cases)} cases to {out} (scikit-learn {sklearn.__version__})")


if __name__ == "__main__":
    main()
