import LinearAlgebra
import Tabular
import Testing

@Suite("Features, encoders and labels")
struct FeatureTests {
    let schema = Schema([
        .init(name: "date", type: .categorical), .init(name: "station", type: .integer),
        .init(name: "temp", type: .numeric), .init(name: "line", type: .categorical), .init(name: "busy", type: .boolean),
    ])

    @Test("all columns except label, keys and exclusions, in table order")
    func allExcept() throws {
        let resolved = try FeatureSelection(label: "busy", excluding: ["date"], keys: ["station"]).resolve(against: schema)
        #expect(resolved.features == ["temp", "line"])
        #expect(resolved.allColumns == ["station", "temp", "line", "busy"])
    }

    @Test("every selection problem is reported at once")
    func allProblems() {
        let selection = FeatureSelection(label: "nope", features: ["temp", "ghost", "temp"], keys: ["kid"])
        #expect(tabularError { _ = try selection.resolve(against: schema) } == .invalidSelection([
            "label 'nope' is not a column", "key 'kid' is not a column", "feature 'ghost' is not a column",
            "feature 'temp' is listed twice",
        ]))
        let labelAsFeature = FeatureSelection(label: "temp", features: ["temp"])
        #expect(tabularError { _ = try labelAsFeature.resolve(against: schema) } == .invalidSelection(["label 'temp' is also listed as a feature"]))
        let nothing = FeatureSelection(label: "busy", excluding: ["date", "station", "temp", "line"])
        #expect(tabularError { _ = try nothing.resolve(against: schema) } == .invalidSelection(["no feature columns are selected"]))
    }

    let training = try! Table([
        Column(name: "temp", numeric: [10, nil, 30, 20]),
        Column(name: "line", categorical: ["red", "blue", "red", nil]),
        Column(name: "busy", boolean: [true, false, nil, true]),
        Column(name: "count", integer: [1, 2, 2, 5]),
    ])

    @Test("numbers pass, booleans are 0/1, categories are one-hot in sorted order")
    func encoding() throws {
        let complete = try training.rows(at: [0, 2])
        let encoder = try FeatureEncoder.fit(complete, features: ["temp", "line", "count"])
        #expect(encoder.outputNames == ["temp", "line=red", "count"])
        let fullEncoder = try FeatureEncoder.fit(training, features: ["line", "busy"], options: {
            var options = FeatureEncoder.Options()
            options.defaultMissing = .mostFrequent
            return options
        }())
        #expect(fullEncoder.outputNames == ["line=blue", "line=red", "busy"])
        let x = try fullEncoder.transform(training)
        #expect(x == (try Matrix([[0, 1, 1], [1, 0, 0], [0, 1, 1], [0, 1, 1]])))
    }

    @Test("imputation is fitted on training data only", arguments: [
        (FeatureEncoder.MissingPolicy.mean, 20.0), (.median, 20.0), (.mostFrequent, 10.0),
    ])
    func imputation(policy: FeatureEncoder.MissingPolicy, expected: Double) throws {
        var options = FeatureEncoder.Options()
        options.missing["temp"] = policy
        let encoder = try FeatureEncoder.fit(training, features: ["temp"], options: options)
        let test = try Table([Column(name: "temp", numeric: [nil, 100])])
        #expect(try encoder.transform(test).elements == [expected, 100])
        // The imputed value comes from training, not from the data being transformed.
        #expect(try encoder.transform(try Table([Column(name: "temp", numeric: [nil, 1000, 1000])])).elements == [expected, 1000, 1000])
    }

    @Test("median of an even count averages the middle two")
    func evenMedian() throws {
        var options = FeatureEncoder.Options()
        options.defaultMissing = .median
        let encoder = try FeatureEncoder.fit(training, features: ["count"], options: options)
        #expect(try encoder.transform(try Table([Column(name: "count", integer: [nil])])).elements == [2])
    }

    @Test("missing values are refused by default, naming feature and row")
    func missingRefused() throws {
        let encoder = try FeatureEncoder.fit(training, features: ["temp", "line"])
        #expect(tabularError { _ = try encoder.transform(training) } == .missingValue(feature: "temp", row: 1))
        var options = FeatureEncoder.Options()
        options.missing["line"] = .mean
        #expect(tabularError { _ = try FeatureEncoder.fit(training, features: ["line"], options: options) }
            == .invalidArgument("feature 'line' is categorical: impute it with mostFrequent or a constant, not mean"))
        let empty = try Table([Column(name: "z", numeric: [nil, nil])])
        options.missing["z"] = .mean
        #expect(tabularError { _ = try FeatureEncoder.fit(empty, features: ["z"], options: options) }
            == .invalidArgument("feature 'z' has no values to impute mean from"))
    }

    @Test("a constant imputes its value; a constant category joins the one-hot columns; a wrong-typed constant is refused")
    func constantImputation() throws {
        var options = FeatureEncoder.Options()
        options.missing = ["temp": .constant(.numeric(-1)), "line": .constant(.categorical("unknown"))]
        let encoder = try FeatureEncoder.fit(training, features: ["temp", "line"], options: options)
        #expect(encoder.outputNames.contains("line=unknown"))
        let x = try encoder.transform(try Table([Column(name: "temp", numeric: [nil]), Column(name: "line", categorical: [nil])]))
        let names = encoder.outputNames
        #expect(x[0, 0] == -1)
        #expect(names.indices.filter { x[0, $0] == 1 }.map { names[$0] } == ["line=unknown"])
        options.missing = ["temp": .constant(.categorical("cold"))]
        #expect(tabularError { _ = try FeatureEncoder.fit(training, features: ["temp"], options: options) }
            == .invalidArgument("feature 'temp' is numeric: impute it with a numeric constant, not cold"))
    }

    @Test("unseen categories: an error by default, all zeros with .ignore")
    func unknownCategories() throws {
        let fitted = try training.rows(at: [0, 1])
        let test = try Table([Column(name: "line", categorical: ["red", "green"])])
        let strict = try FeatureEncoder.fit(fitted, features: ["line"])
        #expect(tabularError { _ = try strict.transform(test) } == .unknownCategory(feature: "line", category: "green", row: 1))
        var options = FeatureEncoder.Options()
        options.unknownCategories = .ignore
        let lenient = try FeatureEncoder.fit(fitted, features: ["line"], options: options)
        #expect(try lenient.transform(test) == (try Matrix([[0, 1], [0, 0]])))
    }

    @Test("a feature whose type changed since fitting is a typed error")
    func typeChanged() throws {
        let encoder = try FeatureEncoder.fit(try training.rows(at: [0]), features: ["line"])
        #expect(tabularError { _ = try encoder.transform(try Table([Column(name: "line", integer: [1])])) }
            == .typeMismatch(column: "line", expected: .categorical, actual: .integer))
    }

    @Test("encoders survive encoding to JSON and back")
    func encoderCodable() throws {
        let encoder = try FeatureEncoder.fit(try training.rows(at: [0, 2]), features: ["temp", "line"])
        let data = try JSONEncoder().encode(encoder)
        #expect(try JSONDecoder().decode(FeatureEncoder.self, from: data) == encoder)
    }

    @Test("labels of any type map to sorted class indices and back", arguments: [
        Column(name: "y", categorical: ["setosa", "virginica", "versicolor", "setosa"]),
        Column(name: "y", integer: [1, 0, 1, 1]),
        Column(name: "y", boolean: [true, false, false, true]),
        Column(name: "y", numeric: [2.5, -1, 2.5, 0]),
    ])
    func labelRoundTrip(column: Column) throws {
        let encoder = try LabelEncoder.fit(column)
        let indices = try encoder.encode(column)
        #expect(indices.allSatisfy { (0..<encoder.classes.count).contains($0) })
        #expect(try encoder.decodeColumn(indices) == column)
        #expect(encoder.classes == encoder.classes.sorted { a, b in
            switch (a, b) {
            case let (.categorical(x), .categorical(y)): return x < y
            case let (.integer(x), .integer(y)): return x < y
            case let (.numeric(x), .numeric(y)): return x < y
            case let (.boolean(x), .boolean(y)): return !x && y
            default: return false
            }
        })
    }

    @Test("label errors: missing labels, unknown classes, out-of-range indices")
    func labelErrors() throws {
        #expect(tabularError { _ = try LabelEncoder.fit(Column(name: "y", integer: [1, nil])) } == .missingValue(feature: "y", row: 1))
        let encoder = try LabelEncoder.fit(Column(name: "y", categorical: ["a", "b"]))
        #expect(encoder.classes == ["a", "b"])
        #expect(tabularError { _ = try encoder.encode(Column(name: "y", categorical: ["a", "c"])) } == .unknownClass(label: "y", value: "c", row: 1))
        #expect(tabularError { _ = try encoder.decode([0, 2]) } == .invalidArgument("class index 2 at position 1 is outside 0..<2"))
    }
}

import Foundation
