import Foundation
public import ImageDatasets
public import Tabular

/// Where a pipeline's rows come from.
public enum DataSource: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A CSV file, read again on every dataset generation run (so rows appended to the
    /// file reach the datasets). A relative path is resolved against the workspace's
    /// base directory.
    case csv(path: String)
    /// A table held by the configuration itself. Replace it (a new configuration
    /// version) to feed new rows.
    case table(Table)
    /// Images stored one folder per class (see ``ImageFolderSource``), read again on every
    /// dataset generation run.
    case images(ImageFolderSource)

    private enum CodingKeys: String, CodingKey { case csv, table, images }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let path = try container.decodeIfPresent(String.self, forKey: .csv) {
            self = .csv(path: path)
        } else if let images = try container.decodeIfPresent(ImageFolderSource.self, forKey: .images) {
            self = .images(images)
        } else {
            let encoded = try container.decode(Data.self, forKey: .table)
            do {
                self = .table(try Table(binaryEncoded: Array(encoded)))
            } catch {
                throw DecodingError.dataCorruptedError(forKey: .table, in: container, debugDescription: "\(error)")
            }
        }
    }

    /// `{"csv": "data/train.csv"}`, `{"table": "<base64 of the MLTB encoding>"}`, or
    /// `{"images": {"folder": …, "preprocessing": {…}, "unreadable": "skip"}}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .csv(let path): try container.encode(path, forKey: .csv)
        case .table(let table): try container.encode(Data(table.binaryEncoded()), forKey: .table)
        case .images(let images): try container.encode(images, forKey: .images)
        }
    }

    public var description: String {
        switch self {
        case .csv(let path): return "CSV file \(path)"
        case .table(let table): return "in-memory table (\(table.rowCount) rows × \(table.columns.count) columns)"
        case .images(let images): return images.description
        }
    }
}

/// Which columns are features.
public enum FeatureChoice: Sendable, Hashable, Codable {
    /// Every column except the label, the keys and these ("add all").
    case all(excluding: [String])
    /// Exactly these columns, in this order.
    case columns([String])
}

/// A seeded random split of one source into training and testing.
public struct RandomSplit: Sendable, Hashable, Codable {
    /// The share of new rows that go to testing, in (0, 1).
    public var testFraction: Double
    /// The seed of the split.
    public var seed: UInt64

    /// A random split.
    public init(testFraction: Double, seed: UInt64 = 0) {
        self.testFraction = testFraction
        self.seed = seed
    }
}

/// Step 1: inputs, split, label, features and keys.
///
/// ```swift
/// config.dataset = DatasetStep(training: .csv(path: "train.csv"), split: RandomSplit(testFraction: 0.15, seed: 27062020),
///                              label: "is_overcrowded", features: .all(excluding: ["date"]), keys: ["date", "station_id"])
/// ```
public struct DatasetStep: Sendable, Hashable, Codable {
    /// The training source (or the one source to split).
    public var training: DataSource?
    /// A separate testing source; nil splits ``training`` by ``split``.
    public var testing: DataSource?
    /// How one source is split (ignored with a separate testing source).
    public var split: RandomSplit
    /// The label column (Y).
    public var label: String?
    /// The feature columns (X).
    public var features: FeatureChoice
    /// Columns that identify a row (its identity across generation runs; copied next to
    /// batch predictions). Empty: rows are identified by their content.
    public var keys: [String]
    /// Missing values and unseen categories: imputation per feature, missing labels.
    public var missing: MissingValues

    /// A dataset step on an image folder: the label is the class folder
    /// (``ImageFolderSource/labelColumn``), the keys the image's path and digest
    /// (``ImageFolderSource/keyColumns``), the features every pixel.
    ///
    /// ```swift
    /// let images = ImageFolderSource(folder: "digits", preprocessing: try ImagePreprocessing(width: 32, height: 32, color: .grey))
    /// config.dataset = DatasetStep(images: images, split: RandomSplit(testFraction: 0.2, seed: 7))
    /// ```
    public init(images: ImageFolderSource, testing: ImageFolderSource? = nil, split: RandomSplit = RandomSplit(testFraction: 0.2)) {
        self.init(
            training: .images(images), testing: testing.map(DataSource.images), split: split, label: ImageFolderSource.labelColumn,
            features: .all(excluding: []), keys: ImageFolderSource.keyColumns)
    }

    /// The image preprocessing of the step's training source, when it is an image folder.
    public var imagePreprocessing: ImagePreprocessing? {
        if case .images(let images) = training { return images.preprocessing }
        return nil
    }

    /// A dataset step.
    public init(
        training: DataSource? = nil, testing: DataSource? = nil, split: RandomSplit = RandomSplit(testFraction: 0.2),
        label: String? = nil, features: FeatureChoice = .all(excluding: []), keys: [String] = [],
        missing: MissingValues = MissingValues()
    ) {
        self.training = training
        self.testing = testing
        self.split = split
        self.label = label
        self.features = features
        self.keys = keys
        self.missing = missing
    }

    private enum CodingKeys: String, CodingKey { case training, testing, split, label, features, keys, missing }

    /// Decodes a step; configurations saved before ``missing`` existed read it as the
    /// default (refuse every missing value), which is what they did.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        training = try c.decodeIfPresent(DataSource.self, forKey: .training)
        testing = try c.decodeIfPresent(DataSource.self, forKey: .testing)
        split = try c.decode(RandomSplit.self, forKey: .split)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        features = try c.decode(FeatureChoice.self, forKey: .features)
        keys = try c.decode([String].self, forKey: .keys)
        missing = try c.decodeIfPresent(MissingValues.self, forKey: .missing) ?? MissingValues()
    }

    /// The `Tabular` selection this step describes, once the label is set.
    public var selection: FeatureSelection? {
        guard let label else { return nil }
        switch features {
        case .all(let excluded): return FeatureSelection(label: label, excluding: excluded, keys: keys)
        case .columns(let names): return FeatureSelection(label: label, features: names, keys: keys)
        }
    }
}
