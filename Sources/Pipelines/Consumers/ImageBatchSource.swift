public import Foundation
public import ImageDatasets
import Tabular

/// A folder of images as a batch's input: one row per image file (in the folder or its
/// subfolders, by relative path), columns `path` then the pixels of ``ImagePreprocessing``.
/// A file that cannot be decoded (or is not a `.png`, `.jpg` or `.jpeg` file) is an
/// unreadable row: it goes to the rejects output with its reason. Images are decoded a
/// chunk at a time on every core, so memory grows with the chunk, not with the folder.
///
/// ```swift
/// let source = try ImageBatchSource(folder: URL(fileURLWithPath: "new-images"), preprocessing: preprocessing)
/// let summary = try await deployment.predictBatch(
///     from: source, to: CSVBatchSink(URL(fileURLWithPath: "predicted.csv")), options: BatchOptions(keys: ["path"]))
/// ```
///
/// ``Deployment/predictImages(in:output:rejects:progress:)`` does this with the deployed
/// model's own preprocessing.
public final class ImageBatchSource: BatchTableSource, @unchecked Sendable {
    // One batch reads it, from one thread at a time (`next` is only touched by nextChunk).
    private let files: ImageFiles
    private let preprocessing: ImagePreprocessing
    private let threads: Int
    private var next = 0
    public let name: String
    public let columnNames: [String]

    /// The images in `folder` (and its subfolders), sorted by relative path.
    ///
    /// - Parameters:
    ///   - folder: The folder of images.
    ///   - preprocessing: The size and colour the images are brought to (a model's
    ///     ``ModelBundle/images``).
    ///   - threads: How many threads decode (default: every core).
    /// - Throws: ``PipelineError/images(_:)`` when the folder is missing, not a folder or
    ///   cannot be listed.
    public init(
        folder: URL, preprocessing: ImagePreprocessing, threads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(PipelineError) {
        do { files = try ImageFiles(folder: folder) } catch { throw .images(error) }
        self.preprocessing = preprocessing
        self.threads = max(1, threads)
        name = folder.path
        columnNames = [ImageFolderRead.pathColumn] + preprocessing.featureNames
    }

    /// The share of the images decoded so far.
    public var fractionRead: Double? { files.count > 0 ? Double(next) / Double(files.count) : 1 }

    /// The next images: a chunk of at most `maxRows` rows (at most 4,096, to bound memory).
    public func nextChunk(maxRows: Int) throws(PipelineError) -> BatchChunk? {
        guard next < files.count else { return nil }
        let range = next..<min(files.count, next + max(1, min(maxRows, 4_096)))
        next = range.upperBound
        let rows = files.features(range, preprocessing: preprocessing, threads: threads)
        let paths = Array(files.paths[range])
        let featureCount = preprocessing.featureCount
        return BatchChunk(
            rowCount: range.count, locations: range.map { $0 + 1 },
            unreadable: rows.unreadable.mapValues(\.reason),
            column: { index, type, name, slice in
                // The path is text, the pixels numbers: asked as another type, every row is
                // refused with why (a model whose features are not this folder's pixels).
                let expected: ColumnType = index == 0 ? .categorical : .numeric
                guard type == expected else {
                    let reason = "'\(name)' holds \(expected.rawValue) values, not \(type.rawValue)"
                    return (Self.missing(name, type, count: slice.count), Dictionary(uniqueKeysWithValues: slice.map { ($0, reason) }))
                }
                if index == 0 { return (Column(name: name, categorical: slice.map { Optional(paths[$0]) }), [:]) }
                let values = slice.map { row -> Double? in
                    rows.unreadable[row] == nil ? rows.values[row * featureCount + index - 1] : nil
                }
                return (Column(name: name, numeric: values), [:])
            })
    }

    /// A column of `count` missing values of `type`.
    private static func missing(_ name: String, _ type: ColumnType, count: Int) -> Column {
        switch type {
        case .numeric: return Column(name: name, numeric: Array(repeating: nil, count: count))
        case .integer: return Column(name: name, integer: Array(repeating: nil, count: count))
        case .categorical: return Column(name: name, categorical: Array(repeating: nil, count: count))
        case .boolean: return Column(name: name, boolean: Array(repeating: nil, count: count))
        }
    }
}
