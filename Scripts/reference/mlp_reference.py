#!/usr/bin/env python3
"""Reference test scores of scikit-learn's multi-layer perceptrons.

Writes Tests/EstimatorsTests/Fixtures/mlp_reference.json:

* "splits": the sorted test-row indices of a seeded train/test split of digits
  (stratified) and diabetes (Tests/EstimatorsTests/Fixtures/datasets/*.csv; the training
  rows are the others, in ascending order), so the Swift tests fit and score the same rows.
* "cases": for MLPClassifier on digits (features scaled to [0, 1] by /16) and MLPRegressor
  on diabetes (features and target standardized with the training rows' mean and
  population standard deviation; r2 is the same on either scale), fixed hyper-parameters
  and scikit-learn's test score (accuracy or r2) for random_state 0..9, with their mean
  and standard deviation.

Our generator is not numpy's, so parity is statistical: the Swift tests average their own
score over the first `swiftSeeds` seeds and require it within "tolerance" of the mean of
scikit-learn's ten. Configurations were picked for a small spread across seeds.

Run from the repository root with scikit-learn 1.9.1 in the virtualenv (one thread, as
the scores do not depend on it):
  .venv/bin/python Scripts/reference/mlp_reference.py
"""
import csv
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from threadpoolctl import threadpool_limits

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "EstimatorsTests", "Fixtures")
SPLIT_SEED = 7
TEST_SIZE = 0.3
SEEDS = list(range(10))

# (data set, estimator, hyper-parameters, seeds the Swift test averages over)
CASES = [
    ("digits", "MLPClassifier", {}, 3),
    ("digits", "MLPClassifier", {"hidden_layer_sizes": "64,32", "activation": "tanh"}, 3),
    ("digits", "MLPClassifier", {"activation": "logistic"}, 3),
    ("digits", "MLPClassifier", {"solver": "sgd", "activation": "tanh", "learning_rate_init": 0.01}, 3),
    ("digits", "MLPClassifier", {"solver": "sgd", "learning_rate": "adaptive", "learning_rate_init": 0.01}, 3),
    ("digits", "MLPClassifier", {"solver": "sgd", "learning_rate": "invscaling", "learning_rate_init": 0.5, "power_t": 0.25}, 3),
    ("digits", "MLPClassifier", {"solver": "sgd", "activation": "tanh", "learning_rate_init": 0.01,
                                 "nesterovs_momentum": False, "shuffle": False}, 3),
    ("digits", "MLPClassifier", {"early_stopping": True, "learning_rate_init": 0.01, "validation_fraction": 0.2,
                                 "n_iter_no_change": 20}, 10),
    ("digits", "MLPClassifier", {"solver": "lbfgs"}, 3),
    ("diabetes", "MLPRegressor", {"hidden_layer_sizes": "50", "alpha": 10.0, "max_iter": 1000}, 3),
    ("diabetes", "MLPRegressor", {"hidden_layer_sizes": "50", "alpha": 3.0, "activation": "tanh", "max_iter": 1000}, 3),
    ("diabetes", "MLPRegressor", {"hidden_layer_sizes": "50", "alpha": 3.0, "solver": "sgd", "activation": "tanh",
                                  "max_iter": 1000}, 3),
    ("diabetes", "MLPRegressor", {"hidden_layer_sizes": "50", "alpha": 3.0, "max_iter": 1000, "early_stopping": True,
                                  "validation_fraction": 0.2}, 10),
    ("diabetes", "MLPRegressor", {"hidden_layer_sizes": "50", "alpha": 10.0, "solver": "lbfgs"}, 3),
]


def load(name):
    with open(os.path.join(FIXTURES, "datasets", f"{name}.csv")) as handle:
        rows = list(csv.reader(handle))
    data = np.array(rows[1:], dtype=np.float64)
    return data[:, :-1], data[:, -1]


def prepared(name):
    """Features and target as the Swift tests prepare them, and the train/test rows."""
    x, y = load(name)
    classifier = name == "digits"
    test = train_test_split(np.arange(len(y)), test_size=TEST_SIZE, random_state=SPLIT_SEED,
                            stratify=y if classifier else None)[1]
    test = np.sort(test)
    train = np.setdiff1d(np.arange(len(y)), test)
    if classifier:
        return x / 16.0, y.astype(int), train, test
    mean, scale = x[train].mean(axis=0), x[train].std(axis=0)
    return (x - mean) / scale, (y - y[train].mean()) / y[train].std(), train, test


def sklearn_parameters(parameters):
    """Our string form of hidden_layer_sizes ('64,32') as scikit-learn's tuple."""
    result = dict(parameters)
    if "hidden_layer_sizes" in result:
        result["hidden_layer_sizes"] = tuple(int(v) for v in str(result["hidden_layer_sizes"]).split(","))
    return result


def main():
    warnings.simplefilter("ignore", ConvergenceWarning)
    data = {name: prepared(name) for name in ["digits", "diabetes"]}
    cases = []
    with threadpool_limits(limits=1):
        for dataset, estimator, parameters, swift_seeds in CASES:
            x, y, train, test = data[dataset]
            make = MLPClassifier if estimator == "MLPClassifier" else MLPRegressor
            scores, iterations = [], []
            for seed in SEEDS:
                model = make(random_state=seed, **sklearn_parameters(parameters)).fit(x[train], y[train])
                scores.append(float(model.score(x[test], y[test])))
                iterations.append(int(model.n_iter_))
            cases.append({"dataset": dataset, "estimator": estimator, "hyperParameters": parameters,
                          "metric": "accuracy" if estimator == "MLPClassifier" else "r2", "seeds": SEEDS,
                          "scores": scores, "iterations": iterations, "mean": float(np.mean(scores)),
                          "std": float(np.std(scores)), "swiftSeeds": swift_seeds})
            print(f"{dataset:9s} {estimator:14s} {json.dumps(parameters):110s} mean {np.mean(scores):.4f} "
                  f"std {np.std(scores):.4f} epochs {min(iterations)}-{max(iterations)}")
    fixture = {
        "sklearnVersion": sklearn.__version__,
        "splitSeed": SPLIT_SEED,
        "testSize": TEST_SIZE,
        "splits": {name: data[name][3].tolist() for name in data},
        "cases": cases,
        "tolerance": 0.02,
    }
    path = os.path.join(FIXTURES, "mlp_reference.json")
    with open(path, "w") as handle:
        json.dump(fixture, handle, indent=1)
        handle.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
