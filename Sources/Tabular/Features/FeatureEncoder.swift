import Dispatch
public import LinearAlgebra

/// Turns a table's feature columns into a numeric matrix: numbers pass through, booleans
/// become 0/1, categorical features are one-hot encoded, and missing values are refused
/// or imputed — all fitted on training data only and then applied unchanged.
///
/// ```swift
/// var options = FeatureEncoder.Options()
/// options.missing["temperature"] = .mean
/// options.unknownCategories = .ignore
/// let encoder = try FeatureEncoder.fit(training, features: ["temperature", "line"], options: options)
/// let x = try encoder.transform(testing)     // same columns, same order
/// encoder.outputNames                        // ["temperature", "line=blue", "line=red"]
/// ```
public struct FeatureEncoder: Sendable, Hashable, Codable {
    /// What to do with missing values of a feature (scikit-learn's `SimpleImputer`
    /// strategies, fitted on training rows only).
    public enum MissingPolicy: Sendable, Hashable, Codable, CustomStringConvertible {
        /// Refuse them: ``TabularError/missingValue(feature:row:)`` (the default).
        case error
        /// Replace them with the training mean (numeric features only).
        case mean
        /// Replace them with the training median (numeric features only).
        case median
        /// Replace them with the most frequent training value (ties: the smallest).
        case mostFrequent
        /// Replace them with this value (a number for numeric features, a category for
        /// categorical ones, a boolean for boolean ones).
        case constant(Value)

        /// The policies without a value, by name (`error`, `mean`, `median`, `mostFrequent`).
        public static let named: [String: MissingPolicy] = ["error": .error, "mean": .mean, "median": .median, "mostFrequent": .mostFrequent]

        /// `mean`, `median`, …, or `constant(12.5)`.
        public var description: String {
            switch self {
            case .error: return "error"
            case .mean: return "mean"
            case .median: return "median"
            case .mostFrequent: return "mostFrequent"
            case .constant(let value): return "constant(\(value))"
            }
        }

        /// `"median"`, or `{"constant": <value>}`.
        public init(from decoder: any Decoder) throws {
            if let name = try? decoder.singleValueContainer().decode(String.self) {
                guard let policy = Self.named[name] else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown missing-value policy '\(name)'"))
                }
                self = policy
            } else {
                let container = try decoder.container(keyedBy: ConstantKey.self)
                self = .constant(try container.decode(Value.self, forKey: .constant))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            if case .constant(let value) = self {
                var container = encoder.container(keyedBy: ConstantKey.self)
                try container.encode(value, forKey: .constant)
            } else {
                var container = encoder.singleValueContainer()
                try container.encode(description)
            }
        }

        private enum ConstantKey: String, CodingKey { case constant }

        /// Why this policy cannot impute `feature` of `type`, or nil when it can: the one
        /// rule fitting and configuration checks share.
        ///
        /// `mean` and `median` need a number; a constant needs a finite value of the
        /// feature's type (an integer for a number and back).
        public func problem(imputing type: ColumnType, feature: String) -> String? {
            switch (self, type) {
            case (.error, _), (.mostFrequent, _), (.mean, .numeric), (.mean, .integer), (.median, .numeric), (.median, .integer):
                return nil
            case (.mean, _), (.median, _):
                return "feature '\(feature)' is \(type.rawValue): impute it with mostFrequent or a constant, not \(self)"
            case (.constant(let value), _):
                switch (value, type) {
                case (.numeric(let x), .numeric), (.numeric(let x), .integer):
                    return x.isFinite ? nil : "feature '\(feature)': the constant \(x) is not a finite number"
                case (.integer, .numeric), (.integer, .integer), (.categorical, .categorical), (.boolean, .boolean):
                    return nil
                default:
                    return "feature '\(feature)' is \(type.rawValue): impute it with a \(type.rawValue) constant, not \(value)"
                }
            }
        }
    }

    /// What to do with a category not seen during fitting.
    public enum UnknownCategoryPolicy: String, Sendable, Hashable, Codable {
        /// Refuse it: ``TabularError/unknownCategory(feature:category:row:)`` (the default).
        case error
        /// Encode it as all zeros in that feature's one-hot columns.
        case ignore
    }

    /// Fitting options.
    public struct Options: Sendable, Hashable, Codable {
        /// Per-feature missing-value policy; features not named use ``defaultMissing``.
        public var missing: [String: MissingPolicy] = [:]
        /// The policy for features not named in ``missing``.
        public var defaultMissing: MissingPolicy = .error
        /// The policy for categories unseen at fit time.
        public var unknownCategories: UnknownCategoryPolicy = .error

        public init() {}
    }

    /// How one feature is encoded.
    public enum Encoding: Sendable, Hashable, Codable {
        /// One output column; missing values are replaced by `imputed` when set.
        case numeric(imputed: Double?)
        /// One output column per category, sorted; missing values become `imputed` when set.
        case oneHot(categories: [String], imputed: String?)
    }

    /// One fitted feature.
    public struct Feature: Sendable, Hashable, Codable {
        /// The column name.
        public var name: String
        /// The column type seen at fit time.
        public var type: ColumnType
        /// How it is encoded.
        public var encoding: Encoding
    }

