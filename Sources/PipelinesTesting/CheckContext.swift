import Foundation
import Pipelines

/// Stops a check after a failed requirement; the reason is already recorded.
struct CheckAborted: Error {}

/// What one check works with: its fresh store, the store's clock, and the failures found
/// so far. Used by one task only (concurrent checks hand results back to it).
final class CheckContext {
    let store: any PipelineStorage
    let clock: ManualWallClock
    private(set) var failures: [String] = []

    init(store: any PipelineStorage, clock: ManualWallClock) {
        self.store = store
        self.clock = clock
    }

    /// Records a failure and goes on.
    func fail(_ message: String) {
        failures.append(message)
    }

    /// Records `message` unless `condition` holds.
    func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fail(message()) }
    }

    /// Records "what: expected …, got …" (with the differing fields) unless equal.
    func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: @autoclosure () -> String) {
        if actual != expected {
            fail("\(what()): \(Difference.describe(expected: expected, actual: actual))")
        }
    }

    /// Runs a store call that must succeed; on an error, records it and stops the check.
    @discardableResult
    func must<T>(_ what: @autoclosure () -> String, _ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch {
            fail("\(what()): expected success, got \(Difference.describe(error: error))")
            throw CheckAborted()
        }
    }

    /// Unwraps a value the rest of the check needs; when nil, records it and stops the check.
    func require<T>(_ value: T?, _ what: @autoclosure () -> String) throws -> T {
        guard let value else {
            fail("\(what()): expected a value, got nil")
            throw CheckAborted()
        }
        return value
    }

    /// Runs a store call that must be refused with `expected`; records anything else.
    ///
    /// - Returns: Whether the call was refused at all (with whatever error).
    @discardableResult
    func expectRefusal<T>(_ what: @autoclosure () -> String, _ expected: ExpectedRefusal,
                          _ operation: () async throws -> T) async -> Bool {
        do {
            _ = try await operation()
            fail("\(what()): expected \(expected), but it succeeded")
            return false
        } catch let error as StoreError {
            if !expected.matches(error) {
                fail("\(what()): expected \(expected), got \(Difference.describe(error: error))")
            }
        } catch {
            fail("\(what()): expected \(expected), got \(Difference.describe(error: error))")
        }
        return true
    }
}

/// A refusal a check expects: the ``StoreError`` case and the associated values callers
/// rely on (the others — `kind` strings, `reason` texts — are free).
enum ExpectedRefusal: CustomStringConvertible {
    /// `notFound` naming the missing record's identifier.
    case notFound(id: String)
    /// `duplicateID` naming the identifier already taken.
    case duplicateID(id: String)
    /// `duplicateName` naming the taken name.
    case duplicateName(name: String)
    /// `repositoryNotEmpty` counting the pipelines held.
    case repositoryNotEmpty(pipelines: Int)
    /// `versionConflict` of the pipeline; `attempted` and `current` (the error's
    /// `expected` and `found`) are checked when given.
    case versionConflict(pipeline: PipelineID, attempted: Int?, current: Int?)
    /// `deploymentConflict` with exactly these values.
    case deploymentConflict(scope: DeploymentScope, expected: ModelID?, found: ModelID?)
    /// `datasetConflict` with exactly these values.
    case datasetConflict(pipeline: PipelineID, expected: Int?, found: Int?)
    /// ``Pipelines/StoreError/incompleteDatasets(pipeline:)`` for this pipeline.
    case incompleteDatasets(pipeline: PipelineID)
    /// `leaseNotHeld` naming the lease, the caller and the holder (nil: nobody).
    case leaseNotHeld(name: String, owner: String, holder: String?)
    /// `notDeployable` naming the model.
    case notDeployable(model: ModelID)
    /// `modelDeployed` naming the model.
    case modelDeployed(ModelID)
    /// `duplicateVersion` naming the imported line (its name) and the version taken.
    case duplicateVersion(line: String, version: Int)
    /// `endpointTaken` naming the endpoint and the scope that holds it.
    case endpointTaken(name: String, holder: DeploymentScope)
    /// `deploymentHistoryExists` naming the scope and how many records it holds.
    case deploymentHistoryExists(scope: DeploymentScope, records: Int)
    /// `invalidDeploymentHistory` naming the scope and the first bad record's index.
    case invalidDeploymentHistory(scope: DeploymentScope, index: Int)

