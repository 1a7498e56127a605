import Foundation
import Testing

/// Reference values from scikit-learn 1.9 (`Scripts/reference/scoring_reference.py`).
struct ScoringReference: Decodable {
    struct Case: Decodable {
        let task: String
        let classCount: Int?
        let truth: [Double]
        let predicted: [Double]
        let probabilities: [[Double]]?
        let values: [String: Double]
    }
    let sklearn: String
    let cases: [Case]

    /// The committed fixture. A missing, unreadable or near-empty fixture fails the calling
    /// test (it throws), so no test can pass on zero cases.
    static func load(sourceLocation: SourceLocation = #_sourceLocation) throws -> ScoringReference {
        let url = try #require(
            Bundle.module.url(forResource: "scoring_reference", withExtension: "json", subdirectory: "Fixtures"),
            "missing fixture Fixtures/scoring_reference.json", sourceLocation: sourceLocation)
        let reference = try JSONDecoder().decode(ScoringReference.self, from: Data(contentsOf: url))
        try #require(reference.cases.count >= 200, "the fixture has only \(reference.cases.count) cases", sourceLocation: sourceLocation)
        return reference
    }
}

/// Whether `value` is within 1e-12 (relative above 1) of scikit-learn's `expected`.
func matchesReference(_ value: Double, _ expected: Double) -> Bool {
    abs(value - expected) <= 1e-12 * max(1, abs(expected))
}
