public import Estimators

/// One hyper-parameter's setting in the tuning step.
public enum TuningValue: Sendable, Hashable, Codable {
    /// One value.
    case single(HyperParameterValue)
    /// Several values: each is tried (a grid over all multiple-valued parameters).
    case multiple([HyperParameterValue])

    /// The values this setting contributes to the grid.
    public var values: [HyperParameterValue] {
        switch self {
        case .single(let value): return [value]
        case .multiple(let values): return values
        }
    }
}

/// Step 3: hyper-parameter values; multiple values make a grid of combinations.
///
/// ```swift
/// config.tuning["max_depth"] = .multiple([5, 7, 9])
/// config.tuning["n_estimators"] = .single(100)
/// config.tuning.combinationCount  // 3
/// ```
public struct TuningStep: Sendable, Hashable, Codable {
    /// The settings by hyper-parameter name; unnamed parameters keep their defaults.
    public var values: [String: TuningValue]

    /// A tuning step.
    public init(_ values: [String: TuningValue] = [:]) { self.values = values }

    /// The setting of one hyper-parameter.
    public subscript(name: String) -> TuningValue? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// The number of combinations a training run fits: the product of the value counts
    /// (1 with no setting; 0 when a setting lists no value).
    public var combinationCount: Int {
        values.values.reduce(1) { $0 * $1.values.count }
    }

    /// Every combination, in a stable order: parameters by name, the first parameter's
    /// values varying slowest.
    ///
    /// - Complexity: O(combinations × parameters).
    public var combinations: [[String: HyperParameterValue]] {
        var result: [[String: HyperParameterValue]] = [[:]]
        for name in values.keys.sorted() {
            guard let setting = values[name] else { continue }
            result = result.flatMap { partial in
                setting.values.map { value in partial.merging([name: value]) { _, new in new } }
            }
        }
        return result
    }
}