    func matches(_ error: StoreError) -> Bool {
        switch (self, error) {
        case let (.notFound(id), .notFound(_, actual)):
            return actual == id
        case let (.duplicateID(id), .duplicateID(_, actual)):
            return actual == id
        case let (.duplicateName(name), .duplicateName(_, actual)):
            return actual == name
        case let (.repositoryNotEmpty(pipelines), .repositoryNotEmpty(_, actual)):
            return actual == pipelines
        case let (.versionConflict(pipeline, attempted, current), .versionConflict(actualPipeline, expected, found)):
            return actualPipeline == pipeline && (attempted.map { $0 == expected } ?? true)
                && (current.map { $0 == found } ?? true)
        case let (.deploymentConflict(scope, expected, found), .deploymentConflict(actualScope, actualExpected, actualFound)):
            return actualScope == scope && actualExpected == expected && actualFound == found
        case let (.datasetConflict(pipeline, expected, found), .datasetConflict(actualPipeline, actualExpected, actualFound)):
            return actualPipeline == pipeline && actualExpected == expected && actualFound == found
        case let (.incompleteDatasets(pipeline), .incompleteDatasets(actual)):
            return actual == pipeline
        case let (.leaseNotHeld(name, owner, holder), .leaseNotHeld(actualName, actualOwner, actualHolder)):
            return actualName == name && actualOwner == owner && actualHolder == holder
        case let (.notDeployable(model), .notDeployable(actual, _)):
            return actual == model
        case let (.modelDeployed(model), .modelDeployed(actual)):
            return actual == model
        case let (.duplicateVersion(line, version), .duplicateVersion(actualLine, actualVersion)):
            return actualLine == line && actualVersion == version
        case let (.endpointTaken(name, holder), .endpointTaken(actualName, actualHolder)):
            return actualName == name && actualHolder == holder
        case let (.deploymentHistoryExists(scope, records), .deploymentHistoryExists(actualScope, actualRecords)):
            return actualScope == scope && actualRecords == records
        case let (.invalidDeploymentHistory(scope, index), .invalidDeploymentHistory(actualScope, actualIndex, _)):
            return actualScope == scope && actualIndex == index
        default:
            return false
        }
    }

    var description: String {
        switch self {
        case .notFound(let id): return "StoreError.notFound(id: \(id))"
        case .duplicateID(let id): return "StoreError.duplicateID(id: \(id))"
        case .duplicateName(let name): return "StoreError.duplicateName(name: \(name))"
        case .repositoryNotEmpty(let pipelines): return "StoreError.repositoryNotEmpty(pipelines: \(pipelines))"
        case let .versionConflict(pipeline, attempted, current):
            return "StoreError.versionConflict(pipeline: \(pipeline), expected: \(attempted.map(String.init) ?? "any"), "
                + "found: \(current.map(String.init) ?? "any"))"
        case let .deploymentConflict(scope, expected, found):
            return "StoreError.deploymentConflict(scope: \(Difference.render(scope)), expected: \(Difference.render(expected)), "
                + "found: \(Difference.render(found)))"
        case let .datasetConflict(pipeline, expected, found):
            return "StoreError.datasetConflict(pipeline: \(pipeline), expected: \(Difference.render(expected)), "
                + "found: \(Difference.render(found)))"
        case .incompleteDatasets(let pipeline): return "StoreError.incompleteDatasets(pipeline: \(pipeline))"
        case let .leaseNotHeld(name, owner, holder):
            return "StoreError.leaseNotHeld(name: \(name), owner: \(owner), holder: \(Difference.render(holder)))"
        case .notDeployable(let model): return "StoreError.notDeployable(model: \(model))"
        case .modelDeployed(let model): return "StoreError.modelDeployed(\(model))"
        case let .duplicateVersion(line, version): return "StoreError.duplicateVersion(line: \(line), version: \(version))"
        case let .endpointTaken(name, holder):
            return "StoreError.endpointTaken(name: \(name), holder: \(Difference.render(holder)))"
        case let .deploymentHistoryExists(scope, records):
            return "StoreError.deploymentHistoryExists(scope: \(Difference.render(scope)), records: \(records))"
        case let .invalidDeploymentHistory(scope, index):
            return "StoreError.invalidDeploymentHistory(scope: \(Difference.render(scope)), index: \(index))"
        }
    }
}