    /// The fitted features, in output order.
    public let features: [Feature]
    /// The policy for unseen categories.
    public let unknownCategories: UnknownCategoryPolicy

    /// The names of the output columns: the feature's name, or `name=category` for each
    /// one-hot column.
    public var outputNames: [String] {
        features.flatMap { feature -> [String] in
            switch feature.encoding {
            case .numeric: return [feature.name]
            case .oneHot(let categories, _): return categories.map { "\(feature.name)=\($0)" }
            }
        }
    }

    /// Where each feature's output columns start, in feature order, followed by the total
    /// output width.
    public var outputOffsets: [Int] {
        var offsets = [0]
        for feature in features {
            let width: Int
            if case .oneHot(let categories, _) = feature.encoding { width = categories.count } else { width = 1 }
            offsets.append(offsets[offsets.count - 1] + width)
        }
        return offsets
    }

    /// Learns the encoding of `features` from training data.
    ///
    /// - Parameters:
    ///   - table: Training data.
    ///   - features: The feature columns, in output order.
    ///   - rows: The rows to learn from (all rows when nil), e.g. training minus the
    ///     validation rows, without copying them out of `table` first.
    ///   - options: Missing-value and unknown-category policies.
    /// - Throws: ``TabularError/unknownColumn(_:available:)``;
    ///   ``TabularError/invalidArgument(_:)`` for mean or median imputation of a
    ///   categorical feature or imputation of a feature with no values.
    /// - Complexity: O(rows × features) for imputed or categorical features, O(features)
    ///   for numeric ones that refuse missing values; plus a sort per imputed median or
    ///   category set.
    public static func fit(
        _ table: Table, features: [String], rows: [Int]? = nil, options: Options = Options()
    ) throws(TabularError) -> FeatureEncoder {
        try fit(columns: table, features: features, rows: rows, options: options)
    }

    /// Learns the encoding of `features` from `source`'s columns; reads a column's values
    /// only when its encoding needs them (categories, or an imputed statistic).
    ///
    /// - Throws: as ``fit(_:features:rows:options:)``.
    /// - Complexity: as ``fit(_:features:rows:options:)``.
    package static func fit(
        columns source: some FeatureColumns, features: [String], rows: [Int]? = nil, options: Options = Options()
    ) throws(TabularError) -> FeatureEncoder {
        var fitted: [Feature] = []
        for name in features {
            let type = try source.columnType(named: name)
            let policy = options.missing[name] ?? options.defaultMissing
            fitted.append(Feature(name: name, type: type, encoding: try encoding(of: name, type: type, in: source, rows: rows, policy: policy)))
        }
        return FeatureEncoder(features: fitted, unknownCategories: options.unknownCategories)
    }

    private static func encoding(
        of name: String, type: ColumnType, in source: some FeatureColumns, rows: [Int]?, policy: MissingPolicy
    ) throws(TabularError) -> Encoding {
        if let problem = policy.problem(imputing: type, feature: name) { throw .invalidArgument(problem) }
        // A number that refuses missing values (or takes a constant) learns nothing from the rows.
        if type != .categorical {
            switch policy {
            case .error: return .numeric(imputed: nil)
            case .constant(let value): return .numeric(imputed: value.doubleValue)
            case .mean, .median, .mostFrequent: break
            }
        }
        let column = try source.column(named: name)
        let present = (rows ?? Array(0..<column.count)).filter { !column.isMissing($0) }
        if case .constant(let value) = policy {
            return constantEncoding(of: column, value: value, present: present)
        }
        if policy != .error && present.isEmpty {
            throw .invalidArgument("feature '\(column.name)' has no values to impute \(policy) from")
        }
        if case .categorical(let values) = column.values {
            let categories = Set(present.map { values[$0] }).sorted(by: codePointOrder)
            let imputed = policy == .mostFrequent ? mostFrequent(present.map { values[$0] }, by: codePointOrder) : nil
            return .oneHot(categories: categories, imputed: imputed)
        }
        let numbers: [Double] = present.map { column[$0].doubleValue ?? 0 }
        switch policy {
        case .error, .constant: return .numeric(imputed: nil)
        case .mean: return .numeric(imputed: numbers.reduce(0, +) / Double(numbers.count))
        case .median:
            let sorted = numbers.sorted()
            let middle = sorted.count / 2
            return .numeric(imputed: sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2)
        case .mostFrequent: return .numeric(imputed: mostFrequent(numbers, by: <))
        }
    }

    /// The encoding of a feature imputed by a constant that ``MissingPolicy/problem(imputing:feature:)``
    /// accepted for its type. A constant category joins the one-hot categories (as
    /// scikit-learn's `SimpleImputer` before `OneHotEncoder` does).
    private static func constantEncoding(of column: Column, value: Value, present: [Int]) -> Encoding {
        if case .categorical(let values) = column.values, case .categorical(let category) = value {
            let categories = Set(present.map { values[$0] } + [category]).sorted(by: codePointOrder)
            return .oneHot(categories: categories, imputed: category)
        }
        return .numeric(imputed: value.doubleValue)
    }

