import Foundation

/// A typed identifier: a string (a lowercase UUID when generated) tagged with the kind of
/// record it names, so a model id can never be passed where a pipeline id is expected.
///
/// ```swift
/// let id = PipelineID()              // a new random identifier
/// let same = PipelineID("3f2c…")     // one read back from storage or a command line
/// ```
public struct Identifier<Kind: IdentifierKind>: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The identifier's text.
    public let rawValue: String

    /// A new random identifier.
    public init() { rawValue = UUID().uuidString.lowercased() }

    /// An identifier with the given text.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The kind of record an ``Identifier`` names.
public protocol IdentifierKind: Sendable {}

/// Tags ``RepositoryID``.
public enum RepositoryKind: IdentifierKind {}
/// Tags ``PipelineID``.
public enum PipelineKind: IdentifierKind {}
/// Tags ``ModelID``.
public enum ModelKind: IdentifierKind {}
/// Tags ``RunID``.
public enum RunKind: IdentifierKind {}
/// Tags ``TriggerID``.
public enum TriggerKind: IdentifierKind {}

/// Identifies a repository.
public typealias RepositoryID = Identifier<RepositoryKind>
/// Identifies a pipeline.
public typealias PipelineID = Identifier<PipelineKind>
/// Identifies a model.
public typealias ModelID = Identifier<ModelKind>
/// Identifies a run of a pipeline's jobs.
public typealias RunID = Identifier<RunKind>
/// Identifies a trigger.
public typealias TriggerID = Identifier<TriggerKind>
