import LinearAlgebra

/// The classification criterion named by `criterion`.
enum ClassificationCriterion: Sendable, Hashable {
    case gini, entropy

    init(_ name: String?) { self = name == "entropy" || name == "log_loss" ? .entropy : .gini }
}

/// Grows trees for the tree estimators and ensembles; `threads` scans a large node's
/// features in parallel (pass 1 when the trees themselves are grown in parallel).
enum TreeFitting {
    /// A classification tree on class indices, with per-row weights.
    static func classificationTree(
        _ binned: BinnedFeatures, classes: [Int], classCount: Int, criterion: ClassificationCriterion,
        limits: TreeLimits, weights: [Double], threads: Int = 1, random: inout RandomSource
    ) -> DecisionTree {
        let targets = classes.map(classTarget)
        switch criterion {
        case .gini:
            let grower = TreeGrower(binned: binned, criterion: GiniCriterion(classCount: classCount), limits: limits, threads: threads)
            return grower.grow(weights: weights, targets: targets, random: &random).tree
        case .entropy:
            let grower = TreeGrower(binned: binned, criterion: EntropyCriterion(classCount: classCount), limits: limits, threads: threads)
            return grower.grow(weights: weights, targets: targets, random: &random).tree
        }
    }

    /// A regression tree on values, with per-row weights.
    static func regressionTree(
        _ binned: BinnedFeatures, values: [Double], limits: TreeLimits, weights: [Double], threads: Int = 1,
        random: inout RandomSource
    ) -> GrownTree {
        if weights.allSatisfy({ $0 == 0 || $0 == 1 }) {
            return TreeGrower(binned: binned, criterion: UnitSquaredErrorCriterion(), limits: limits, threads: threads)
                .grow(weights: weights, targets: values, random: &random)
        }
        return TreeGrower(binned: binned, criterion: SquaredErrorCriterion(), limits: limits, threads: threads)
            .grow(weights: weights, targets: values, random: &random)
    }

    /// The model `make` assembles from fitted trees; one that fails its own checks (e.g.
    /// non-finite leaf values from targets near the largest double) is a failed fit.
    ///
    /// - Throws: ``EstimatorError/fitFailed(estimator:reason:)``.
    static func model<Model>(_ estimator: String, _ make: () throws(EstimatorError) -> Model) throws(EstimatorError) -> Model {
        do {
            return try make()
        } catch {
            throw .fitFailed(estimator: estimator, reason: "the fitted model is invalid (\(error))")
        }
    }
}
