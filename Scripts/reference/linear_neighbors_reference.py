#!/usr/bin/env python3
"""Reference values for the linear, neighbours and naive Bayes estimators from scikit-learn.

Writes Tests/EstimatorsTests/Fixtures/linear_neighbors_reference.json: seeded synthetic
cases (make_regression / make_classification, a few hundred rows, some with 3+ classes)
and a few cases on the real data sets in Tests/EstimatorsTests/Fixtures/datasets, for
LinearRegression, Ridge, Lasso, ElasticNet, LogisticRegression, KNeighborsRegressor,
KNeighborsClassifier and GaussianNB. Each case holds the training rows and targets, the
test rows, the hyper-parameters, and scikit-learn's predictions (plus class
probabilities for classifiers and coefficients/intercepts for linear models).

Synthetic features and targets are rounded to 6 decimals *before* fitting, so the JSON
holds short decimals that Swift and Python parse to the same doubles. Data-set cases
store row indices into the CSV instead of the rows themselves.

Run from the repository root with scikit-learn 1.9 in a virtualenv:
  python3 -m venv .venv && .venv/bin/pip install scikit-learn==1.9.1
  .venv/bin/python Scripts/reference/linear_neighbors_reference.py
"""
import csv
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

OUT = os.path.join("Tests", "EstimatorsTests", "Fixtures", "linear_neighbors_reference.json")
DATASETS = os.path.join("Tests", "EstimatorsTests", "Fixtures", "datasets")

ESTIMATORS = {
    "LinearRegression": LinearRegression,
    "Ridge": Ridge,
    "Lasso": Lasso,
    "ElasticNet": ElasticNet,
    "LogisticRegression": LogisticRegression,
    "KNeighborsRegressor": KNeighborsRegressor,
    "KNeighborsClassifier": KNeighborsClassifier,
    "GaussianNB": GaussianNB,
}
CLASSIFIERS = {"LogisticRegression", "KNeighborsClassifier", "GaussianNB"}
# The neighbours are searched by brute force, as the Swift implementation does (the
# result is the same as with a tree except for the order of exact ties).
EXTRA = {"KNeighborsRegressor": {"algorithm": "brute"}, "KNeighborsClassifier": {"algorithm": "brute"}}


def regression_data(seed, n, p, informative, noise, test=80):
    x, y = make_regression(n_samples=n + test, n_features=p, n_informative=informative, noise=noise,
                           bias=3.5, random_state=seed)
    return np.round(x, 6), np.round(y, 6), n


def classification_data(seed, n, p, classes, test=80, separation=1.0):
    x, y = make_classification(n_samples=n + test, n_features=p, n_informative=min(p, max(2, classes)),
                               n_redundant=0, n_classes=classes, n_clusters_per_class=1,
                               class_sep=separation, random_state=seed)
    return np.round(x, 6), y.astype(int), n


def read_dataset(name):
    with open(os.path.join(DATASETS, f"{name}.csv")) as handle:
        rows = list(csv.reader(handle))[1:]
    data = np.array([[float(v) for v in row] for row in rows])
    return data[:, :-1], data[:, -1]


def fit_case(name, estimator, params, x_train, y_train, x_test, class_count=None):
    model = ESTIMATORS[estimator](**params, **EXTRA.get(estimator, {}))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # every reference fit must converge
        model.fit(x_train, y_train)
    case = {
        "name": name,
        "estimator": estimator,
        "hyperParameters": params,
        "predictions": [float(v) for v in model.predict(x_test)],
    }
    if estimator in CLASSIFIERS:
        assert list(model.classes_) == list(range(class_count)), "classes must be 0..<k"
        case["classCount"] = class_count
        case["probabilities"] = np.asarray(model.predict_proba(x_test)).ravel().tolist()
    if hasattr(model, "coef_"):
        case["coefficients"] = np.atleast_2d(model.coef_).ravel().tolist()
        case["intercepts"] = np.atleast_1d(model.intercept_).astype(float).tolist()
    return case


