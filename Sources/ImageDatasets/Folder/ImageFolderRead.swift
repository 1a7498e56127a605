public import Tabular

/// What ``ImageFolder/read(root:preprocessing:unreadable:threads:limits:)`` gives: a table
/// of one row per image, the files that gave no row, and the classes.
///
/// ```swift
/// let read = try ImageFolder.read(root: root, preprocessing: preprocessing, unreadable: .skip)
/// read.table.columnNames.prefix(4)   // ["path", "label", "digest", "pixel_0_0"]
/// read.classes                       // ["cats", "dogs"]
/// ```
public struct ImageFolderRead: Sendable, Hashable {
    /// The name of the path column: the row key.
    public static let pathColumn = "path"
    /// The name of the label column.
    public static let labelColumn = "label"
    /// The name of the digest column.
    public static let digestColumn = "digest"

    /// One row per image, sorted by path (comparing UTF-8 bytes), whatever the thread count
    /// or directory order. The columns:
    /// - `path` (categorical): the file's path relative to the root, `/`-separated
    ///   (`"cats/0001.png"`), unique: the row key;
    /// - `label` (categorical): the class folder's name;
    /// - `digest` (categorical): the lowercase hex SHA-256 of the file's bytes;
    /// - the pixels (numeric, in [0, 1]), named by ``ImagePreprocessing/featureNames``.
    public let table: Table
    /// The files that gave no row, sorted by path; empty with ``UnreadablePolicy/fail``.
    public let unreadable: [UnreadableImage]
    /// Every class folder's name, sorted (comparing UTF-8 bytes). A class folder with no
    /// readable image is listed, with no rows in ``table``.
    public let classes: [String]
    /// The preprocessing that made the pixel columns: what a model trained on ``table``
    /// stores to preprocess images at prediction time.
    public let preprocessing: ImagePreprocessing

    /// The pixel columns' names, in table order: ``ImagePreprocessing/featureNames``.
    public var featureNames: [String] { preprocessing.featureNames }
}
