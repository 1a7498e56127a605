import Foundation
import Tabular
import Testing

/// Reads CSV text, recording an issue (and rethrowing) on failure.
func readCSV(_ text: String, options: CSVOptions = CSVOptions()) throws -> Table {
    try CSV.read(string: text, options: options)
}

/// The ``CSVError`` thrown by `body`, or `nil` (recording an issue) when it throws
/// something else or nothing.
func csvError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> CSVError? {
    do {
        try body()
        Issue.record("expected a CSV error, nothing was thrown", sourceLocation: sourceLocation)
    } catch let TabularError.csv(error) {
        return error
    } catch {
        Issue.record("expected a CSV error, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// The ``TabularError`` thrown by `body`, or `nil` (recording an issue).
func tabularError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> TabularError? {
    do {
        try body()
        Issue.record("expected a Tabular error, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as TabularError {
        return error
    } catch {
        Issue.record("expected a Tabular error, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// A fresh temporary directory.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tabular-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
