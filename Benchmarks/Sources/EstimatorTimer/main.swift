// estimator-timer: fits one standard estimator on a CSV data set and reports the fit time
// and the single-row prediction latency, for Scripts/compare_estimators_sklearn.py.
//
//   estimator-timer DATA.csv TASK ESTIMATOR [HYPERPARAMETERS] [THREADS]
//
// HYPERPARAMETERS is `name=TYPE:VALUE,...` with TYPE i, d, s, b or n (None), e.g.
// `n_estimators=i:100,max_depth=i:10`.
//
// DATA.csv has the features first and the target last (class indices for classification).
// TASK is "classification" or "regression". Prints one line of key=value pairs:
//   fit_seconds=… fit_cpu_seconds=… predict_one_p50_us=… train_score=…
// where fit_cpu_seconds is the CPU time of all threads during the fit (less disturbed by a
// busy machine than the wall time), predict_one is the p50 over 2,000 single-row
// predictions, in-process, and
// train_score is accuracy or r2 on the training data (a sanity check, not a parity figure).
// Perceptrons add iterations=… (epochs run, scikit-learn's n_iter_).
import Estimators
import Foundation
import LinearAlgebra
import Scoring
import Tabular
import TimerSupport

func fail(_ message: String) -> Never {
    TimerSupport.fail("estimator-timer", message)
}

/// Parses `name=TYPE:VALUE` pairs separated by commas, TYPE one of i (int), d (double),
/// s (string), b (bool) or n (None, no value).
func hyperParameters(_ text: String) -> [String: HyperParameterValue] {
    var result: [String: HyperParameterValue] = [:]
    for item in text.split(separator: ",") {
        let parts = item.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, let colon = parts[1].firstIndex(of: ":") else { fail("bad hyper-parameter '\(item)'") }
        let name = String(parts[0]), kind = parts[1][..<colon], value = String(parts[1][parts[1].index(after: colon)...])
        switch kind {
        case "i": result[name] = Int(value).map(HyperParameterValue.int) ?? { fail("bad int \(value)") }()
        case "d": result[name] = Double(value).map(HyperParameterValue.double) ?? { fail("bad double \(value)") }()
        case "s": result[name] = .string(value)
        case "b": result[name] = .bool(value == "true")
        case "n": result[name] = HyperParameterValue.none
        default: fail("bad type in '\(item)'")
        }
    }
    return result
}

let arguments = CommandLine.arguments
guard arguments.count >= 4 else { fail("usage: estimator-timer DATA.csv TASK ESTIMATOR [HYPERPARAMETERS] [THREADS]") }
let task = arguments[2] == "classification" ? PredictionTask.classification : .regression
let parameters = arguments.count > 4 ? hyperParameters(arguments[4]) : [:]
let threads = arguments.count > 5 ? Int(arguments[5]) ?? 2 : 2
BLAS.threadCount = threads

do {
    let table = try CSV.read(contentsOf: URL(fileURLWithPath: arguments[1]))
    let names = table.columnNames
    let x = try table.matrix(columns: Array(names.dropLast()))
    let yValues = try table.matrix(columns: [names[names.count - 1]]).elements
    let targets: Targets = task == .classification
        ? .classes(yValues.map { Int($0) }, classCount: Int(yValues.max() ?? 0) + 1)
        : .values(yValues)
    let estimator = try EstimatorCatalog.standard.makeEstimator(named: arguments[3], hyperParameters: parameters)

    let started = monotonicSeconds(), startedCPU = processCPUSeconds()
    let model = try estimator.fit(x, targets, context: FitContext(threads: threads))
    let fitSeconds = monotonicSeconds() - started, fitCPUSeconds = processCPUSeconds() - startedCPU

    var latencies: [Double] = []
    for i in 0..<2_000 {
        let row = x[rows: (i % x.rows)..<(i % x.rows + 1)].copied()
        let t0 = monotonicSeconds()
        _ = try model.predict(row)
        latencies.append(monotonicSeconds() - t0)
    }
    latencies.sort()
    let predicted = try model.predict(x)
    let scoreName = task == .classification ? "accuracy" : "r2"
    let scorer = try ScoringCatalog.standard.function(named: scoreName)
    let trainScore = task == .classification
        ? try scorer.score(trueClasses: yValues.map { Int($0) }, predictedClasses: predicted.map { Int($0) })
        : try scorer.score(truth: yValues, predicted: predicted)
    let iterations = (model as? MLPClassifierModel)?.history.iterations ?? (model as? MLPRegressorModel)?.history.iterations
    print("fit_seconds=\(fitSeconds) fit_cpu_seconds=\(fitCPUSeconds) predict_one_p50_us=\(latencies[latencies.count / 2] * 1e6) train_score=\(trainScore)"
        + (iterations.map { " iterations=\($0)" } ?? ""))
} catch {
    fail("\(error)")
}
