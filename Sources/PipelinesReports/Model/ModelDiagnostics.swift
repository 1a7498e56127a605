/// How one model does on its pipeline's testing set: a classifier's confusion matrix and
/// curves, or a regressor's predictions against the truth; and what its estimator says
/// about the features.
public struct ModelDiagnostics: Sendable, Hashable, Codable {
    /// The model's version.
    public var modelVersion: Int
    /// Why this model: `deployed` or `best testing score`.
    public var reason: String
    /// The number of testing rows it was computed on.
    public var rows: Int
    /// The task's diagnostics.
    public var kind: Kind
    /// Feature importances, where the estimator has them (nil otherwise).
    public var importances: Importances?

    /// Diagnostics; see the properties.
    public init(modelVersion: Int, reason: String, rows: Int, kind: Kind, importances: Importances?) {
        self.modelVersion = modelVersion
        self.reason = reason
        self.rows = rows
        self.kind = kind
        self.importances = importances
    }

    /// A classifier's or a regressor's diagnostics.
    public enum Kind: Sendable, Hashable, Codable {
        /// A classifier's.
        case classification(ClassificationDiagnostics)
        /// A regressor's.
        case regression(RegressionDiagnostics)
    }

    /// The features' importances as the estimator reports them.
    public struct Importances: Sendable, Hashable, Codable {
        /// `impurity` (mean decrease in impurity, summing to 1) or `coefficient`.
        public var kind: String
        /// The feature names, in the model's order.
        public var features: [String]
        /// One series per output: a single one for impurity importances, regressors and
        /// binary classifiers; one per class for a multi-class linear model.
        public var series: [Series]

        /// Importances; see the properties.
        public init(kind: String, features: [String], series: [Series]) {
            self.kind = kind
            self.features = features
            self.series = series
        }

        /// One output's values, one per feature.
        public struct Series: Sendable, Hashable, Codable {
            /// What the series is for (empty for a single series, else the class).
            public var label: String
            /// One value per feature.
            public var values: [Double]

            /// A series.
            public init(label: String, values: [Double]) {
                self.label = label
                self.values = values
            }
        }
    }
}

/// A classifier's confusion matrix and curves on the testing set.
public struct ClassificationDiagnostics: Sendable, Hashable, Codable {
    /// The classes, as text, in the model's order.
    public var classes: [String]
    /// `counts[t][p]`: testing rows of class `t` predicted as class `p`.
    public var confusion: [[Int]]
    /// ROC curves: one for a binary classifier (of its positive class, the second), one
    /// per class (one-vs-rest) otherwise.
    public var roc: [Curve]
    /// Precision-recall curves, as ``roc``.
    public var precisionRecall: [Curve]

    /// Classification diagnostics; see the properties.
    public init(classes: [String], confusion: [[Int]], roc: [Curve], precisionRecall: [Curve]) {
        self.classes = classes
        self.confusion = confusion
        self.roc = roc
        self.precisionRecall = precisionRecall
    }
}

/// A curve of points: x and y of equal length, with its summary area.
public struct Curve: Sendable, Hashable, Codable {
    /// What it is of, e.g. the positive class.
    public var label: String
    /// The x coordinates (false positive rate, or recall).
    public var x: [Double]
    /// The y coordinates (true positive rate, or precision).
    public var y: [Double]
    /// The area under the ROC curve, or the average precision.
    public var area: Double

    /// A curve; see the properties.
    public init(label: String, x: [Double], y: [Double], area: Double) {
        self.label = label
        self.x = x
        self.y = y
        self.area = area
    }
}

/// A regressor's predictions against the truth on the testing set.
public struct RegressionDiagnostics: Sendable, Hashable, Codable {
    /// The true values (at most 2,000 rows, an even sample when there are more).
    public var truth: [Double]
    /// The predictions for the same rows.
    public var predicted: [Double]
    /// Error scores on every testing row (not only the sample drawn): `rmse`, `mae`, `r2`.
    public var scores: [NamedScore]

    /// Regression diagnostics; see the properties.
    public init(truth: [Double], predicted: [Double], scores: [NamedScore] = []) {
        self.truth = truth
        self.predicted = predicted
        self.scores = scores
    }
}
