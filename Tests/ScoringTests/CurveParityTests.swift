import Foundation
import Scoring
import Testing

/// Reference curves and confusion matrices from scikit-learn 1.9
/// (`Scripts/reference/diagnostics_reference.py`).
struct CurvesReference: Decodable {
    /// True labels as the fixture stores them: all integers or all strings.
    enum Labels: Decodable {
        case integers([Int])
        case strings([String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let integers = try? container.decode([Int].self) {
                self = .integers(integers)
            } else {
                self = .strings(try container.decode([String].self))
            }
        }
    }

    /// One label: an integer or a string.
    enum Label: Decodable {
        case integer(Int)
        case string(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let integer = try? container.decode(Int.self) {
                self = .integer(integer)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }

    struct ROC: Decodable {
        let falsePositiveRates: [Double]
        let truePositiveRates: [Double]
        /// scikit-learn's thresholds after the leading +inf.
        let thresholdsAfterInfinity: [Double]
        let area: Double
    }

    struct PrecisionRecall: Decodable {
        let precisions: [Double]
        let recalls: [Double]
        let thresholds: [Double]
        let averagePrecision: Double
    }

    struct CurveCase: Decodable {
        let name: String
        let truth: Labels
        let scores: [Double]
        let positive: Label
        /// Absent when scikit-learn's ROC curve is undefined (positives only).
        let roc: ROC?
        let precisionRecall: PrecisionRecall
    }

    struct ConfusionCase: Decodable {
        let name: String
        let truth: Labels
        let predicted: Labels
        let labels: Labels?
        let expectedLabels: Labels
        let counts: [[Int]]
    }

    let sklearn: String
    let curves: [CurveCase]
    let confusion: [ConfusionCase]

    /// The committed fixture; a missing or near-empty one fails the calling test.
    static func load(sourceLocation: SourceLocation = #_sourceLocation) throws -> CurvesReference {
        let url = try #require(
            Bundle.module.url(forResource: "curves_reference", withExtension: "json", subdirectory: "Fixtures"),
            "missing fixture Fixtures/curves_reference.json", sourceLocation: sourceLocation)
        let reference = try JSONDecoder().decode(CurvesReference.self, from: Data(contentsOf: url))
        try #require(reference.curves.count >= 30 && reference.confusion.count >= 5, "the fixture is nearly empty", sourceLocation: sourceLocation)
        return reference
    }
}

/// Whether `values` equal scikit-learn's `expected`, element by element, within 1e-9.
func matchesCurve(_ values: [Double], _ expected: [Double]) -> Bool {
    values.count == expected.count && zip(values, expected).allSatisfy { abs($0 - $1) <= 1e-9 }
}

@Suite("Curves and confusion matrices: parity with scikit-learn")
struct CurveParityTests {
    @Test("ROC curves, their areas and rocAUC equal scikit-learn's within 1e-9")
    func rocCurves() throws {
        let reference = try CurvesReference.load()
        #expect(reference.sklearn == "1.9.1")
        var compared = 0
        for item in reference.curves {
            guard let expected = item.roc else { continue }
            switch (item.truth, item.positive) {
            case let (.integers(truth), .integer(positive)): try checkROC(item.name, truth, item.scores, positive, expected)
            case let (.strings(truth), .string(positive)): try checkROC(item.name, truth, item.scores, positive, expected)
            default: Issue.record("\(item.name): the positive label's type is not the truth's")
            }
            compared += 1
        }
        #expect(compared >= 30)
    }

    private func checkROC<Label: Hashable & Comparable>(
        _ name: String, _ truth: [Label], _ scores: [Double], _ positive: Label, _ expected: CurvesReference.ROC
    ) throws {
        let curve = try rocCurve(truth, scores, positive: positive)
        #expect(matchesCurve(curve.falsePositiveRates, expected.falsePositiveRates), "\(name): false positive rates")
        #expect(matchesCurve(curve.truePositiveRates, expected.truePositiveRates), "\(name): true positive rates")
        #expect(curve.thresholds.first == .infinity, "\(name): the first threshold is +infinity")
        #expect(matchesCurve(Array(curve.thresholds.dropFirst()), expected.thresholdsAfterInfinity), "\(name): thresholds")
        #expect(abs(curve.area - expected.area) <= 1e-9, "\(name): area \(curve.area) vs scikit-learn \(expected.area)")
        // The same rule as rocAUC, which scores the larger of two labels as positive.
        if Set(truth).count == 2, positive == truth.max() {
            #expect(try rocAUC(truth, scores) == curve.area, "\(name): rocAUC is the curve's area")
        }
    }

    @Test("precision-recall curves and average precision equal scikit-learn's within 1e-9")
    func precisionRecallCurves() throws {
        let reference = try CurvesReference.load()
        var compared = 0
        for item in reference.curves {
            switch (item.truth, item.positive) {
            case let (.integers(truth), .integer(positive)): try checkPR(item.name, truth, item.scores, positive, item.precisionRecall)
            case let (.strings(truth), .string(positive)): try checkPR(item.name, truth, item.scores, positive, item.precisionRecall)
            default: Issue.record("\(item.name): the positive label's type is not the truth's")
            }
            compared += 1
        }
        #expect(compared >= 30)
        #expect(reference.curves.contains { $0.roc == nil }, "a positives-only case: precision-recall without ROC")
    }

