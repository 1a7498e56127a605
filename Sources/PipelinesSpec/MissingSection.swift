import Pipelines
import Tabular

extension SpecReader {
    static let missingKeys = ["default", "features", "unknownCategories", "labels", "tokens", "allowInfinity"]

    /// `dataset.missing`: the imputation policy of every feature (`default`) and per
    /// feature (`features`), the unseen-category policy and the missing-label policy.
    ///
    /// ```yaml
    /// missing:
    ///   default: median
    ///   features: {island: mostFrequent, sex: {constant: unknown}}
    ///   unknownCategories: ignore
    ///   labels: drop
    ///   tokens: ["NA", "-", "?"]      # replaces pandas' default tokens
    ///   allowInfinity: false
    /// ```
    func missingValues(_ field: Field) throws(SpecError) -> MissingValues {
        let object = try field.object(allowed: Self.missingKeys)
        var settings = MissingValues()
        if let policy = object.optional("default") { settings.default = try missingPolicy(policy) }
        if let features = object.optional("features") {
            for (name, policy) in try features.object(allowed: nil).fields {
                settings.features[name] = try missingPolicy(policy)
            }
        }
        if let unknown = object.optional("unknownCategories") {
            let name = try unknown.string()
            guard let policy = FeatureEncoder.UnknownCategoryPolicy(rawValue: name) else {
                throw unknown.error("unknown policy '\(name)' (allowed: error, ignore)")
            }
            settings.unknownCategories = policy
        }
        if let tokens = object.optional("tokens") { settings.tokens = Set(try tokens.strings()) }
        if let infinity = object.optional("allowInfinity") { settings.allowsInfinity = try infinity.bool() }
        if let labels = object.optional("labels") {
            let name = try labels.string()
            guard let policy = MissingValues.LabelPolicy(rawValue: name) else {
                throw labels.error("unknown policy '\(name)' (allowed: refuse, drop)")
            }
            settings.labels = policy
        }
        return settings
    }

    /// `error`, `mean`, `median`, `mostFrequent`, or `{constant: VALUE}`.
    private func missingPolicy(_ field: Field) throws(SpecError) -> FeatureEncoder.MissingPolicy {
        let allowed = "error, mean, median, mostFrequent, or {constant: value}"
        if case .scalar(.string(let name)) = field.node.content {
            guard let policy = FeatureEncoder.MissingPolicy.named[name] else { throw field.error("unknown policy '\(name)' (allowed: \(allowed))") }
            return policy
        }
        guard case .mapping = field.node.content else { throw field.typeError(expected: allowed) }
        let constant = try field.object(allowed: ["constant"]).required("constant")
        guard case .scalar(let scalar) = constant.node.content else {
            throw constant.typeError(expected: "a number, a string or a boolean")
        }
        switch scalar {
        case .bool(let value): return .constant(.boolean(value))
        case .string(let value): return .constant(.categorical(value))
        case .float(let value, _): return .constant(.numeric(value))
        case .int: return .constant(.integer(try constant.integer()))
        case .null: throw constant.typeError(expected: "a number, a string or a boolean")
        }
    }
}
