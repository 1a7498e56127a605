#!/usr/bin/env python3
"""Reference values for the tree and ensemble estimators from scikit-learn.

Writes Tests/EstimatorsTests/Fixtures/trees_reference.json:

* "splits": for breast_cancer, wine (classifiers) and diabetes (regressor), the sorted
  test-row indices of a seeded train/test split (the training rows are the others, in
  ascending order), so the Swift tests fit and score exactly the same rows.
* "cases": for each of DecisionTreeClassifier, DecisionTreeRegressor,
  RandomForestClassifier, RandomForestRegressor, GradientBoostingClassifier and
  GradientBoostingRegressor, fixed hyper-parameters (with random_state=0) and
  scikit-learn's test score (accuracy for classifiers, r2 for regressors). The Swift
  tests require their score to be at most 0.02 below.
* "exactTrees": shallow trees (max_depth 1 or 2) whose every split scikit-learn chooses
  the same way for random_state 0…9 (no ties), with the full node arrays: the Swift trees
  must have the same features, thresholds (scikit-learn computes them in float32, so to
  about 1e-6 relative) and children. One synthetic case carries its own X and y.

Run from the repository root with scikit-learn 1.9 in the virtualenv:
  .venv/bin/python Scripts/reference/trees_reference.py
"""
import csv
import json
import os

import numpy as np
import sklearn
from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor, RandomForestClassifier,
                              RandomForestRegressor)
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "EstimatorsTests", "Fixtures")
SPLIT_SEED = 7
TEST_SIZE = 0.3

ESTIMATORS = {
    "DecisionTreeClassifier": DecisionTreeClassifier,
    "DecisionTreeRegressor": DecisionTreeRegressor,
    "RandomForestClassifier": RandomForestClassifier,
    "RandomForestRegressor": RandomForestRegressor,
    "GradientBoostingClassifier": GradientBoostingClassifier,
    "GradientBoostingRegressor": GradientBoostingRegressor,
}

# (data set, estimator, hyper-parameters); every case also gets random_state=0.
CASES = [
    ("breast_cancer", "DecisionTreeClassifier", {"max_depth": 3}),
    ("breast_cancer", "DecisionTreeClassifier", {"criterion": "entropy", "max_depth": 5, "min_samples_leaf": 3}),
    ("wine", "DecisionTreeClassifier", {"max_depth": 3}),
    ("wine", "DecisionTreeClassifier", {"criterion": "entropy", "max_depth": 5, "min_samples_leaf": 3}),
    ("diabetes", "DecisionTreeRegressor", {"max_depth": 4, "min_samples_leaf": 5}),
    ("breast_cancer", "RandomForestClassifier", {"n_estimators": 100}),
    ("wine", "RandomForestClassifier", {"n_estimators": 100}),
    ("diabetes", "RandomForestRegressor", {"n_estimators": 100}),
    ("diabetes", "RandomForestRegressor", {"n_estimators": 100, "max_features": "sqrt", "min_samples_leaf": 3}),
    ("breast_cancer", "GradientBoostingClassifier", {"n_estimators": 100}),
    ("wine", "GradientBoostingClassifier", {"n_estimators": 100}),
    ("diabetes", "GradientBoostingRegressor", {"n_estimators": 100}),
    ("diabetes", "GradientBoostingRegressor", {"n_estimators": 100, "subsample": 0.8, "learning_rate": 0.05, "min_samples_leaf": 5}),
]


def load(name):
    with open(os.path.join(FIXTURES, "datasets", f"{name}.csv")) as handle:
        rows = list(csv.reader(handle))
    data = np.array(rows[1:], dtype=np.float64)
    return data[:, :-1], data[:, -1]


def split(name, is_classifier):
    x, y = load(name)
    test = train_test_split(np.arange(len(y)), test_size=TEST_SIZE, random_state=SPLIT_SEED,
                            stratify=y if is_classifier else None)[1]
    test = np.sort(test)
    train = np.setdiff1d(np.arange(len(y)), test)
    return x, y, train, test


