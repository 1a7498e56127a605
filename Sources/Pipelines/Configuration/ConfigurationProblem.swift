/// One problem of a pipeline configuration: where (a key path such as
/// `training.scores[1].threshold`) and what.
public struct ConfigurationProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Whether the configuration is wrong, or only not finished.
    public enum Severity: String, Sendable, Hashable, Codable {
        /// A value is wrong: the configuration cannot be saved.
        case invalid
        /// A required value is not set yet: the configuration can be saved (auto-save)
        /// but the jobs that need the value cannot run.
        case incomplete
    }

    /// The key path of the offending setting.
    public var path: String
    /// What is wrong.
    public var message: String
    /// Wrong or unfinished.
    public var severity: Severity

    /// A problem.
    public init(_ path: String, _ message: String, severity: Severity = .invalid) {
        self.path = path
        self.message = message
        self.severity = severity
    }

    public var description: String {
        "\(path): \(message)" + (severity == .incomplete ? " (not set yet)" : "")
    }
}