def stable_neighbors(case, estimator, params, x_train, y_train, x_test, class_count):
    """Marks the test rows whose k-th and (k+1)-th nearest training rows are exactly as
    far, and gives for them the prediction with ties broken by the lower training index
    (a stable sort by distance, the rule the Swift implementation documents).

    scikit-learn's brute search keeps the k nearest in fixed-size heaps filled chunk by
    chunk (and thread by thread), so which of several equally distant rows it keeps is
    an implementation detail; on every other row the neighbour set is unique."""
    k = params.get("n_neighbors", 5)
    distance = params.get("weights", "uniform") == "distance"
    squared = ((x_test[:, None, :] - x_train[None, :, :]) ** 2).sum(axis=2)
    order = np.argsort(squared, axis=1, kind="stable")
    tied, stable = [], []
    for i in range(len(x_test)):
        if k < len(x_train) and squared[i, order[i, k - 1]] == squared[i, order[i, k]]:
            nearest = order[i, :k]
            d = np.sqrt(squared[i, nearest])
            w = (d == 0).astype(float) if distance and (d == 0).any() else (1 / d if distance else np.ones(k))
            if estimator == "KNeighborsRegressor":
                value = float((w * y_train[nearest]).sum() / w.sum())
            else:
                votes = np.bincount(y_train[nearest], weights=w, minlength=class_count)
                value = float(np.argmax(votes))
            tied.append(i)
            stable.append(value)
    case["boundaryTies"] = tied
    case["stablePredictions"] = stable


def synthetic(name, estimator, params, data, class_count=None):
    x, y, n = data
    case = fit_case(name, estimator, params, x[:n], y[:n], x[n:], class_count)
    if estimator.startswith("KNeighbors"):
        stable_neighbors(case, estimator, params, x[:n], y[:n], x[n:], class_count)
    case.update({
        "columns": int(x.shape[1]),
        "xTrain": x[:n].ravel().tolist(),
        "yTrain": y[:n].tolist(),
        "xTest": x[n:].ravel().tolist(),
    })
    return case


def from_dataset(name, estimator, params, dataset, seed, class_count=None, train_fraction=0.75):
    x, y = read_dataset(dataset)
    order = np.random.default_rng(seed).permutation(len(y))
    cut = int(train_fraction * len(y))
    train, test = np.sort(order[:cut]), np.sort(order[cut:])
    y = y.astype(int) if class_count else y
    case = fit_case(name, estimator, params, x[train], y[train], x[test], class_count)
    if estimator.startswith("KNeighbors"):
        stable_neighbors(case, estimator, params, x[train], y[train], x[test], class_count)
    case.update({"dataset": dataset, "trainRows": train.tolist(), "testRows": test.tolist()})
    return case