    private func checkPR<Label: Hashable & Comparable>(
        _ name: String, _ truth: [Label], _ scores: [Double], _ positive: Label, _ expected: CurvesReference.PrecisionRecall
    ) throws {
        let curve = try precisionRecallCurve(truth, scores, positive: positive)
        #expect(matchesCurve(curve.precisions, expected.precisions), "\(name): precisions")
        #expect(matchesCurve(curve.recalls, expected.recalls), "\(name): recalls")
        #expect(matchesCurve(curve.thresholds, expected.thresholds), "\(name): thresholds")
        #expect(curve.precisions.last == 1 && curve.recalls.last == 0, "\(name): ends at recall 0, precision 1")
        #expect(abs(curve.averagePrecision - expected.averagePrecision) <= 1e-9, "\(name): average precision")
        #expect(try averagePrecision(truth, scores, positive: positive) == curve.averagePrecision, "\(name): averagePrecision")
    }

    @Test("confusion matrices equal scikit-learn's, with default, reordered, partial and absent labels")
    func confusionMatrices() throws {
        let reference = try CurvesReference.load()
        for item in reference.confusion {
            switch (item.truth, item.predicted, item.expectedLabels) {
            case let (.integers(truth), .integers(predicted), .integers(expected)):
                var labels: [Int]?
                if case .integers(let given)? = item.labels { labels = given }
                let matrix = try confusionMatrix(truth, predicted, labels: labels)
                #expect(matrix.labels == expected, "\(item.name): labels")
                #expect(matrix.counts == item.counts, "\(item.name): counts \(matrix.counts) vs scikit-learn \(item.counts)")
            case let (.strings(truth), .strings(predicted), .strings(expected)):
                var labels: [String]?
                if case .strings(let given)? = item.labels { labels = given }
                let matrix = try confusionMatrix(truth, predicted, labels: labels)
                #expect(matrix.labels == expected, "\(item.name): labels")
                #expect(matrix.counts == item.counts, "\(item.name): counts \(matrix.counts) vs scikit-learn \(item.counts)")
            default:
                Issue.record("\(item.name): mixed label types")
            }
        }
    }

    @Test("the documented examples")
    func examples() throws {
        let roc = try rocCurve(["no", "no", "yes", "yes"], [0.1, 0.4, 0.35, 0.8], positive: "yes")
        #expect(roc.falsePositiveRates == [0, 0, 0.5, 0.5, 1])
        #expect(roc.truePositiveRates == [0, 0.5, 0.5, 1, 1])
        #expect(roc.thresholds == [.infinity, 0.8, 0.4, 0.35, 0.1])
        #expect(roc.area == 0.75)
        let pr = try precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], positive: 1)
        #expect(pr.precisions == [0.5, 2.0 / 3, 0.5, 1, 1])
        #expect(pr.recalls == [1, 1, 0.5, 0.5, 0])
        #expect(pr.thresholds == [0.1, 0.35, 0.4, 0.8])
        #expect(abs(pr.averagePrecision - 5.0 / 6) < 1e-15)
        #expect(abs(try averagePrecision(["b", "a", "b", "a"], [0.9, 0.8, 0.3, 0.1], positive: "b") - 5.0 / 6) < 1e-15)
        let matrix = try confusionMatrix(["cat", "dog", "dog", "cat"], ["cat", "dog", "cat", "cat"])
        #expect(matrix.labels == ["cat", "dog"] && matrix.counts == [[2, 0], [1, 1]])
        #expect(matrix.count(truth: "dog", predicted: "cat") == 1 && matrix.count(truth: "cow", predicted: "cat") == nil)
        #expect(matrix.total == 4 && matrix.correct == 3)
        #expect(try confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]).counts == [[2, 0, 0], [0, 0, 1], [1, 0, 2]])
        #expect(try confusionMatrix(["a", "b", "c"], ["a", "c", "c"], labels: ["c", "a"]).counts == [[1, 0], [0, 1]])
    }

    @Test("curves and matrices encode to JSON and back; the infinite threshold is the string \"Infinity\"")
    func coding() throws {
        let roc = try rocCurve([0, 1, 1, 0, 1], [0.2, 0.9, 0.4, 0.4, 0.7], positive: 1)
        let data = try JSONEncoder().encode(roc)
        #expect(String(decoding: data, as: UTF8.self).contains("\"Infinity\""))
        #expect(try JSONDecoder().decode(ROCCurve.self, from: data) == roc)
        let pr = try precisionRecallCurve([0, 1, 1, 0, 1], [0.2, 0.9, 0.4, 0.4, 0.7], positive: 1)
        #expect(try JSONDecoder().decode(PrecisionRecallCurve.self, from: JSONEncoder().encode(pr)) == pr)
        let matrix = try confusionMatrix(["a", "b", "b"], ["a", "a", "b"])
        #expect(try JSONDecoder().decode(ConfusionMatrix<String>.self, from: JSONEncoder().encode(matrix)) == matrix)
    }
}
