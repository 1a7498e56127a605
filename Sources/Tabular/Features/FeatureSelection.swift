/// Which columns a dataset uses: the label (Y), the features (X) and the key columns that
/// identify a row.
///
/// ```swift
/// // Every column except the label, the keys and "date":
/// let selection = FeatureSelection(label: "is_overcrowded", excluding: ["date"], keys: ["station_id"])
/// let resolved = try selection.resolve(against: table.schema)
/// resolved.features   // in table order
/// ```
public struct FeatureSelection: Sendable, Hashable, Codable {
    /// The label column.
    public var label: String
    /// The feature columns, or `nil` for "all columns except the label, the keys and
    /// ``excluded``".
    public var features: [String]?
    /// Columns left out when ``features`` is `nil`.
    public var excluded: [String]
    /// The columns whose values identify a row (may be empty).
    public var keys: [String]

    /// An explicit feature list.
    public init(label: String, features: [String], keys: [String] = []) {
        self.label = label
        self.features = features
        self.excluded = []
        self.keys = keys
    }

    /// All columns except the label, the keys and `excluded`.
    public init(label: String, excluding excluded: [String] = [], keys: [String] = []) {
        self.label = label
        self.features = nil
        self.excluded = excluded
        self.keys = keys
    }

    /// The selection checked against a schema.
    public struct Resolved: Sendable, Hashable, Codable {
        /// The label column.
        public var label: String
        /// The feature columns, in order.
        public var features: [String]
        /// The key columns.
        public var keys: [String]

        /// Every column the dataset keeps: keys, then features, then the label, without
        /// repeats.
        public var allColumns: [String] {
            var seen = Set<String>()
            return (keys + features + [label]).filter { seen.insert($0).inserted }
        }
    }

    /// Checks the selection against `schema` and lists the features.
    ///
    /// - Throws: ``TabularError/invalidSelection(_:)`` listing **every** problem: a label,
    ///   feature, key or excluded column that is not in the schema, the label among the
    ///   features, a repeated feature, or no features at all.
    public func resolve(against schema: Schema) throws(TabularError) -> Resolved {
        let names = schema.columns.map(\.name)
        let available = Set(names)
        var problems: [String] = []
        if !available.contains(label) { problems.append("label '\(label)' is not a column") }
        for key in keys where !available.contains(key) { problems.append("key '\(key)' is not a column") }
        let chosen: [String]
        if let features {
            for feature in features where !available.contains(feature) {
                problems.append("feature '\(feature)' is not a column")
            }
            if features.contains(label) { problems.append("label '\(label)' is also listed as a feature") }
            var seen = Set<String>()
            for feature in features where !seen.insert(feature).inserted {
                problems.append("feature '\(feature)' is listed twice")
            }
            chosen = features
        } else {
            for name in excluded where !available.contains(name) {
                problems.append("excluded column '\(name)' is not a column")
            }
            let left = Set([label] + keys + excluded)
            chosen = names.filter { !left.contains($0) }
        }
        if chosen.isEmpty { problems.append("no feature columns are selected") }
        guard problems.isEmpty else { throw .invalidSelection(problems) }
        return Resolved(label: label, features: chosen, keys: keys)
    }
}
