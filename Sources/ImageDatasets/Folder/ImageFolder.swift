public import ImageDecoding
public import struct Foundation.URL
public import class Foundation.ProcessInfo
import Tabular

/// Reads an image classification dataset laid out as one folder per class into a
/// ``Tabular/Table``: one row per image, with its path, label, digest and pixels.
///
/// ```text
/// pets/
///   cats/  0001.png  0002.jpg  …
///   dogs/  0001.png  …
/// ```
///
/// ```swift
/// let preprocessing = try ImagePreprocessing(width: 32, height: 32, color: .rgb)
/// let read = try ImageFolder.read(
///     root: URL(fileURLWithPath: "pets"), preprocessing: preprocessing, unreadable: .skip)
/// print(read.table.rowCount, read.classes)   // 2000 ["cats", "dogs"]
/// for file in read.unreadable { print(file) }
/// ```
///
/// The layout rules: each folder directly in the root is a class, named after the folder;
/// each file directly in a class folder whose name ends in `.png`, `.jpg` or `.jpeg` (any
/// case) is an image of that class (the decoder still tells the format by the file's first
/// bytes). Names starting with `.` are ignored. Anything else (a file in the root, a file
/// with another extension, a folder inside a class folder) is an ``UnreadableImage`` with
/// the reason, like a file that cannot be decoded.
public enum ImageFolder {
    /// Reads the image folder at `root` into a table, decoding on `threads` threads.
    ///
    /// ```swift
    /// let read = try ImageFolder.read(
    ///     root: URL(fileURLWithPath: "digits"),
    ///     preprocessing: try ImagePreprocessing(width: 28, height: 28, color: .grey),
    ///     unreadable: .fail)
    /// let pixels = try read.table.selecting(columns: read.featureNames)
    /// ```
    ///
    /// Each image's file is read once; its bytes give the digest and the decoded image,
    /// which ``ImagePreprocessing/features(of:)`` turns into the pixel columns. The result
    /// does not depend on `threads` or on the order the system lists files in.
    ///
    /// - Parameters:
    ///   - root: The folder holding one folder per class (a file URL).
    ///   - preprocessing: The colour model and size every image is brought to.
    ///   - unreadable: ``UnreadablePolicy/skip`` to leave out (and list) the files that
    ///     cannot give a row, ``UnreadablePolicy/fail`` to throw listing all of them.
    ///   - threads: How many threads read and decode (default: every core); values below 1
    ///     count as 1.
    ///   - limits: The decoder's pixel and JPEG-scan limits, for each image.
    /// - Returns: The table (columns `path`, `label`, `digest`, then the pixels; rows sorted
    ///   by path), the files left out, and the classes. See ``ImageFolderRead``.
    /// - Throws: ``ImageFolderError``: the root missing, not a folder or not listable; a
    ///   class folder not listable; no class folders; no images; no image readable; or,
    ///   with ``UnreadablePolicy/fail``, every file that cannot give a row.
    /// - Complexity: O(n log n) to list and sort n files, then each file read, hashed,
    ///   decoded and resampled once (spread over `threads`), then one transposition of the
    ///   n × ``ImagePreprocessing/featureCount`` pixel values. Memory peaks at about twice
    ///   that many `Double`s while the transposition runs.
    public static func read(
        root: URL,
        preprocessing: ImagePreprocessing,
        unreadable policy: UnreadablePolicy,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        limits: ImageDecodingLimits = ImageDecodingLimits()
    ) throws(ImageFolderError) -> ImageFolderRead {
        let rootPath = root.isFileURL ? root.path : root.absoluteString
        let listing = try ImageFolderListing(rootPath: rootPath)
        let threads = max(1, threads)
        let decoder = ImageChunkDecoder(listing: listing, preprocessing: preprocessing, limits: limits)
        let chunks = decoder.decodeAll(threads: threads)

        let unreadable = (listing.refused + chunks.flatMap(\.unreadable)).sortedByPath()
        let rowCount = chunks.reduce(0) { $0 + $1.rowCount }
        if policy == .fail && !unreadable.isEmpty {
            throw .unreadableImages(unreadable)
        }
        guard rowCount > 0 else { throw .noReadableImages(root: rootPath, unreadable: unreadable) }

        let table = makeTable(listing: listing, chunks: chunks, rowCount: rowCount,
                              preprocessing: preprocessing, threads: threads)
        return ImageFolderRead(
            table: table, unreadable: unreadable, classes: listing.classes, preprocessing: preprocessing)
    }

    /// The table of the decoded rows: path, label and digest, then the pixel columns.
    private static func makeTable(
        listing: ImageFolderListing, chunks: [DecodedChunk], rowCount: Int,
        preprocessing: ImagePreprocessing, threads: Int
    ) -> Table {
        var paths: [String] = [], labels: [String] = [], digests: [String] = []
        paths.reserveCapacity(rowCount)
        labels.reserveCapacity(rowCount)
        digests.reserveCapacity(rowCount)
        for chunk in chunks {
            for index in chunk.imageIndices {
                let image = listing.images[index]
                paths.append(image.relativePath)
                labels.append(image.label)
            }
            digests.append(contentsOf: chunk.digests)
        }
        let pixels = PixelColumns.transpose(
            chunks, rowCount: rowCount, featureCount: preprocessing.featureCount, threads: threads)
        do {
            var columns = [
                try Column(name: ImageFolderRead.pathColumn, values: .categorical(paths)),
                try Column(name: ImageFolderRead.labelColumn, values: .categorical(labels)),
                try Column(name: ImageFolderRead.digestColumn, values: .categorical(digests)),
            ]
            columns.reserveCapacity(3 + pixels.count)
            for (name, values) in zip(preprocessing.featureNames, pixels) {
                columns.append(try Column(name: name, values: .numeric(values)))
            }
            return try Table(columns)
        } catch {
            // The names are distinct (`pixel_…` never equals path, label or digest) and every
            // column has rowCount values, so Tabular has nothing to refuse.
            preconditionFailure("the image folder's table could not be built: \(error)")
        }
    }
}
