import Foundation

/// The files of an image folder, sorted out by the layout rules: the images to decode
/// (with their labels), the files the layout refuses, and the classes.
///
/// The rules: each non-hidden folder directly in the root is a class, named after the
/// folder; each non-hidden file directly in a class folder whose name ends in `.png`,
/// `.jpg` or `.jpeg` (any case) is an image of that class. Names starting with `.` are
/// ignored everywhere. Anything else is listed as unreadable, with the reason: a file in
/// the root, a file with another extension, a folder inside a class folder (whose contents
/// are not read).
struct ImageFolderListing: Sendable {
    /// One image to decode.
    struct Image: Sendable {
        /// `"<class>/<file>"`.
        let relativePath: String
        /// The class folder's name.
        let label: String
    }

    /// The root's path, as given.
    let rootPath: String
    /// The images, sorted by relative path (comparing UTF-8 bytes).
    let images: [Image]
    /// The entries the layout refuses, sorted by relative path.
    let refused: [UnreadableImage]
    /// The class folders' names, sorted (comparing UTF-8 bytes).
    let classes: [String]

    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]
    static let notInClassFolder = "not in a class folder (images go in one folder per class, named after the class)"
    static let notAnImageFile = "not a .png, .jpg or .jpeg file"
    static let nestedFolder = "a folder inside a class folder (images go directly in their class folder; "
        + "its contents are not read)"

    /// Lists the folder at `rootPath`.
    ///
    /// - Throws: ``ImageFolderError/rootNotFound(path:)``, ``ImageFolderError/rootNotAFolder(path:)``,
    ///   ``ImageFolderError/folderNotListable(path:reason:)`` (the root or a class folder),
    ///   ``ImageFolderError/noClassFolders(root:)`` or ``ImageFolderError/noImages(root:)``.
    /// - Complexity: O(n log n) for n entries, plus a `stat` for each entry of the root and
    ///   each entry of a class folder that is not named as an image.
    init(rootPath: String) throws(ImageFolderError) {
        let files = FileManager.default
        var isFolder: ObjCBool = false
        guard files.fileExists(atPath: rootPath, isDirectory: &isFolder) else { throw .rootNotFound(path: rootPath) }
        guard isFolder.boolValue else { throw .rootNotAFolder(path: rootPath) }
        let base = rootPath.hasSuffix("/") ? rootPath : rootPath + "/"

        var classes: [String] = []
        var refused: [UnreadableImage] = []
        for name in try Self.names(inFolder: rootPath) {
            if Self.isFolder(base + name) {
                classes.append(name)
            } else {
                refused.append(UnreadableImage(path: name, reason: Self.notInClassFolder))
            }
        }
        guard !classes.isEmpty else { throw .noClassFolders(root: rootPath) }
        classes.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }

        var images: [Image] = []
        for label in classes {
            for name in try Self.names(inFolder: base + label) {
                let relativePath = label + "/" + name
                if Self.hasImageExtension(name) {
                    // Named as an image: read it without a stat (a folder so named fails to read).
                    images.append(Image(relativePath: relativePath, label: label))
                } else if Self.isFolder(base + relativePath) {
                    refused.append(UnreadableImage(path: relativePath, reason: Self.nestedFolder))
                } else {
                    refused.append(UnreadableImage(path: relativePath, reason: Self.notAnImageFile))
                }
            }
        }
        guard !images.isEmpty else { throw .noImages(root: rootPath) }
        images.sort { $0.relativePath.utf8.lexicographicallyPrecedes($1.relativePath.utf8) }

        self.rootPath = rootPath
        self.images = images
        self.refused = refused.sortedByPath()
        self.classes = classes
    }

    /// The full path of `image`.
    func path(of image: Image) -> String {
        rootPath.hasSuffix("/") ? rootPath + image.relativePath : rootPath + "/" + image.relativePath
    }

    /// The non-hidden names in the folder at `path`.
    private static func names(inFolder path: String) throws(ImageFolderError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }
        } catch {
            throw .folderNotListable(path: path, reason: error.localizedDescription)
        }
    }

    /// Whether `path` is a folder (following symbolic links).
    private static func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// Whether `name` ends in `.png`, `.jpg` or `.jpeg`, in any case.
    static func hasImageExtension(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
    }
}
