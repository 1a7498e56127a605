public import ImageDecoding

/// A file in an image folder that gave no row: a file that could not be decoded, or one
/// the layout does not allow (outside a class folder, not a `.png`/`.jpg`/`.jpeg` file, a
/// folder inside a class folder).
///
/// ```swift
/// for file in read.unreadable {
///     print(file)   // "cats/0042.png: the file is empty"
/// }
/// ```
public struct UnreadableImage: Sendable, Hashable, CustomStringConvertible {
    /// The path relative to the root folder, with `/` separators (`"cats/0042.png"`).
    public let path: String
    /// Why it gave no row: the decoder's message without the file name, or what the
    /// folder layout does not allow.
    public let reason: String
    /// The decoder's error, for files that could not be read or decoded; `nil` for files
    /// refused by the folder layout.
    public let decodingError: ImageDecodingError?

    /// An entry for `path`, refused for `reason`.
    ///
    /// - Parameters:
    ///   - path: The path relative to the root folder, `/`-separated.
    ///   - reason: Why the file gave no row.
    ///   - decodingError: The decoder's error, if the decoder refused it.
    public init(path: String, reason: String, decodingError: ImageDecodingError? = nil) {
        self.path = path
        self.reason = reason
        self.decodingError = decodingError
    }

    /// An entry for a file the decoder refused: the reason is the error's description
    /// without its leading `"<file>: "`.
    init(path: String, error: ImageDecodingError) {
        let text = error.description
        let prefix = error.file + ": "
        let reason = text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
        self.init(path: path, reason: reason, decodingError: error)
    }

    /// `"<path>: <reason>"`.
    public var description: String { "\(path): \(reason)" }
}

/// What ``ImageFolder/read(root:preprocessing:unreadable:threads:limits:)`` does with a
/// file that cannot give a row.
public enum UnreadablePolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Leave it out of the table and list it in ``ImageFolderRead/unreadable``.
    case skip
    /// Throw ``ImageFolderError/unreadableImages(_:)`` listing every such file.
    case fail
}

extension Array where Element == UnreadableImage {
    /// Sorted by path, comparing the paths' UTF-8 bytes.
    func sortedByPath() -> [UnreadableImage] {
        sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }
}
