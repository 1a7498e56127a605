import ImageDatasets
import Tabular

/// What a dataset generation says about an image folder's rows.
enum ImageRows {
    /// How many images of `tables` (the folder as read now) have a path that an earlier
    /// generation's rows (`before`: its training and testing rows) hold with other bytes:
    /// files changed in place, each a new row because a row's identity includes its digest.
    ///
    /// - Complexity: O(rows) hash look-ups.
    static func changedImages(in tables: [Table], before: [Table]) -> Int {
        var digests: [String: Set<String>] = [:]
        for table in before {
            for (path, digest) in pathsAndDigests(of: table) { digests[path, default: []].insert(digest) }
        }
        guard !digests.isEmpty else { return 0 }
        var changed = Set<String>()
        for table in tables {
            for (path, digest) in pathsAndDigests(of: table) {
                if let known = digests[path], !known.contains(digest) { changed.insert(path) }
            }
        }
        return changed.count
    }

    /// The (path, digest) of every row holding both (an image folder's key columns).
    private static func pathsAndDigests(of table: Table) -> [(String, String)] {
        guard case .categorical(let paths)? = table[ImageFolderRead.pathColumn]?.values,
              case .categorical(let digests)? = table[ImageFolderRead.digestColumn]?.values else { return [] }
        return Array(zip(paths, digests))
    }
}