def tree_arrays(tree):
    t = tree.tree_
    return {
        "feature": [int(f) if f >= 0 else -1 for f in t.feature],
        "threshold": [float(v) if f >= 0 else 0.0 for f, v in zip(t.feature, t.threshold)],
        "left": [int(c) for c in t.children_left],
        "right": [int(c) for c in t.children_right],
    }


def stable_tree(make, x, y):
    """The tree's arrays if random_state 0…9 all give the same tree (no ties), else None."""
    trees = [tree_arrays(make(seed).fit(x, y)) for seed in range(10)]
    return trees[0] if all(t == trees[0] for t in trees) else None


def exact_trees():
    cases = []
    # A synthetic case with its data: three classes, one-decimal values.
    rng = np.random.default_rng(13)
    x = np.round(rng.uniform(0, 10, size=(40, 4)), 1)
    classes = ((x[:, 2] > 5.5).astype(int) + (x[:, 0] > 3.2).astype(int) * (x[:, 1] > 4)).astype(int)
    values = np.round(2 * x[:, 1] - x[:, 3] + rng.normal(0, 0.5, 40), 2)
    for criterion in ["gini", "entropy"]:
        arrays = stable_tree(lambda s: DecisionTreeClassifier(criterion=criterion, max_depth=2, random_state=s), x, classes)
        assert arrays is not None, f"synthetic {criterion} tree has ties"
        cases.append({"name": f"synthetic-{criterion}", "estimator": "DecisionTreeClassifier",
                      "hyperParameters": {"criterion": criterion, "max_depth": 2},
                      "x": x.tolist(), "y": classes.tolist(), "tree": arrays})
    arrays = stable_tree(lambda s: DecisionTreeRegressor(max_depth=2, random_state=s), x, values)
    assert arrays is not None, "synthetic regression tree has ties"
    cases.append({"name": "synthetic-regression", "estimator": "DecisionTreeRegressor", "hyperParameters": {"max_depth": 2},
                  "x": x.tolist(), "y": values.tolist(), "tree": arrays})
    # The real data sets' training rows.
    for dataset, estimator, depth in [("breast_cancer", "DecisionTreeClassifier", 2), ("wine", "DecisionTreeClassifier", 2),
                                      ("diabetes", "DecisionTreeRegressor", 2)]:
        x, y, train, _ = split(dataset, estimator.endswith("Classifier"))
        arrays = stable_tree(lambda s: ESTIMATORS[estimator](max_depth=depth, random_state=s), x[train], y[train])
        if arrays is None:
            print(f"skipping {dataset}: ties between splits")
            continue
        cases.append({"name": dataset, "dataset": dataset, "estimator": estimator, "hyperParameters": {"max_depth": depth},
                      "tree": arrays})
    return cases


def main():
    splits = {}
    for dataset, is_classifier in [("breast_cancer", True), ("wine", True), ("diabetes", False)]:
        splits[dataset] = split(dataset, is_classifier)[3].tolist()
    cases = []
    for dataset, estimator, parameters in CASES:
        x, y, train, test = split(dataset, estimator.endswith("Classifier"))
        model = ESTIMATORS[estimator](random_state=0, **parameters).fit(x[train], y[train])
        score = float(model.score(x[test], y[test]))
        cases.append({"dataset": dataset, "estimator": estimator, "hyperParameters": {**parameters, "random_state": 0},
                      "metric": "accuracy" if estimator.endswith("Classifier") else "r2", "score": score})
        print(f"{dataset:14s} {estimator:27s} {json.dumps(parameters):70s} {score:.4f}")
    fixture = {
        "sklearnVersion": sklearn.__version__,
        "splitSeed": SPLIT_SEED,
        "testSize": TEST_SIZE,
        "splits": splits,
        "cases": cases,
        "exactTrees": exact_trees(),
        "tolerance": 0.02,
    }
    path = os.path.join(FIXTURES, "trees_reference.json")
    with open(path, "w") as handle:
        json.dump(fixture, handle, indent=1)
        handle.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
