import Crypto
public import Foundation

/// A pipeline's configuration: the five steps and the preferences. Every saved change
/// becomes a new version (``ConfigurationRecord``); models record the version that made
/// them.
///
/// ```swift
/// try await pipeline.configure { config in
///     config.dataset = DatasetStep(training: .csv(path: "data.csv"), split: RandomSplit(testFraction: 0.15, seed: 7),
///                                  label: "species")
///     config.training = TrainingStep(estimator: "RandomForestClassifier")
///     config.tuning["max_depth"] = .multiple([5, 7, 9])
/// }
/// ```
public struct PipelineConfiguration: Sendable, Hashable, Codable {
    /// Step 1: inputs, split, label, features, keys.
    public var dataset: DatasetStep
    /// Step 2: estimator, validation, scoring functions.
    public var training: TrainingStep
    /// Step 3: hyper-parameter values and grids.
    public var tuning: TuningStep
    /// Step 4: manual or automatic deployment.
    public var selection: SelectionStep
    /// Step 5: consumers.
    public var deployment: DeploymentStep
    /// Description, tags, timeouts, threads.
    public var preferences: Preferences

    /// A configuration; every step empty by default.
    public init(
        dataset: DatasetStep = DatasetStep(), training: TrainingStep = TrainingStep(), tuning: TuningStep = TuningStep(),
        selection: SelectionStep = SelectionStep(), deployment: DeploymentStep = DeploymentStep(),
        preferences: Preferences = Preferences()
    ) {
        self.dataset = dataset
        self.training = training
        self.tuning = tuning
        self.selection = selection
        self.deployment = deployment
        self.preferences = preferences
    }

    /// The configuration as JSON with sorted keys: the form hashed, and the file written
    /// to a connected Git repository.
    ///
    /// - Throws: `EncodingError` (only for non-finite numbers, which validation refuses).
    public func canonicalJSON(pretty: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// The SHA-256 of ``canonicalJSON(pretty:)``, in hexadecimal: equal configurations
    /// have equal hashes.
    ///
    /// - Throws: as ``canonicalJSON(pretty:)``.
    public func contentHash() throws -> String {
        SHA256.hash(data: try canonicalJSON()).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
