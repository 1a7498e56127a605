import Foundation
import LinearAlgebra
import Scoring
import Testing

@Suite("Scoring parity with scikit-learn")
struct ScoringParityTests {
    @Test("every standard function equals scikit-learn's within 1e-12 on the reference vectors")
    func parity() throws {
        let reference = try ScoringReference.load()
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
                #expect(matchesReference(value, expected), "case \(index) \(name): \(value) vs scikit-learn \(expected)")
                compared += 1
                seen.insert(name)
            }
        }
        #expect(Set(ScoringCatalog.standard.names) == seen, "every standard function has reference values")
        #expect(compared > 2_000)
    }
}
