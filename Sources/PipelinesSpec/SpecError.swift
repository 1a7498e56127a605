/// The syntax of a pipeline spec file. Both carry the same keys and values.
public enum SpecFormat: String, Sendable, Hashable, CaseIterable {
    /// JSON (RFC 8259), checked strictly: comments, trailing commas or single quotes are refused.
    case json
    /// YAML 1.2 with the core schema: only `true`/`false` are booleans (`yes`, `no`, `on`
    /// and `off` are strings), only `null`, `~` and an empty value are null.
    case yaml
}

/// Why a spec file was refused: the file, the key path of the offending value, its line and
/// column when known, and the reason.
///
/// ```swift
/// do {
///     let spec = try PipelineSpec.load(contentsOf: URL(fileURLWithPath: "spec.json"))
/// } catch {
///     print(error)  // spec.json:12:7: training.scores[1].name: expected a string, got a number
/// }
/// ```
///
/// Key paths join keys with `.` and index arrays with `[i]` (0-based): `dataset.split.testFraction`,
/// `training.scores[1].name`, `tuning.max_depth[2]`. The path is empty for errors about the file
/// as a whole (unreadable, empty, unparsable). Lines and columns start at 1; columns count
/// Unicode scalars.
public struct SpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as it was named (nil for text parsed without a file name).
    public var file: String?
    /// The key path of the offending value; empty for the file as a whole.
    public var path: String
    /// The line, from 1, when known.
    public var line: Int?
    /// The column, from 1, when known.
    public var column: Int?
    /// What is wrong.
    public var reason: String

    /// A spec error.
    public init(file: String? = nil, path: String, line: Int? = nil, column: Int? = nil, reason: String) {
        self.file = file
        self.path = path
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `file:line:column: path: reason`, leaving out what is unknown, like
    /// `spec.json:12:7: training.scores[1].name: expected a string, got a number`.
    public var description: String {
        var location = file ?? ""
        if let line {
            location += location.isEmpty ? "\(line)" : ":\(line)"
            if let column { location += ":\(column)" }
        }
        var text = location.isEmpty ? "" : location + ": "
        if !path.isEmpty { text += path + ": " }
        return text + reason
    }
}
