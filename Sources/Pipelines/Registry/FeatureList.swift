import Foundation

/// Reads the list of a model's X variables as imports declare them: one name per line,
/// a JSON array of names, or a JSON object `{"columns": [...]}`.
///
/// ```swift
/// let names = try FeatureList.parse("sepal_length\nsepal_width\n")
/// let same = try FeatureList.parse(#"{"columns": ["sepal_length", "sepal_width"]}"#)
/// ```
public enum FeatureList {
    /// The feature names in `text`.
    ///
    /// - Throws: ``PipelineError/invalidFeatureList(_:)`` for malformed JSON, an empty
    ///   list, an empty or repeated name (with its line or position).
    public static func parse(_ text: String) throws(PipelineError) -> [String] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let names: [String]
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") {
            struct Columns: Decodable { var columns: [String] }
            let data = Data(trimmed.utf8)
            if trimmed.hasPrefix("{") {
                do { names = try JSONDecoder().decode(Columns.self, from: data).columns } catch {
                    throw .invalidFeatureList("expected {\"columns\": [names]}: \(error)")
                }
            } else {
                do { names = try JSONDecoder().decode([String].self, from: data) } catch {
                    throw .invalidFeatureList("expected a JSON array of names: \(error)")
                }
            }
            for (index, name) in names.enumerated() where name.trimmingCharacters(in: .whitespaces).isEmpty {
                throw .invalidFeatureList("name \(index + 1) is empty")
            }
        } else {
            names = text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { !$0.isEmpty }
        }
        return try check(names)
    }

    /// `names` checked: at least one, none repeated.
    ///
    /// - Throws: ``PipelineError/invalidFeatureList(_:)``.
    public static func check(_ names: [String]) throws(PipelineError) -> [String] {
        guard !names.isEmpty else { throw .invalidFeatureList("no feature names") }
        var seen = Set<String>()
        for (index, name) in names.enumerated() where !seen.insert(name).inserted {
            throw .invalidFeatureList("feature '\(name)' is listed twice (again as name \(index + 1))")
        }
        return names
    }
}
