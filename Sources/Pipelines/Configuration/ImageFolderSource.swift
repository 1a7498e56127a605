public import ImageDatasets

/// Images stored one folder per class, as a pipeline's rows: each image a row keyed by its
/// path (and the digest of its bytes), labelled by its folder, its features the pixels
/// brought to a fixed size and colour (``ImagePreprocessing``).
///
/// ```swift
/// let source = ImageFolderSource(folder: "digits", preprocessing: try ImagePreprocessing(width: 32, height: 32, color: .grey))
/// config.dataset = DatasetStep(images: source, split: RandomSplit(testFraction: 0.2, seed: 7))
/// ```
///
/// The folder is read again on every dataset generation run, so images added later join
/// the next generation, split like new rows of a table. A row's identity is its relative
/// path *and* its bytes' SHA-256: a file changed under the same path is a new row (the
/// generation says how many), and its earlier version stays in testing if it was there.
public struct ImageFolderSource: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The root folder (one folder per class inside); a relative path is resolved against
    /// the workspace's base directory.
    public var folder: String
    /// The size and colour every image is brought to; a model trained on these rows keeps
    /// it and applies it to the images it predicts.
    public var preprocessing: ImagePreprocessing
    /// Whether files that give no row (corrupt, not an image, misplaced) are left out and
    /// listed in the run's summary, or fail the generation listing all of them.
    public var unreadable: UnreadablePolicy

    /// An image folder source.
    ///
    /// - Parameters:
    ///   - folder: The root folder, holding one folder per class.
    ///   - preprocessing: The size and colour the images are brought to.
    ///   - unreadable: `.skip` (default) or `.fail` for files that give no row.
    public init(folder: String, preprocessing: ImagePreprocessing, unreadable: UnreadablePolicy = .skip) {
        self.folder = folder
        self.preprocessing = preprocessing
        self.unreadable = unreadable
    }

    public var description: String {
        "image folder \(folder) (\(preprocessing.width)×\(preprocessing.height) \(preprocessing.color.rawValue))"
    }

    /// The label column of an image folder's rows: the class folder's name.
    public static let labelColumn = ImageFolderRead.labelColumn
    /// The key columns of an image folder's rows: the relative path and the file's digest.
    public static let keyColumns = [ImageFolderRead.pathColumn, ImageFolderRead.digestColumn]
}
