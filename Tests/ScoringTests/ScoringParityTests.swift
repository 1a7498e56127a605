import Foundation
import LinearAlgebra
import Scoring
import Testing

/// Reference values from scikit-learn 1.9 (`Scripts/reference/scoring_reference.py`).
private struct Reference: Decodable {
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
}

private let reference: Reference? = {
    guard let url = Bundle.module.url(forResource: "scoring_reference", withExtension: "json", subdirectory: "Fixtures"),
          let data = try? Data(contentsOf: url) else { return nil }
    return try? JSONDecoder().decode(Reference.self, from: data)
}()

@Suite("Scoring parity with scikit-learn")
struct ScoringParityTests {
    @Test("every standard function equals scikit-learn's within 1e-12 on the reference vectors")
    func parity() throws {
        let reference = try #require(reference, "fixture missing or unreadable")
        #expect(reference.sklearn.hasPrefix("1.9"))
        #expect(reference.cases.count >= 200)
        var compared = 0
        var seen = Set<String>()
        for (index, item) in reference.cases.enumerated() {
            for (name, expected) in item.values.sorted(by: { $0.key < $1.key }) {
                let function = try ScoringCatalog.standard.function(named: name)
                let value: Double
                if item.task == "classification" {
                    let probabilities = try item.probabilities.map { try Matrix($0) }
                    value = try function.score(
                        trueClasses: item.truth.map { Int($0) }, predictedClasses: item.predicted.map { Int($0) },
                        probabilities: probabilities, classCount: item.classCount
                    )
                } else {
                    value = try function.score(truth: item.truth, predicted: item.predicted)
                }
                let tolerance = 1e-12 * max(1, abs(expected))
                #expect(abs(value - expected) <= tolerance, "case \(index) \(name): \(value) vs scikit-learn \(expected)")
                compared += 1
                seen.insert(name)
            }
        }
        #expect(Set(ScoringCatalog.standard.names) == seen, "every standard function has reference values")
        #expect(compared > 2_000)
    }
}
