import Estimators
import LinearAlgebra
import Pipelines
import Scoring

extension ReportBuilder {
    /// The most points a regression scatter keeps (an even sample of the testing rows).
    static let scatterLimit = 2_000

    /// The diagnostics of the deployed model, else of the model with the best primary
    /// testing score; nil when there is none with an artifact or no testing set.
    func diagnostics(models: [ModelRecord], deployed: ModelID?, primary: String?) async throws(PipelineError) -> ModelDiagnostics? {
        guard let (chosen, reason) = chosenModel(models: models, deployed: deployed, primary: primary) else { return nil }
        let evaluation: TestingEvaluation
        do {
            evaluation = try await workspace.registry.testingEvaluation(of: chosen.id)
        } catch .notReady {
            return nil
        }
        return try Self.diagnostics(of: evaluation, reason: reason)
    }

    /// The deployed model, or the saved or tested one scoring best on the primary score.
    func chosenModel(models: [ModelRecord], deployed: ModelID?, primary: String?) -> (ModelRecord, String)? {
        if let deployed, let model = models.first(where: { $0.id == deployed }) { return (model, "deployed") }
        let candidates = models.filter { $0.status != .rejected }
        guard let primary, let function = try? workspace.scores.function(named: primary) else {
            return candidates.first.map { ($0, "newest") }
        }
        let scored = candidates.compactMap { model in Self.primaryTesting(of: model, primary: primary).map { (model, $0) } }
        guard let best = scored.min(by: { function.isBetter($0.1, than: $1.1) }) else {
            return candidates.first.map { ($0, "newest") }
        }
        return (best.0, "best testing \(primary)")
    }

    /// Confusion matrix and curves, or the scatter's points; and the importances.
    static func diagnostics(of evaluation: TestingEvaluation, reason: String) throws(PipelineError) -> ModelDiagnostics {
        let kind: ModelDiagnostics.Kind
        switch evaluation.truth {
        case .values(let truth):
            let rows = evenSample(count: truth.count, limit: scatterLimit)
            kind = .regression(RegressionDiagnostics(
                truth: rows.map { truth[$0] }, predicted: rows.map { evaluation.predicted[$0] },
                scores: try regressionScores(truth: truth, predicted: evaluation.predicted)))
        case .classes(let truth):
            let classes = (evaluation.classes ?? []).map(\.description)
            kind = .classification(try classification(truth: truth, evaluation: evaluation, classes: classes))
        }
        return ModelDiagnostics(
            modelVersion: evaluation.model.version, reason: reason, rows: evaluation.predicted.count, kind: kind,
            importances: importances(of: evaluation))
    }

    static func classification(truth: [Int], evaluation: TestingEvaluation, classes: [String]) throws(PipelineError) -> ClassificationDiagnostics {
        let predicted = evaluation.predicted.map { Int($0) }
        let indices = Array(classes.indices)
        let confusion: [[Int]]
        do {
            confusion = try confusionMatrix(truth, predicted, labels: indices).counts
        } catch {
            throw .scoring(error)
        }
        var roc: [Curve] = []
        var precisionRecall: [Curve] = []
        if let probabilities = evaluation.probabilities, probabilities.columns == classes.count {
            // A binary classifier: its positive (second) class; else each class against the rest.
            let positives = classes.count == 2 ? [1] : indices
            for positive in positives {
                let scores = (0..<probabilities.rows).map { probabilities[$0, positive] }
                // A class absent from the testing rows (or the only one present) has no curve.
                guard let rocCurve = try ifDefined({ () throws(ScoringError) in try rocCurve(truth, scores, positive: positive) }),
                    let prCurve = try ifDefined({ () throws(ScoringError) in try precisionRecallCurve(truth, scores, positive: positive) })
                else { continue }
                roc.append(Curve(label: classes[positive], x: rocCurve.falsePositiveRates, y: rocCurve.truePositiveRates, area: rocCurve.area))
                precisionRecall.append(Curve(label: classes[positive], x: prCurve.recalls, y: prCurve.precisions, area: prCurve.averagePrecision))
            }
        }
        return ClassificationDiagnostics(classes: classes, confusion: confusion, roc: roc, precisionRecall: precisionRecall)
    }

    static func importances(of evaluation: TestingEvaluation) -> ModelDiagnostics.Importances? {
        let names = evaluation.featureNames
        switch evaluation.loaded.model.featureImportances {
        case .impurity(let values)?:
            return .init(kind: "impurity", features: names, series: [.init(label: "", values: values)])
        case .coefficients(let rows)?:
            let classes = (evaluation.classes ?? []).map(\.description)
            let labels: [String]
            if rows.count == 1 {
                labels = [classes.count == 2 ? classes[1] : ""]
            } else {
                labels = rows.indices.map { $0 < classes.count ? classes[$0] : "output \($0 + 1)" }
            }
            return .init(kind: "coefficient", features: names, series: zip(labels, rows).map { .init(label: $0, values: $1) })
        case nil:
            return nil
        }
    }

    /// RMSE, MAE and R² on every testing row (each left out when it is not defined: no
    /// rows, or R² on a constant truth).
    ///
    /// - Throws: ``PipelineError/scoring(_:)`` for any other failure (non-finite predictions).
    static func regressionScores(truth: [Double], predicted: [Double]) throws(PipelineError) -> [NamedScore] {
        var scores: [NamedScore] = []
        if let value = try ifDefined({ () throws(ScoringError) in try rootMeanSquaredError(truth, predicted) }) {
            scores.append(NamedScore(name: "rmse", value: value))
        }
        if let value = try ifDefined({ () throws(ScoringError) in try meanAbsoluteError(truth, predicted) }) {
            scores.append(NamedScore(name: "mae", value: value))
        }
        if let value = try ifDefined({ () throws(ScoringError) in try r2(truth, predicted) }), value.isFinite {
            scores.append(NamedScore(name: "r2", value: value))
        }
        return scores
    }

    /// What `measure` gives, or nil when it is not defined for these rows (none, or one
    /// class only); any other scoring failure is thrown, not hidden.
    static func ifDefined<T>(_ measure: () throws(ScoringError) -> T) throws(PipelineError) -> T? {
        do {
            return try measure()
        } catch .empty, .undefined {
            return nil
        } catch {
            throw .scoring(error)
        }
    }

    /// `limit` row indices spread evenly over `count` rows (all of them when fewer).
    static func evenSample(count: Int, limit: Int) -> [Int] {
        guard count > limit else { return Array(0..<count) }
        return (0..<limit).map { $0 * count / limit }
    }
}
