public import protocol Foundation.LocalizedError

/// Why an image folder could not be read. Every case names the folder or lists the files.
///
/// ```swift
/// do {
///     let read = try ImageFolder.read(root: root, preprocessing: preprocessing, unreadable: .fail)
/// } catch {
///     print(error)   // "2 files in the image folder cannot give a row: …"
/// }
/// ```
public enum ImageFolderError: Error, Sendable, Hashable {
    /// Nothing exists at the root path.
    case rootNotFound(path: String)
    /// The root path is a file, not a folder.
    case rootNotAFolder(path: String)
    /// A folder (the root or a class folder) exists but cannot be listed (no permission, …).
    case folderNotListable(path: String, reason: String)
    /// The root holds no class folder (no non-hidden subfolder).
    case noClassFolders(root: String)
    /// The class folders hold no `.png`, `.jpg` or `.jpeg` file.
    case noImages(root: String)
    /// There are image files, but none could be decoded (with ``UnreadablePolicy/skip``);
    /// every file that gave no row is listed.
    case noReadableImages(root: String, unreadable: [UnreadableImage])
    /// Some files could not give a row (with ``UnreadablePolicy/fail``); all of them are
    /// listed, sorted by path.
    case unreadableImages([UnreadableImage])
}

extension ImageFolderError: CustomStringConvertible, LocalizedError {
    /// The most files a description lists; the error's value holds them all.
    static let listedFileLimit = 20

    /// What went wrong, with the folder's path or the files (the first 20, then a count).
    public var description: String {
        switch self {
        case .rootNotFound(let path): return "\(path): no such image folder"
        case .rootNotAFolder(let path): return "\(path): not a folder (an image folder holds one folder per class)"
        case let .folderNotListable(path, reason): return "\(path): cannot list the folder (\(reason))"
        case .noClassFolders(let root):
            return "\(root): no class folders (an image folder holds one folder per class, named after the class)"
        case .noImages(let root): return "\(root): no .png, .jpg or .jpeg files in the class folders"
        case let .noReadableImages(root, unreadable):
            return "\(root): none of the images could be read\n" + Self.list(unreadable)
        case .unreadableImages(let unreadable):
            let files = unreadable.count == 1 ? "1 file" : "\(unreadable.count) files"
            return "\(files) in the image folder cannot give a row:\n" + Self.list(unreadable)
        }
    }

    /// The same text as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }

    /// One line per file, indented; at most ``listedFileLimit``, then how many more.
    private static func list(_ unreadable: [UnreadableImage]) -> String {
        var lines = unreadable.prefix(listedFileLimit).map { "  \($0)" }
        if unreadable.count > listedFileLimit {
            lines.append("  … and \(unreadable.count - listedFileLimit) more")
        }
        return lines.joined(separator: "\n")
    }
}
