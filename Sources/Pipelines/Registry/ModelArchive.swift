import Crypto
public import Foundation
public import Estimators
public import Scoring

/// The portable file a model is exported to and imported from.
///
/// One JSON document: a format name and version, a **manifest** (what the model is: its
/// estimator, hyper-parameters, feature schema, scores, lineage), the model's artifact
/// (``ModelBundle``, base64) and a SHA-256 checksum over the manifest's canonical JSON and
/// the artifact's bytes. Reading it never runs code: a truncated, altered or
/// unknown-version file is refused before anything is decoded into a model.
///
/// ```json
/// {"format": "swift-ml-pipelines.model-archive", "version": 1,
///  "manifest": {"name": "churn", "estimator": "RandomForestClassifier", …},
///  "artifact": "<base64>", "sha256": "9f86d0…"}
/// ```
public struct ModelArchive: Sendable, Hashable, Codable {
    /// The format name every archive carries.
    public static let formatName = "swift-ml-pipelines.model-archive"
    /// The archive version this library writes and reads.
    public static let currentVersion = 1

    /// What the archive holds, readable without decoding the model.
    public struct Manifest: Sendable, Hashable, Codable {
        /// The exported model's identifier in its store.
        public var modelID: ModelID
        /// A name for the model: its pipeline's, or its standalone line's.
        public var name: String
        /// Its version.
        public var version: Int
        /// The estimator's catalog name.
        public var estimator: String
        /// Classification or regression.
        public var task: PredictionTask
        /// Every hyper-parameter.
        public var hyperParameters: [String: HyperParameterValue]
        /// Inputs and outputs.
        public var schema: FeatureSchema
        /// The primary validation score, if any.
        public var validationScore: ScoreValue?
        /// Testing scores by name.
        public var testingScores: [String: Double]
        /// Where it came from in data and configuration.
        public var lineage: ModelLineage?
        /// When it was created.
        public var createdAt: Date
        /// When it was exported.
        public var exportedAt: Date
    }

    /// Always ``formatName``.
    public var format: String
    /// The archive version.
    public var version: Int
    /// What the archive holds.
    public var manifest: Manifest
    /// The model's artifact (``ModelBundle`` JSON).
    public var artifact: Data
    /// SHA-256 (hex) of the manifest's canonical JSON followed by the artifact bytes.
    public var sha256: String

    /// An archive of `artifact` described by `manifest`, with its checksum.
    ///
    /// - Throws: ``PipelineError/backend(_:)`` if the manifest cannot be encoded.
    public init(manifest: Manifest, artifact: Data) throws(PipelineError) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.manifest = manifest
        self.artifact = artifact
        self.sha256 = try Self.checksum(manifest, artifact)
    }

    /// The archive's bytes.
    ///
    /// - Throws: ``PipelineError/backend(_:)``.
    public func encoded() throws(PipelineError) -> Data {
        do { return try Self.encoder.encode(self) } catch { throw .backend("cannot encode the model archive: \(error)") }
    }

    /// Reads an archive, checking format, version and checksum before anything else.
    ///
    /// - Throws: ``PipelineError/invalidArchive(_:)`` saying what is wrong: not an archive
    ///   (or truncated), another format, an unknown version, or a checksum mismatch.
    public init(decoding data: Data) throws(PipelineError) {
        struct Header: Decodable {
            var format: String?
            var version: Int?
        }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data) } catch {
            throw .invalidArchive("not a model archive, or truncated (\(data.count) bytes): \(error)")
        }
        guard header.format == Self.formatName else {
            throw .invalidArchive("unknown format '\(header.format ?? "none")' (expected '\(Self.formatName)')")
        }
        guard header.version == Self.currentVersion else {
            throw .invalidArchive("unsupported archive version \(header.version.map(String.init) ?? "none") (this library reads version \(Self.currentVersion))")
        }
        let archive: ModelArchive
        do { archive = try Self.decoder.decode(ModelArchive.self, from: data) } catch {
            throw .invalidArchive("malformed archive: \(error)")
        }
        guard try Self.checksum(archive.manifest, archive.artifact) == archive.sha256 else {
            throw .invalidArchive("checksum mismatch: the file was altered or damaged")
        }
        self = archive
    }

    private static func checksum(_ manifest: Manifest, _ artifact: Data) throws(PipelineError) -> String {
        let manifestBytes: Data
        do { manifestBytes = try encoder.encode(manifest) } catch { throw .backend("cannot encode the manifest: \(error)") }
        var hasher = SHA256()
        hasher.update(data: manifestBytes)
        hasher.update(data: artifact)
        return hasher.finalize().map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }
}