    private static func mostFrequent<T: Hashable>(_ values: [T], by areInIncreasingOrder: (T, T) -> Bool) -> T? {
        var counts: [T: Int] = [:]
        for value in values { counts[value, default: 0] += 1 }
        return counts.max { a, b in a.value != b.value ? a.value < b.value : areInIncreasingOrder(b.key, a.key) }?.key
    }

    /// Encodes the features of `table` (extra columns are ignored).
    ///
    /// - Parameters:
    ///   - table: The rows to encode.
    ///   - rows: Which rows of `table`, in output order (all rows when nil); errors name
    ///     the row's index in `table`.
    /// - Throws: ``TabularError/unknownColumn(_:available:)``,
    ///   ``TabularError/typeMismatch(column:expected:actual:)`` when a feature's type
    ///   differs from fit time (integer for numeric is accepted),
    ///   ``TabularError/missingValue(feature:row:)``,
    ///   ``TabularError/invalidValue(feature:row:value:expected:)`` for NaN or infinity, or
    ///   ``TabularError/unknownCategory(feature:category:row:)`` naming feature and row.
    ///   Records are encoded by the same rule: ``transform(records:)``.
    /// - Complexity: O(rows × output columns). Rows are written in blocks that stay in
    ///   cache, every feature of a block before the next; a number without missing values
    ///   is copied without going through ``Value``.
    public func transform(_ table: Table, rows: [Int]? = nil) throws(TabularError) -> Matrix {
        try transform(columns: table, rows: rows)
    }

    /// The design matrix of `source`'s rows (all, or those at `rows`, in that order);
    /// numbers stored in place (``FeatureColumns/storedDoubles(named:)``) are copied
    /// straight into it.
    ///
    /// - Throws: as ``transform(_:rows:)``.
    /// - Complexity: as ``transform(_:rows:)``.
    package func transform(columns source: some FeatureColumns, rows: [Int]? = nil) throws(TabularError) -> Matrix {
        let offsets = outputOffsets
        let width = offsets[features.count]
        var inputs: [FeatureInput] = []
        inputs.reserveCapacity(features.count)
        for feature in features {
            let type = try source.columnType(named: feature.name)
            let compatible: Bool
            switch feature.type {
            case .numeric, .integer: compatible = type == .numeric || type == .integer
            case .boolean, .categorical: compatible = type == feature.type
            }
            guard compatible else { throw .typeMismatch(column: feature.name, expected: feature.type, actual: type) }
            if case .numeric = feature.encoding, let stored = source.storedDoubles(named: feature.name) {
                inputs.append(.stored(stored))
            } else {
                inputs.append(.column(try source.column(named: feature.name)))
            }
        }
        if let rows, let bad = rows.first(where: { $0 < 0 || $0 >= source.rowCount }) {
            throw .invalidArgument("row \(bad) is outside the table's \(source.rowCount) rows")
        }
        let count = rows?.count ?? source.rowCount
        // Every element is written below; only one-hot columns need zeros first (a fresh
        // matrix is not zero-filled for nothing: 80 MB of stores saved on 200,000 × 50).
        let oneHot = features.contains { feature in
            if case .oneHot = feature.encoding { return true }
            return false
        }
        // Row blocks of 256 rows, every feature of a block before the next, shared by two
        // threads for large inputs; the error reported is the first block's, whatever the threads.
        let block = 256
        let blocks = (count + block - 1) / block
        let workers = count >= 16_384 ? 2 : 1
        let featureInputs = inputs
        var failures = [TabularError?](repeating: nil, count: blocks)
        let elements = LargeArrays.doubles(count: count * width) { buffer in
            if oneHot { buffer.initialize(repeating: 0) }
            let output = UnsafeSendableBuffer(buffer)
            failures.withUnsafeMutableBufferPointer { failed in
                let failed = UnsafeSendableBuffer(failed)
                let encodeBlock: @Sendable (Int) -> Void = { index in
                    let rowsOfBlock = (index * block)..<min(count, (index + 1) * block)
                    for (position, feature) in features.enumerated() {
                        do throws(TabularError) {
                            try fill(output.buffer, width: width, offset: offsets[position], feature: feature, input: featureInputs[position],
                                     outputRows: rowsOfBlock, rows: rows)
                        } catch {
                            failed.buffer[index] = error
                            return
                        }
                    }
                }
                if workers > 1 {
                    DispatchQueue.concurrentPerform(iterations: workers) { worker in
                        for index in stride(from: worker, to: blocks, by: workers) { encodeBlock(index) }
                    }
                } else {
                    for index in 0..<blocks { encodeBlock(index) }
                }
            }
            if failures.contains(where: { $0 != nil }) && !oneHot { buffer.initialize(repeating: 0) }
        }
        let failure = failures.first { $0 != nil } ?? nil
        if let failure { throw failure }
        do { return try Matrix(rows: count, columns: width, elements: elements) } catch {
            throw .invalidArgument("cannot build the \(count)×\(width) matrix: \(error)")
        }
    }
}
