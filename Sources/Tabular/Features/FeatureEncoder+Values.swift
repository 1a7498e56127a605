public import LinearAlgebra

/// The one place a feature value becomes model input: tables (``FeatureEncoder/transform(_:)``)
/// and records (``FeatureEncoder/transform(records:)``) both call ``FeatureEncoder/write(_:of:into:at:row:)``,
/// so they can never disagree on missing values, non-finite numbers, integer/number
/// mixing, booleans or categories.
extension FeatureEncoder {
    /// Encodes records of feature name → value as ``transform(_:)`` encodes a table with
    /// those columns: record `i` is row `i`. A feature absent from a record is a missing
    /// value (imputed or refused by the feature's policy); a name that is not a feature is
    /// refused, so a misspelt feature never passes as a missing one.
    ///
    /// ```swift
    /// let x = try encoder.transform(records: [["temperature": 21.5, "line": "red"], ["temperature": nil, "line": "blue"]])
    /// ```
    ///
    /// - Parameter records: One dictionary per row.
    /// - Throws: ``TabularError/unknownFeature(_:row:features:)``,
    ///   ``TabularError/missingValue(feature:row:)``, ``TabularError/invalidValue(feature:row:value:expected:)``,
    ///   ``TabularError/unknownCategory(feature:category:row:)``, naming the record (as row).
    /// - Complexity: O(records × features), plus a binary search per categorical value.
    public func transform(records: [[String: Value]]) throws(TabularError) -> Matrix {
        let offsets = outputOffsets
        let width = offsets[features.count]
        var result = Matrix(rows: records.count, columns: width)
        try result.withUnsafeMutableElements { (out) throws(TabularError) in
            for (row, record) in records.enumerated() {
                var matched = 0
                for (feature, offset) in zip(features, offsets) {
                    let value: Value
                    if let given = record[feature.name] {
                        value = given
                        matched += 1
                    } else {
                        value = .missing
                    }
                    try write(value, of: feature, into: out, at: row * width + offset, row: row)
                }
                if matched != record.count, let unknown = record.keys.sorted().first(where: { name in !features.contains { $0.name == name } }) {
                    throw .unknownFeature(unknown, row: row, features: features.map(\.name))
                }
            }
        }
        return result
    }

    /// Writes the encoding of one value of `feature` at `position` (its first output
    /// column): the single rule for every input path.
    ///
    /// - Missing: the feature's imputed value, else ``TabularError/missingValue(feature:row:)``.
    /// - Numeric and integer features: a finite number or an integer (either for either);
    ///   NaN or infinity is ``TabularError/invalidValue(feature:row:value:expected:)``.
    /// - Boolean features: a boolean, as 0 or 1.
    /// - Categorical features: a category, as a one in its one-hot column; an unseen one is
    ///   refused or left all zeros by ``unknownCategories``.
    ///
    /// - Complexity: O(1), or O(log categories) for a categorical value.
    @inline(__always)
    func write(
        _ value: Value, of feature: Feature, into out: UnsafeMutableBufferPointer<Double>, at position: Int, row: Int
    ) throws(TabularError) {
        switch feature.encoding {
        case .numeric(let imputed):
            let number: Double
            switch (value, feature.type) {
            case (.missing, _):
                guard let imputed else { throw .missingValue(feature: feature.name, row: row) }
                number = imputed
            case (.numeric(let x), .numeric), (.numeric(let x), .integer):
                guard x.isFinite else { throw .invalidValue(feature: feature.name, row: row, value: value, expected: feature.type) }
                number = x
            case (.integer(let x), .numeric), (.integer(let x), .integer):
                number = Double(x)
            case (.boolean(let b), .boolean):
                number = b ? 1 : 0
            default:
                throw .invalidValue(feature: feature.name, row: row, value: value, expected: feature.type)
            }
            out[position] = number
        case .oneHot(let categories, let imputed):
            let category: String
            switch value {
            case .missing:
                guard let imputed else { throw .missingValue(feature: feature.name, row: row) }
                category = imputed
            case .categorical(let text):
                category = text
            default:
                throw .invalidValue(feature: feature.name, row: row, value: value, expected: .categorical)
            }
            if let slot = Self.slot(of: category, in: categories) {
                out[position + slot] = 1
            } else if unknownCategories == .error {
                throw .unknownCategory(feature: feature.name, category: category, row: row)
            }
        }
    }

    /// The index of `category` in `categories` (sorted in code-point order), if present.
    ///
    /// - Complexity: O(log categories).
    static func slot(of category: String, in categories: [String]) -> Int? {
        var low = 0
        var high = categories.count
        while low < high {
            let middle = (low + high) / 2
            if codePointOrder(categories[middle], category) { low = middle + 1 } else { high = middle }
        }
        return low < categories.count && categories[low] == category ? low : nil
    }
}
