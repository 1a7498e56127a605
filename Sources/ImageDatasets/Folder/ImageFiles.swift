import Dispatch
public import Foundation
public import ImageDecoding
import Synchronization

/// The files of a folder of images to predict: every non-hidden file in it or in its
/// subfolders, by relative path. Unlike an image folder for training there are no classes;
/// a file whose name does not end in `.png`, `.jpg` or `.jpeg` is listed and refused (it
/// gives no prediction, and says why), not silently passed over.
///
/// ```swift
/// let files = try ImageFiles(folder: URL(fileURLWithPath: "new-images"))
/// let rows = files.features(0..<files.count, preprocessing: preprocessing)
/// rows.unreadable     // position → why, for the files that gave no features
/// ```
public struct ImageFiles: Sendable {
    /// The folder's path, as given.
    public let rootPath: String
    /// The files' paths relative to the folder (`/`-separated), sorted by their UTF-8 bytes.
    public let paths: [String]
    /// The files named as images, as the decoder reads them (label unused).
    private let listing: ImageFolderListing
    /// For each image of ``listing``, its position in ``paths``.
    private let positions: [Int]

    /// The number of files.
    public var count: Int { paths.count }

    /// Lists the folder.
    ///
    /// - Parameter folder: A file URL of a folder.
    /// - Throws: ``ImageFolderError/rootNotFound(path:)``, ``ImageFolderError/rootNotAFolder(path:)``
    ///   or ``ImageFolderError/folderNotListable(path:reason:)``.
    /// - Complexity: O(n log n) for n files.
    public init(folder: URL) throws(ImageFolderError) {
        let rootPath = folder.isFileURL ? folder.path : folder.absoluteString
        let files = FileManager.default
        var isFolder: ObjCBool = false
        guard files.fileExists(atPath: rootPath, isDirectory: &isFolder) else { throw .rootNotFound(path: rootPath) }
        guard isFolder.boolValue else { throw .rootNotAFolder(path: rootPath) }
        guard let walk = files.enumerator(atPath: rootPath) else {
            throw .folderNotListable(path: rootPath, reason: "the folder cannot be opened")
        }
        var paths: [String] = []
        while let relative = walk.nextObject() as? String {
            let name = relative.split(separator: "/").last.map(String.init) ?? relative
            let isDirectory = (walk.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory
            if name.hasPrefix(".") {
                if isDirectory { walk.skipDescendants() }
                continue
            }
            if !isDirectory { paths.append(relative) }
        }
        paths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var images: [ImageFolderListing.Image] = [], positions: [Int] = [], refused: [UnreadableImage] = []
        for (position, path) in paths.enumerated() {
            if ImageFolderListing.hasImageExtension(path.split(separator: "/").last.map(String.init) ?? path) {
                images.append(ImageFolderListing.Image(relativePath: path, label: ""))
                positions.append(position)
            } else {
                refused.append(UnreadableImage(path: path, reason: ImageFolderListing.notAnImageFile))
            }
        }
        self.rootPath = rootPath
        self.paths = paths
        self.positions = positions
        listing = ImageFolderListing(rootPath: rootPath, images: images, refused: refused)
    }

    /// The features of the files at `range` (positions in ``paths``), decoded on `threads`
    /// threads with the same steps as an image folder's rows (``ImagePreprocessing/features(of:)``).
    ///
    /// - Parameters:
    ///   - range: Positions in ``paths``.
    ///   - preprocessing: The size and colour the images are brought to.
    ///   - threads: How many threads decode (default: every core).
    ///   - limits: The decoder's limits, for each image.
    /// - Returns: One row of ``ImagePreprocessing/featureCount`` values per position (zeros
    ///   for a file that gave none), and the files that gave none with why.
    /// - Complexity: each file read, decoded and resampled once.
    public func features(
        _ range: Range<Int>, preprocessing: ImagePreprocessing,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount, limits: ImageDecodingLimits = ImageDecodingLimits()
    ) -> ImageFeatureRows {
        let featureCount = preprocessing.featureCount
        var values = [Double](repeating: 0, count: range.count * featureCount)
        var unreadable: [Int: UnreadableImage] = [:]
        for position in range where !positions.binarySearchContains(position) {
            unreadable[position - range.lowerBound] = UnreadableImage(path: paths[position], reason: ImageFolderListing.notAnImageFile)
        }
        // The images among `range`: a run of consecutive images of the listing.
        let first = positions.partitioningIndex { $0 >= range.lowerBound }
        let end = positions.partitioningIndex { $0 >= range.upperBound }
        let decoder = ImageChunkDecoder(listing: listing, preprocessing: preprocessing, limits: limits)
        let workers = max(1, min(threads, end - first))
        let size = max(1, (end - first + workers - 1) / workers)
        let chunks = (first..<end).chunkRanges(of: size)
        let results = Mutex([DecodedChunk](repeating: DecodedChunk(), count: chunks.count))
        DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
            let chunk = decoder.decode(chunks[index])
            results.withLock { $0[index] = chunk }
        }
        for chunk in results.withLock({ $0 }) {
            for (row, image) in chunk.imageIndices.enumerated() {
                let offset = (positions[image] - range.lowerBound) * featureCount
                values.replaceSubrange(offset..<offset + featureCount, with: chunk.features[row * featureCount..<(row + 1) * featureCount])
            }
            for failure in chunk.unreadable {
                if let position = paths[range].firstIndex(of: failure.path) { unreadable[position - range.lowerBound] = failure }
            }
        }
        return ImageFeatureRows(values: values, unreadable: unreadable)
    }
}

/// Rows of image features: ``ImageFiles/features(_:preprocessing:threads:limits:)``.
public struct ImageFeatureRows: Sendable, Hashable {
    /// Row-major: one row of ``ImagePreprocessing/featureCount`` values per file (zeros for
    /// a file in ``unreadable``).
    public let values: [Double]
    /// The files that gave no features (by row), with why.
    public let unreadable: [Int: UnreadableImage]
}

extension ImageFolderListing {
    /// A listing of the given images (already sorted) and refused entries.
    init(rootPath: String, images: [Image], refused: [UnreadableImage]) {
        self.rootPath = rootPath
        self.images = images
        self.refused = refused
        classes = []
    }
}

extension Array where Element == Int {
    /// Whether the sorted array holds `value`.
    fileprivate func binarySearchContains(_ value: Int) -> Bool {
        let index = partitioningIndex { $0 >= value }
        return index < count && self[index] == value
    }

    /// The first index whose element satisfies `belongs` (the elements that do come last).
    fileprivate func partitioningIndex(where belongs: (Int) -> Bool) -> Int {
        var (low, high) = (0, count)
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

extension Range where Bound == Int {
    /// The range cut into consecutive ranges of at most `size` elements.
    fileprivate func chunkRanges(of size: Int) -> [Range<Int>] {
        stride(from: lowerBound, to: upperBound, by: size).map { $0..<Swift.min(upperBound, $0 + size) }
    }
}
