#!/usr/bin/env python3
"""Reference values for the diagnostics API (curves, confusion matrices, feature
importances) from scikit-learn.

Writes two fixtures:

* Tests/ScoringTests/Fixtures/curves_reference.json: for every case its inputs (true
  labels, integers or strings; scores; the positive label) and scikit-learn's
  roc_curve(y, s, pos_label=p) (drop_intermediate=True; the thresholds without the
  leading +inf, which JSON cannot hold), auc(fpr, tpr), precision_recall_curve(y, s,
  pos_label=p), and average_precision_score of y == p. Cases: seeded random scores, some
  rounded to one or two decimals so that many tie; a constant score; binary string
  labels; a negative positive label; one-vs-rest curves of every class of a three-class
  problem (pos_label on multi-class labels); the predicted probabilities of a fixed
  model (standardized LogisticRegression, C=0.1) on breast_cancer's test rows; and a
  truth of positives only (precision-recall only: the ROC curve is undefined). Also
  confusion_matrix(y, p, labels=...) cases: default labels (integers and strings), labels
  in another order, a subset (rows with other labels dropped), a label absent from the
  data. The Swift tests compare within 1e-9 (the curves are ratios of counts: in practice
  identical to the last bit).

* Tests/EstimatorsTests/Fixtures/importances_reference.json:
  - "exact": cases where our trees are scikit-learn's, checked the way trees_reference.py's
    exactTrees are: the model is refit with random_state 0...9 and kept only if every
    seed gives the same trees (no ties between splits). Each case holds scikit-learn's
    node arrays (feature, threshold, left, right, impurity, weighted_n_node_samples) of
    every tree and its feature_importances_. DecisionTreeClassifier (breast_cancer:
    entropy, max_depth 4, min_samples_leaf 10; wine: gini, max_depth 3),
    DecisionTreeRegressor (diabetes: max_depth 4, min_samples_leaf 3), forests without
    bootstrap and with every feature (each tree is the decision tree, so the forest's
    averaging is exact), GradientBoostingRegressor (diabetes, max_depth 2, 20 stages),
    GradientBoostingClassifier (breast_cancer binary, max_depth 2, min_samples_leaf 5,
    10 stages; wine three classes, max_depth 1, 20 stages), all on trees_reference.py's
    training rows. The node impurities are sums in an order that depends on the features
    drawn, so they (and the importances) may differ between seeds in the last bits; the
    script checks that the importances agree within 1e-12 across seeds. The Swift test
    requires the same tree structure (thresholds within 1e-6 relative: scikit-learn
    splits float32 features), node impurities and weights within 1e-9 (relative above 1),
    then the importances within 1e-9.
  - "statistical": forests whose randomness differs from ours (bootstrap draws and
    feature draws come from another generator), so only a statistical comparison is
    possible: scikit-learn's importances are averaged over random_state 0...19; the case
    stores that mean, the features ranked first k (k = 3, the largest for which the set
    of the top k is the same for all 20 seeds), and an L1 tolerance of twice the largest
    L1 distance of one seed's importances from the mean (rounded up to 0.01). Our forest
    is one more draw: its top k must be the same set, its L1 distance from the mean
    within the tolerance.
  - "linear": coef_ of LinearRegression, Ridge, Lasso and ElasticNet on diabetes (as in
    linear_neighbors_reference.py, Lasso at tol 1e-10) and of LogisticRegression, binary
    (one row) and three-class multinomial (one row per class), at tol 1e-10 on
    linear_neighbors_reference.py's synthetic classification data (the rows are stored).

Run from the repository root with scikit-learn 1.9.1 in a virtualenv:
  python3 -m venv /tmp/venv-diag && /tmp/venv-diag/bin/pip install scikit-learn==1.9.1
  /tmp/venv-diag/bin/python Scripts/reference/diagnostics_reference.py
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn import metrics
from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor, RandomForestClassifier,
                              RandomForestRegressor)
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linear_neighbors_reference as linear_reference  # noqa: E402  (the same synthetic data)
import trees_reference  # noqa: E402  (the same training rows and node arrays)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CURVES = os.path.join(ROOT, "Tests", "ScoringTests", "Fixtures", "curves_reference.json")
IMPORTANCES = os.path.join(ROOT, "Tests", "EstimatorsTests", "Fixtures", "importances_reference.json")
rng = np.random.default_rng(20261218)


# MARK: - Curves

def curve_case(name, truth, scores, positive, roc=True):
    truth = list(truth)
    scores = [float(s) for s in scores]
    y = np.array(truth, dtype=object if isinstance(truth[0], str) else None)
    s = np.array(scores)
    case = {"name": name, "truth": truth, "scores": scores, "positive": positive}
    if roc:
        fpr, tpr, thresholds = metrics.roc_curve(y, s, pos_label=positive)
        assert math.isinf(thresholds[0]) and thresholds[0] > 0
        area = metrics.auc(fpr, tpr)
        assert abs(area - metrics.roc_auc_score(y == positive, s)) < 1e-12
        case["roc"] = {"falsePositiveRates": fpr.tolist(), "truePositiveRates": tpr.tolist(),
                       "thresholdsAfterInfinity": thresholds[1:].tolist(), "area": float(area)}
    precision, recall, thresholds = metrics.precision_recall_curve(y, s, pos_label=positive)
    ap = metrics.average_precision_score(y == positive, s)
    if len(set(truth)) == 2:
        assert ap == metrics.average_precision_score(y, s, pos_label=positive)
    case["precisionRecall"] = {"precisions": precision.tolist(), "recalls": recall.tolist(),
                               "thresholds": thresholds.tolist(), "averagePrecision": float(ap)}
    return case


def curve_cases():
    cases = []
    for index in range(24):
        n = int(rng.integers(2, 160))
        truth = rng.integers(0, 2, size=n)
        truth[0], truth[-1] = 0, 1  # both classes
        scores = truth * rng.random() + rng.normal(size=n)
        if index % 3 == 0:
            scores = np.round(scores, 1)  # many ties
        elif index % 3 == 1:
            scores = np.round(scores, 2)
        cases.append(curve_case(f"random-{index}", truth.tolist(), scores, 1))
    cases.append(curve_case("constant-score", [0, 1, 1, 0, 1], [0.5] * 5, 1))
    cases.append(curve_case("two-samples", [1, 0], [0.2, 0.9], 1))
    cases.append(curve_case("perfect", [0, 0, 1, 1, 1], [0.1, 0.2, 0.7, 0.8, 0.8], 1))
    truth = ["yes" if v else "no" for v in rng.integers(0, 2, size=60)]
    scores = np.round([0.3 * (t == "yes") + rng.random() for t in truth], 2)
    cases.append(curve_case("strings-yes", truth, scores, "yes"))
    cases.append(curve_case("strings-no", truth, -scores, "no"))
    truth = rng.choice([-1, 1], size=80).tolist()
    cases.append(curve_case("negative-positive", truth, np.round(rng.normal(size=80) - 0.5 * np.array(truth), 1), -1))
    # One-vs-rest: each class of a three-class problem against the others.
    labels = rng.choice(["setosa", "versicolor", "virginica"], size=90)
    logits = rng.normal(size=(90, 3)) + 1.5 * (labels[:, None] == np.array(["setosa", "versicolor", "virginica"]))
    probabilities = np.round(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True), 3)
    for column, label in enumerate(["setosa", "versicolor", "virginica"]):
        cases.append(curve_case(f"one-vs-rest-{label}", labels.tolist(), probabilities[:, column], label))
    integers = rng.integers(0, 4, size=70)
    for label in range(4):
        cases.append(curve_case(f"one-vs-rest-int-{label}", integers.tolist(),
                                np.round(rng.normal(size=70) + (integers == label), 1), label))
    # A fixed model's probabilities on breast_cancer's test rows.
    x, y, train, test = trees_reference.split("breast_cancer", True)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1)).fit(x[train], y[train])
    probabilities = model.predict_proba(x[test])[:, 1]
    cases.append(curve_case("breast-cancer-logistic", y[test].astype(int).tolist(), probabilities, 1))
    cases.append(curve_case("breast-cancer-logistic-malignant", y[test].astype(int).tolist(), 1 - probabilities, 0))
    # Positives only: the precision-recall curve is defined, the ROC curve is not.
    cases.append(curve_case("positives-only", ["a", "a", "a"], [0.3, 0.9, 0.3], "a", roc=False))
    return cases


def confusion_case(name, truth, predicted, labels=None):
    matrix = metrics.confusion_matrix(truth, predicted, labels=labels)
    used = labels if labels is not None else sorted(set(truth) | set(predicted))
    case = {"name": name, "truth": list(truth), "predicted": list(predicted), "expectedLabels": list(used),
            "counts": matrix.tolist()}
    if labels is not None:
        case["labels"] = list(labels)
    return case


def confusion_cases():
    truth = rng.integers(0, 4, size=120)
    predicted = np.where(rng.random(120) < 0.3, rng.integers(0, 4, size=120), truth)
    words = np.array(["ant", "bee", "cat", "dog"])
    return [
        confusion_case("integers", truth.tolist(), predicted.tolist()),
        confusion_case("strings", words[truth].tolist(), words[predicted].tolist()),
        confusion_case("labels-reordered", truth.tolist(), predicted.tolist(), [3, 1, 0, 2]),
        confusion_case("labels-subset", words[truth].tolist(), words[predicted].tolist(), ["dog", "ant"]),
        confusion_case("label-absent", [0, 1, 1, 0], [0, 1, 0, 0], [0, 1, 7]),
        confusion_case("predicted-only-label", [1, 1, 2], [1, 3, 2]),
    ]


# MARK: - Importances

def node_arrays(tree):
    arrays = trees_reference.tree_arrays(tree)
    arrays["impurity"] = tree.tree_.impurity.tolist()
    arrays["weightedSampleCounts"] = tree.tree_.weighted_n_node_samples.tolist()
    return arrays


def stage_trees(model):
    if hasattr(model, "tree_"):
        return [model]
    estimators = model.estimators_
    return list(np.asarray(estimators).ravel()) if isinstance(estimators, np.ndarray) else list(estimators)


def exact_case(name, dataset, estimator, parameters):
    x, y, train, _ = trees_reference.split(dataset, estimator.endswith("Classifier"))
    make = trees_reference.ESTIMATORS[estimator]
    models = [make(random_state=seed, **parameters).fit(x[train], y[train]) for seed in range(10)]
    trees = [[node_arrays(t) for t in stage_trees(m)] for m in models]
    structure = [[trees_reference.tree_arrays(t) for t in stage_trees(m)] for m in models]
    assert all(t == structure[0] for t in structure), f"{name}: ties between splits"
    # The impurities are sums in the order the rows were last sorted in, which depends on the
    # features drawn: equal to rounding.
    importances = models[0].feature_importances_
    assert all(np.allclose(m.feature_importances_, importances, rtol=1e-12, atol=1e-15) for m in models)
    assert (importances > 0).sum() >= 2, f"{name}: uses one feature"
    return {"name": name, "dataset": dataset, "estimator": estimator, "hyperParameters": parameters,
            "trees": trees[0], "importances": importances.tolist()}


def statistical_case(name, dataset, estimator, parameters, seeds=20):
    x, y, train, _ = trees_reference.split(dataset, estimator.endswith("Classifier"))
    make = trees_reference.ESTIMATORS[estimator]
    draws = np.array([make(random_state=seed, **parameters).fit(x[train], y[train]).feature_importances_
                      for seed in range(seeds)])
    mean = draws.mean(axis=0)
    order = np.argsort(-mean, kind="stable")
    top = max(k for k in range(1, 4) if all(set(np.argsort(-d)[:k]) == set(order[:k]) for d in draws))
    spread = float(np.abs(draws - mean).sum(axis=1).max())
    return {"name": name, "dataset": dataset, "estimator": estimator, "hyperParameters": parameters,
            "meanImportances": mean.tolist(), "topFeatures": sorted(int(f) for f in order[:top]),
            "l1Tolerance": math.ceil(200 * spread) / 100, "seeds": seeds, "largestSeedDistance": spread}


def linear_case(name, estimator, parameters, x, y):
    make = {"LinearRegression": LinearRegression, "Ridge": Ridge, "Lasso": Lasso, "ElasticNet": ElasticNet,
            "LogisticRegression": LogisticRegression}[estimator]
    model = make(**parameters).fit(x, y)
    return {"name": name, "estimator": estimator, "hyperParameters": parameters,
            "coefficients": np.atleast_2d(model.coef_).tolist()}


def linear_cases():
    x, y = linear_reference.read_dataset("diabetes")
    cases = [
        linear_case("ols-diabetes", "LinearRegression", {}, x, y),
        linear_case("ridge-diabetes", "Ridge", {"alpha": 0.5}, x, y),
        linear_case("lasso-diabetes", "Lasso", {"alpha": 0.05, "tol": 1e-10, "max_iter": 100000}, x, y),
        linear_case("enet-diabetes", "ElasticNet", {"alpha": 0.01, "l1_ratio": 0.7, "tol": 1e-10, "max_iter": 100000}, x, y),
    ]
    for case in cases:
        case["dataset"] = "diabetes"
    for name, data, classes in [("logistic-binary", linear_reference.classification_data(3, 300, 6, 2), 2),
                                ("logistic-multinomial", linear_reference.classification_data(4, 300, 5, 3), 3)]:
        x, y, n = data
        case = linear_case(name, "LogisticRegression", {"tol": 1e-10, "max_iter": 10000}, x[:n], y[:n])
        assert len(case["coefficients"]) == (1 if classes == 2 else classes)
        case.update({"classCount": classes, "columns": int(x.shape[1]), "xTrain": x[:n].ravel().tolist(),
                     "yTrain": y[:n].tolist()})
        cases.append(case)
    return cases


def importance_fixture():
    every = {"max_features": None, "bootstrap": False}
    exact = [
        exact_case("tree-breast-cancer-entropy", "breast_cancer", "DecisionTreeClassifier",
                   {"criterion": "entropy", "max_depth": 4, "min_samples_leaf": 10}),
        exact_case("tree-wine-gini", "wine", "DecisionTreeClassifier", {"max_depth": 3}),
        exact_case("tree-diabetes", "diabetes", "DecisionTreeRegressor", {"max_depth": 4, "min_samples_leaf": 3}),
        exact_case("forest-wine-all-features", "wine", "RandomForestClassifier", {"n_estimators": 3, "max_depth": 3, **every}),
        exact_case("forest-diabetes-all-features", "diabetes", "RandomForestRegressor",
                   {"n_estimators": 3, "max_depth": 4, "min_samples_leaf": 3, **every}),
        exact_case("boosting-diabetes", "diabetes", "GradientBoostingRegressor", {"n_estimators": 20, "max_depth": 2}),
        exact_case("boosting-breast-cancer", "breast_cancer", "GradientBoostingClassifier", {"n_estimators": 10, "max_depth": 2, "min_samples_leaf": 5}),
        exact_case("boosting-wine", "wine", "GradientBoostingClassifier", {"n_estimators": 20, "max_depth": 1}),
    ]
    statistical = [
        statistical_case("forest-diabetes", "diabetes", "RandomForestRegressor", {"n_estimators": 100}),
        statistical_case("forest-wine-all-features", "wine", "RandomForestClassifier",
                         {"n_estimators": 100, "max_features": None}),
    ]
    return {"sklearn": sklearn.__version__, "numpy": np.__version__, "exact": exact, "statistical": statistical,
            "linear": linear_cases()}


def write(path, fixture):
    with open(path, "w") as handle:
        json.dump(fixture, handle)
        handle.write("\n")
    print(f"wrote {path} ({os.path.getsize(path) / 1e3:.0f} kB)")


def main():
    warnings.simplefilter("error")  # every value defined, every reference fit converged
    write(CURVES, {"sklearn": sklearn.__version__, "numpy": np.__version__, "curves": curve_cases(),
                   "confusion": confusion_cases()})
    write(IMPORTANCES, importance_fixture())


if __name__ == "__main__":
    main()
