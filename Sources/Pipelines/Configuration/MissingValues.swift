public import Tabular

/// What a pipeline does with missing values and unseen categories: the imputation of each
/// feature (fitted on the fitting rows only, stored with the model, and applied the same
/// way at validation, testing and prediction), the policy for categories a model never saw,
/// and what happens to rows whose label is missing.
///
/// ```swift
/// config.dataset.missing = MissingValues(default: .median, features: ["island": .mostFrequent, "sex": .constant("unknown")],
///                                        unknownCategories: .ignore)
/// ```
public struct MissingValues: Sendable, Hashable, Codable {
    /// What happens to a row whose label is missing.
    public enum LabelPolicy: String, Sendable, Hashable, Codable {
        /// Dataset generation fails, naming the rows (the default): nothing is stored.
        case refuse
        /// The rows are left out of the datasets; the generation summary says how many.
        case drop
    }

    /// The policy of features not named in ``features``.
    public var `default`: FeatureEncoder.MissingPolicy
    /// Per-feature policies.
    public var features: [String: FeatureEncoder.MissingPolicy]
    /// Categories not seen at fit time, at testing and prediction: `.ignore` (the default
    /// for pipelines, as before these settings existed: all zeros in the feature's one-hot
    /// columns, so a rare category that fell into the testing set does not fail testing) or
    /// `.error`.
    public var unknownCategories: FeatureEncoder.UnknownCategoryPolicy
    /// Rows whose label is missing.
    public var labels: LabelPolicy
    /// The cells of a CSV source that read as missing, besides empty ones (nil: pandas'
    /// defaults, `CSVOptions.pandasMissingValues` — `NA`, `N/A`, `NaN`, `nan`, `null`, …).
    public var tokens: Set<String>?
    /// Whether `inf`/`-inf` in a numeric CSV column read as infinities (false: they are
    /// errors naming file, line and column). Infinities are still refused as features.
    public var allowsInfinity: Bool

    /// Missing-value settings; the defaults refuse every missing value and every row with a
    /// missing label, and encode unseen categories as all zeros.
    public init(
        default policy: FeatureEncoder.MissingPolicy = .error, features: [String: FeatureEncoder.MissingPolicy] = [:],
        unknownCategories: FeatureEncoder.UnknownCategoryPolicy = .ignore, labels: LabelPolicy = .refuse,
        tokens: Set<String>? = nil, allowsInfinity: Bool = false
    ) {
        self.default = policy
        self.features = features
        self.unknownCategories = unknownCategories
        self.labels = labels
        self.tokens = tokens
        self.allowsInfinity = allowsInfinity
    }

    private enum CodingKeys: String, CodingKey { case `default`, features, unknownCategories, labels, tokens, allowsInfinity }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            default: try c.decodeIfPresent(FeatureEncoder.MissingPolicy.self, forKey: .default) ?? .error,
            features: try c.decodeIfPresent([String: FeatureEncoder.MissingPolicy].self, forKey: .features) ?? [:],
            unknownCategories: try c.decodeIfPresent(FeatureEncoder.UnknownCategoryPolicy.self, forKey: .unknownCategories) ?? .ignore,
            labels: try c.decodeIfPresent(LabelPolicy.self, forKey: .labels) ?? .refuse,
            tokens: try c.decodeIfPresent(Set<String>.self, forKey: .tokens),
            allowsInfinity: try c.decodeIfPresent(Bool.self, forKey: .allowsInfinity) ?? false)
    }

    /// The CSV options these settings read sources with.
    public var csvOptions: CSVOptions {
        var options = CSVOptions()
        if let tokens { options.missingValues = tokens }
        options.allowsInfinity = allowsInfinity
        return options
    }

    /// The feature encoder's fitting options these settings describe.
    public var encoderOptions: FeatureEncoder.Options {
        var options = FeatureEncoder.Options()
        options.defaultMissing = `default`
        options.missing = features
        options.unknownCategories = unknownCategories
        return options
    }

    /// Every problem of these settings against the chosen features and their types (at
    /// `dataset.missing…`).
    func problems(features chosen: [String], schema: Schema) -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        let chosenSet = Set(chosen)
        for name in features.keys.sorted() where !chosenSet.contains(name) {
            problems.append(ConfigurationProblem(
                "dataset.missing.features.\(name)", "'\(name)' is not a feature (features: \(chosen.joined(separator: ", ")))"))
        }
        for name in chosen {
            guard let type = schema[name] else { continue }
            let policy = features[name] ?? `default`
            let path = features[name] == nil ? "dataset.missing.default" : "dataset.missing.features.\(name)"
            if let problem = policy.problem(imputing: type, feature: name) { problems.append(ConfigurationProblem(path, problem)) }
        }
        return problems
    }
}
