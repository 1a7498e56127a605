/// Progress of a run, for hosts to show: read them from ``PipelineRun/events``.
public enum RunEvent: Sendable, Hashable {
    /// The run started with these jobs.
    case runStarted(RunID, jobs: [JobKind])
    /// A job started.
    case jobStarted(JobKind)
    /// Training began fitting combination `index` (1-based) of `count`, whose tuned
    /// hyper-parameters read like `max_depth=5, n_estimators=50`.
    case combination(index: Int, of: Int, hyperParameters: String)
    /// K-fold validation began fold `index` (1-based) of `count` of the current combination.
    case fold(index: Int, of: Int)
    /// A job ended.
    case jobFinished(JobKind, status: RunStatus, summary: String)
    /// The run ended.
    case runFinished(RunID, status: RunStatus)
}

/// A short, stable rendering of hyper-parameters: `max_depth=5, n_estimators=50`.
func describe(_ parameters: [String: some CustomStringConvertible]) -> String {
    parameters.keys.sorted().compactMap { key in parameters[key].map { "\(key)=\($0)" } }.joined(separator: ", ")
}

extension RunEvent: CustomStringConvertible {
    /// One readable line: `training started`, `combination 2 of 6: max_depth=5`,
    /// `testing succeeded: tested 1 model(s)…`.
    public var description: String {
        switch self {
        case let .runStarted(id, jobs): return "run \(id) started: \(jobs.map(\.description).joined(separator: ", "))"
        case .jobStarted(let job): return "\(job) started"
        case let .combination(index, count, parameters):
            return "combination \(index) of \(count)" + (parameters.isEmpty ? "" : ": \(parameters)")
        case let .fold(index, count): return "fold \(index) of \(count)"
        case let .jobFinished(job, status, summary): return "\(job) \(status)" + (summary.isEmpty ? "" : ": \(summary)")
        case let .runFinished(id, status): return "run \(id) \(status)"
        }
    }
}
