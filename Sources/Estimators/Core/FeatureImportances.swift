/// What a fitted model says about its features, in scikit-learn's terms: the impurity
/// importances of tree models (`feature_importances_`) or the coefficients of linear models
/// (`coef_`).
///
/// ```swift
/// let model = try estimator.fit(x, y, context: FitContext())
/// switch model.featureImportances {
/// case .impurity(let importances)?: print(importances)           // one per feature, summing to 1
/// case .coefficients(let rows)?: print(rows)                     // rows of one value per feature
/// case nil: print("\(model.estimatorName) does not rank features")
/// }
/// ```
public enum FeatureImportances: Sendable, Hashable, Codable {
    /// Mean decrease in impurity, normalized to sum to 1 (scikit-learn's `feature_importances_`).
    case impurity([Double])
    /// Coefficients as scikit-learn's `coef_`: one row per output (a single row for regressors and binary classifiers, one per class otherwise).
    case coefficients([[Double]])
}

extension TrainedModel {
    /// `nil`: a model ranks its features only when its type says how (the standard tree,
    /// ensemble and linear models do; custom models may).
    public var featureImportances: FeatureImportances? { nil }
}

extension DecisionTree {
    /// The tree's impurity importances: scikit-learn's `Tree.compute_feature_importances`.
    ///
    /// Every split node adds its weighted impurity decrease,
    /// `N_t · impurity − N_left · impurity_left − N_right · impurity_right`, to its feature;
    /// the sums are divided by the root's weight `N`. With `normalize` they are then divided
    /// by their total, unless it is 0 (a single leaf gives all zeros).
    ///
    /// - Parameters:
    ///   - featureCount: The model's number of features (the length of the result).
    ///   - normalize: Whether the result sums to 1.
    /// - Returns: One value per feature, or `nil` when the tree has no node statistics (it
    ///   was decoded from a payload written before they were stored) or they do not give
    ///   finite importances (targets whose squares overflow).
    /// - Complexity: O(nodes + features).
    public func impurityImportances(featureCount: Int, normalize: Bool) -> [Double]? {
        guard let impurity, let weights = weightedSampleCounts, impurity.count == nodeCount, weights.count == nodeCount else {
            return nil
        }
        var importances = [Double](repeating: 0, count: featureCount)
        for node in 0..<nodeCount where feature[node] >= 0 {
            let f = Int(feature[node]), l = Int(left[node]), r = Int(right[node])
            guard f < featureCount, l < nodeCount, r < nodeCount else { return nil }
            importances[f] += weights[node] * impurity[node] - weights[l] * impurity[l] - weights[r] * impurity[r]
        }
        guard let root = weights.first, root > 0 else { return nil }
        for f in importances.indices { importances[f] /= root }
        if normalize {
            let total = importances.reduce(0, +)
            if total > 0 { for f in importances.indices { importances[f] /= total } }
        }
        return importances.allSatisfy(\.isFinite) ? importances : nil
    }
}

/// Impurity importances of several trees, combined as scikit-learn's ensembles combine them.
enum TreeImportances {
    /// A tree model's importances: the tree's, normalized (a decision tree), or for more
    /// than one tree the forest's combination (``ensemble(_:featureCount:normalizePerTree:)``
    /// with `normalizePerTree`).
    static func averaged(_ trees: [DecisionTree], featureCount: Int) -> FeatureImportances? {
        guard trees.count == 1, let tree = trees.first else {
            return ensemble(trees, featureCount: featureCount, normalizePerTree: true)
        }
        return tree.impurityImportances(featureCount: featureCount, normalize: true).map(FeatureImportances.impurity)
    }

    /// The mean over the trees with more than one node of their importances (normalized
    /// per tree for a forest, `normalizePerTree`; not for boosting), normalized to sum to 1;
    /// all zeros when every tree is a single leaf. scikit-learn's
    /// `BaseForest.feature_importances_` and `BaseGradientBoosting.feature_importances_`.
    ///
    /// - Returns: `nil` when a tree has no node statistics, or the importances are not finite.
    /// - Complexity: O(total nodes + trees × features).
    static func ensemble(_ trees: [DecisionTree], featureCount: Int, normalizePerTree: Bool) -> FeatureImportances? {
        // Old trees have no statistics, single leaves included.
        guard trees.allSatisfy({ $0.impurity != nil && $0.weightedSampleCounts != nil }) else { return nil }
        var sum = [Double](repeating: 0, count: featureCount)
        var relevant = 0
        for tree in trees where tree.nodeCount > 1 {
            guard let importances = tree.impurityImportances(featureCount: featureCount, normalize: normalizePerTree) else { return nil }
            for f in 0..<featureCount { sum[f] += importances[f] }
            relevant += 1
        }
        guard relevant > 0 else { return .impurity(sum) }
        let mean = sum.map { $0 / Double(relevant) }
        let total = mean.reduce(0, +)
        guard total > 0 else { return .impurity(mean) }
        let normalized = mean.map { $0 / total }
        return normalized.allSatisfy(\.isFinite) ? .impurity(normalized) : nil
    }
}