def tie_grid_data(seed, n=240, test=60, classes=3):
    """Small integer features: the Gram-trick distances are exact, so distance ties are
    real ties and the vote counts tie too (tie-breaking parity)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=(n + test, 3)).astype(float)
    y = ((x[:, 0] + 2 * x[:, 1] - x[:, 2] + rng.integers(0, 3, size=n + test)) % classes).astype(int)
    return x, y, n


def main():
    cases = []
    reg = regression_data(1, 300, 6, 6, 10.0)
    sparse = regression_data(2, 300, 8, 3, 5.0)
    cases += [
        synthetic("ols", "LinearRegression", {}, reg),
        synthetic("ols-no-intercept", "LinearRegression", {"fit_intercept": False}, sparse),
        synthetic("ridge", "Ridge", {}, reg),
        synthetic("ridge-strong-no-intercept", "Ridge", {"alpha": 25.0, "fit_intercept": False}, sparse),
        # Coordinate descent: the defaults (tol 1e-4) and a tight tolerance.
        synthetic("lasso-default", "Lasso", {}, sparse),
        synthetic("lasso-tight", "Lasso", {"alpha": 3.0, "tol": 1e-10, "max_iter": 100000}, sparse),
        synthetic("lasso-no-intercept", "Lasso", {"alpha": 0.5, "fit_intercept": False, "tol": 1e-10, "max_iter": 100000}, reg),
        synthetic("enet-default", "ElasticNet", {}, reg),
        synthetic("enet-tight", "ElasticNet", {"alpha": 0.2, "l1_ratio": 0.9, "tol": 1e-10, "max_iter": 100000}, sparse),
        synthetic("enet-ridge-like", "ElasticNet", {"alpha": 0.05, "l1_ratio": 0.0, "tol": 1e-10, "max_iter": 100000}, reg),
        from_dataset("lasso-diabetes", "Lasso", {"alpha": 0.05, "tol": 1e-10, "max_iter": 100000}, "diabetes", 11),
    ]
    binary = classification_data(3, 300, 6, 2)
    three = classification_data(4, 300, 5, 3)
    four = classification_data(5, 320, 7, 4, separation=1.5)
    cases += [
        # L-BFGS: tight tolerances, where both solvers reach the optimum...
        synthetic("logistic-binary-tight", "LogisticRegression", {"tol": 1e-10, "max_iter": 10000}, binary, 2),
        synthetic("logistic-3-tight", "LogisticRegression", {"tol": 1e-10, "max_iter": 10000}, three, 3),
        synthetic("logistic-4-C-tight", "LogisticRegression", {"C": 0.05, "tol": 1e-10, "max_iter": 10000}, four, 4),
        synthetic("logistic-3-no-intercept", "LogisticRegression",
                  {"C": 3.0, "fit_intercept": False, "tol": 1e-10, "max_iter": 10000}, three, 3),
        # ...and the defaults (tol 1e-4, max_iter 100), where only classes are compared.
        synthetic("logistic-binary-default", "LogisticRegression", {}, binary, 2),
        synthetic("logistic-3-default", "LogisticRegression", {}, three, 3),
    ]
    tie = tie_grid_data(6)
    cases += [
        synthetic("knn-reg-uniform", "KNeighborsRegressor", {}, reg),
        synthetic("knn-reg-distance", "KNeighborsRegressor", {"n_neighbors": 7, "weights": "distance"}, sparse),
        synthetic("knn-clf-uniform", "KNeighborsClassifier", {}, three, 3),
        synthetic("knn-clf-distance", "KNeighborsClassifier", {"n_neighbors": 4, "weights": "distance"}, four, 4),
        synthetic("knn-clf-binary-even-k", "KNeighborsClassifier", {"n_neighbors": 6}, binary, 2),
        synthetic("knn-clf-ties", "KNeighborsClassifier", {"n_neighbors": 4}, tie, 3),
        synthetic("knn-reg-ties", "KNeighborsRegressor", {"n_neighbors": 5},
                  (tie[0], tie[1].astype(float) * 1.5 - 0.25, tie[2])),
        from_dataset("knn-clf-breast-cancer", "KNeighborsClassifier", {"n_neighbors": 9, "weights": "distance"},
                     "breast_cancer", 12, 2),
        from_dataset("knn-reg-diabetes", "KNeighborsRegressor", {"n_neighbors": 10}, "diabetes", 13),
    ]
    cases += [
        synthetic("gnb-binary", "GaussianNB", {}, binary, 2),
        synthetic("gnb-3", "GaussianNB", {}, three, 3),
        synthetic("gnb-4-smoothing", "GaussianNB", {"var_smoothing": 1e-3}, four, 4),
        from_dataset("gnb-wine", "GaussianNB", {}, "wine", 14, 3),
    ]
    with open(OUT, "w") as handle:
        json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases}, handle)
        handle.write("\n")
    print(f"wrote {len(cases)} cases to {OUT} ({os.path.getsize(OUT) / 1e6:.2f} MB, scikit-learn {sklearn.__version__})")


if __name__ == "__main__":
    main()