/// Describes how two values differ, field by field, with dates at full precision.
enum Difference {
    /// "expected X, got Y": whole for short arrays and plain values, narrowed to the
    /// differing fields of structures, and to the missing or extra tail or the first
    /// differing element of long arrays.
    static func describe(expected: Any, actual: Any) -> String {
        if let expectedDate = expected as? Date, let actualDate = actual as? Date {
            return describe(expected: expectedDate, actual: actualDate)
        }
        let mirror = Mirror(reflecting: expected)
        let other = Mirror(reflecting: actual)
        switch mirror.displayStyle {
        case .optional:
            if let wrapped = mirror.children.first?.value, let otherWrapped = other.children.first?.value {
                return describe(expected: wrapped, actual: otherWrapped)
            }
        case .struct where !(expected is any CustomStringConvertible) && !mirror.children.isEmpty
            && mirror.children.count == other.children.count:
            let fields = zip(mirror.children, other.children).compactMap { pair -> String? in
                guard let label = pair.0.label, !equal(pair.0.value, pair.1.value) else { return nil }
                return "\(label): \(describe(expected: pair.0.value, actual: pair.1.value))"
            }
            if !fields.isEmpty { return fields.joined(separator: "; ") }
        case .collection:
            let whole = "expected \(render(expected)), got \(render(actual))"
            let expectedElements = mirror.children.map(\.value)
            let actualElements = other.children.map(\.value)
            if whole.count <= 240 { return whole }
            let (shorter, longer) = (min(expectedElements.count, actualElements.count), max(expectedElements.count, actualElements.count))
            let sharedPrefix = (0..<shorter).allSatisfy { equal(expectedElements[$0], actualElements[$0]) }
            if expectedElements.count != actualElements.count && sharedPrefix {
                let extra = expectedElements.count < actualElements.count
                let tail = Array((extra ? actualElements : expectedElements)[shorter..<longer])
                return "expected \(expectedElements.count) element(s), got \(actualElements.count): "
                    + "\(extra ? "unexpected" : "missing") at the end: \(render(tail))"
            }
            if expectedElements.count != actualElements.count {
                return "expected \(expectedElements.count) element(s), got \(actualElements.count): \(whole)"
            }
            if let index = expectedElements.indices.first(where: { !equal(expectedElements[$0], actualElements[$0]) }) {
                return "element \(index): \(describe(expected: expectedElements[index], actual: actualElements[index]))"
            }
        default:
            break
        }
        return "expected \(render(expected)), got \(render(actual))"
    }

    /// Two dates at full precision, with a hint when they differ by less than a millisecond.
    static func describe(expected: Date, actual: Date) -> String {
        let delta = actual.timeIntervalSinceReferenceDate - expected.timeIntervalSinceReferenceDate
        var text = "expected \(render(expected)), got \(render(actual))"
        if abs(delta) < 0.001 {
            text += " (off by \(String(format: "%.1f", delta * 1e6)) µs: the backend loses sub-millisecond precision; "
                + "dates must round-trip exactly)"
        }
        return text
    }

    /// An error with its type, and a ``StoreError`` with its case name.
    static func describe(error: any Error) -> String {
        if let storeError = error as? StoreError {
            let name = Mirror(reflecting: storeError).children.first?.label ?? "\(storeError)"
            return "StoreError.\(name) (\"\(storeError)\")"
        }
        return "\(type(of: error)): \(error)"
    }

    /// A short rendering of a value: dates at full precision, optionals unwrapped, long
    /// texts cut.
    static func render<T>(_ value: T) -> String {
        let value: Any = value
        if let date = value as? Date {
            let iso = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            return "\(iso) (\(date.timeIntervalSinceReferenceDate) s since 2001)"
        }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return "nil" }
            return render(wrapped)
        }
        let text = String(describing: value).replacingOccurrences(of: "Pipelines.", with: "")
        return text.count > 600 ? String(text.prefix(600)) + "…" : text
    }

    /// Equality of two values of unknown type: `Hashable` equality when available, else
    /// their full descriptions.
    static func equal(_ lhs: Any, _ rhs: Any) -> Bool {
        if let lhs = lhs as? AnyHashable, let rhs = rhs as? AnyHashable { return lhs == rhs }
        return String(reflecting: lhs) == String(reflecting: rhs)
    }
}
