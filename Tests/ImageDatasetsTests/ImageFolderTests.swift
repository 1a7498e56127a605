import Crypto
import Foundation
import ImageDatasets
import ImageDecoding
import Tabular
import Testing

/// Reading class folders into a table: labels, path keys, digests, pixel columns, and the
/// same result whatever the thread count.
@Suite("Reading an image folder")
struct ImageFolderTests {
    static func preprocessing(_ width: Int = 2, _ height: Int = 2, _ color: ImagePreprocessing.Color = .grey) throws
        -> ImagePreprocessing
    {
        try ImagePreprocessing(width: width, height: height, color: color)
    }

    static func categorical(_ table: Table, _ name: String) throws -> [String] {
        let column = try table.column(named: name)
        guard case .categorical(let values) = column.values else {
            Issue.record("column \(name) is \(column.type), not categorical")
            return []
        }
        return values
    }

    static func numeric(_ table: Table, _ name: String) throws -> [Double] {
        let column = try table.column(named: name)
        guard case .numeric(let values) = column.values else {
            Issue.record("column \(name) is \(column.type), not numeric")
            return []
        }
        return values
    }

    static func hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    @Test("labels come from the class folders; rows are sorted by path; pixels are the features")
    func labelsAndPaths() throws {
        let folder = try TemporaryImageFolder()
        defer { folder.remove() }
        let files: [(String, Data)] = [
            ("dogs/b.png", PNGWriter.grey([[0, 255], [255, 0]])),
            ("cats/z.png", PNGWriter.grey([[10, 20], [30, 40]])),
            ("cats/a.PNG", PNGWriter.grey([[255, 255], [255, 255]])),
            ("dogs/a.jpg", PNGWriter.grey([[1, 2], [3, 4]])),  // a PNG named .jpg: the signature decides
            ("birds/x.JPEG", PNGWriter.png(width: 4, height: 4, samples: Array(repeating: 102, count: 16))),
        ]
        for (path, data) in files { try folder.write(data, to: path) }
        try folder.write(Data("hidden".utf8), to: "cats/.DS_Store")
        try folder.write(Data("hidden".utf8), to: ".hidden/x.png")

        let read = try ImageFolder.read(root: folder.url, preprocessing: try Self.preprocessing(), unreadable: .fail)
        let table = read.table
        #expect(table.columnNames == ["path", "label", "digest", "pixel_0_0", "pixel_0_1", "pixel_1_0", "pixel_1_1"])
        #expect(try Self.categorical(table, "path") == ["birds/x.JPEG", "cats/a.PNG", "cats/z.png", "dogs/a.jpg", "dogs/b.png"])
        #expect(try Self.categorical(table, "label") == ["birds", "cats", "cats", "dogs", "dogs"])
        #expect(read.classes == ["birds", "cats", "dogs"])
        #expect(read.unreadable.isEmpty)
        #expect(read.preprocessing == (try Self.preprocessing()))
        #expect(read.featureNames == Array(table.columnNames.dropFirst(3)))
        #expect(try Self.numeric(table, "pixel_0_1") == [0.4, 1, 20.0 / 255, 2.0 / 255, 1])
        #expect(try Self.numeric(table, "pixel_1_0") == [0.4, 1, 30.0 / 255, 3.0 / 255, 1])
        // Each row's pixels are what features(of:) gives for that file.
        let preprocessing = try Self.preprocessing()
        let paths = try Self.categorical(table, "path")
        for (row, path) in paths.enumerated() {
            let expected = try preprocessing.features(ofFileAt: folder.url.appendingPathComponent(path))
            let got = try read.featureNames.map { try Self.numeric(table, $0)[row] }
            #expect(got == expected, "row \(row) (\(path))")
        }
    }

    @Test("the digest is the SHA-256 of the file's bytes, and changes when the file does")
    func digests() throws {
        let folder = try TemporaryImageFolder()
        defer { folder.remove() }
        let first = PNGWriter.grey([[1, 2], [3, 4]])
        try folder.write(first, to: "a/1.png")
        try folder.write(first, to: "a/2.png")
        let before = try ImageFolder.read(root: folder.url, preprocessing: try Self.preprocessing(), unreadable: .fail)
        let digests = try Self.categorical(before.table, "digest")
        #expect(digests == [Self.hex(first), Self.hex(first)])
        #expect(digests[0].count == 64 && digests[0] == digests[0].lowercased())

        let second = PNGWriter.grey([[1, 2], [3, 5]])
        try folder.write(second, to: "a/2.png")
        let after = try ImageFolder.read(root: folder.url, preprocessing: try Self.preprocessing(), unreadable: .fail)
        #expect(try Self.categorical(after.table, "digest") == [Self.hex(first), Self.hex(second)])
        #expect(Self.hex(first) != Self.hex(second))
    }

    @Test("bad files and layout problems are listed with reasons under .skip")
    func skipUnreadable() throws {
        let folder = try Self.folderWithProblems()
        defer { folder.remove() }
        let read = try ImageFolder.read(root: folder.url, preprocessing: try Self.preprocessing(), unreadable: .skip)
        #expect(try Self.categorical(read.table, "path") == ["cats/good.png", "dogs/good.png"])
        #expect(read.unreadable.map(\.path) == Self.problemPaths)
        let reasons = Dictionary(uniqueKeysWithValues: read.unreadable.map { ($0.path, $0.reason) })
        #expect(reasons["cats/empty.png"] == "the file is empty")
        #expect(reasons["cats/notes.txt"] == "not a .png, .jpg or .jpeg file")
        #expect(reasons["dogs/text.jpg"] == "not a PNG or JPEG image")
        #expect(reasons["dogs/truncated.png"]?.hasPrefix("truncated PNG") == true)
        #expect(reasons["readme.md"]?.hasPrefix("not in a class folder") == true)
        #expect(reasons["cats/nested"]?.hasPrefix("a folder inside a class folder") == true)
        let empty = try #require(read.unreadable.first { $0.path == "cats/empty.png" })
        #expect(empty.decodingError == .empty(file: "cats/empty.png"))
        #expect(empty.description == "cats/empty.png: the file is empty")
        #expect(read.unreadable.first { $0.path == "readme.md" }?.decodingError == nil)
        #expect(read.classes == ["cats", "dogs", "empty-class"])
    }

    @Test("under .fail every unreadable file is thrown at once, sorted by path")
    func failUnreadable() throws {
        let folder = try Self.folderWithProblems()
        defer { folder.remove() }
        let preprocessing = try Self.preprocessing()
        do {
            _ = try ImageFolder.read(root: folder.url, preprocessing: preprocessing, unreadable: .fail)
            Issue.record("no error thrown")
        } catch {
            guard case .unreadableImages(let files) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(files.map(\.path) == Self.problemPaths)
            #expect(error.description.hasPrefix("6 files in the image folder cannot give a row:\n  cats/empty.png: "))
        }
    }

    /// Two good images and six problems of every kind.
    static let problemPaths = [
        "cats/empty.png", "cats/nested", "cats/notes.txt", "dogs/text.jpg", "dogs/truncated.png", "readme.md",
    ]

    static func folderWithProblems() throws -> TemporaryImageFolder {
        let folder = try TemporaryImageFolder()
        let good = PNGWriter.grey([[1, 2], [3, 4]])
        try folder.write(good, to: "cats/good.png")
        try folder.write(good, to: "dogs/good.png")
        try folder.write(Data(), to: "cats/empty.png")
        try folder.write(Data("notes".utf8), to: "cats/notes.txt")
        try folder.write(good, to: "cats/nested/deeper.png")
        try folder.write(Data("not an image".utf8), to: "dogs/text.jpg")
        try folder.write(good.prefix(good.count - 20), to: "dogs/truncated.png")
        try folder.write(Data("# pets".utf8), to: "readme.md")
        try folder.makeFolder("empty-class")
        return folder
    }

    @Test("a missing root, a file as root, no class folders, no images, no readable image")
    func folderErrors() throws {
        let folder = try TemporaryImageFolder()
        defer { folder.remove() }
        let preprocessing = try Self.preprocessing()
        let missing = folder.url.appendingPathComponent("nowhere")
        #expect(throws: ImageFolderError.rootNotFound(path: missing.path)) {
            try ImageFolder.read(root: missing, preprocessing: preprocessing, unreadable: .skip)
        }
        #expect(throws: ImageFolderError.noClassFolders(root: folder.url.path)) {
            try ImageFolder.read(root: folder.url, preprocessing: preprocessing, unreadable: .skip)
        }
        try folder.write(Data("x".utf8), to: "file.png")
        let file = folder.url.appendingPathComponent("file.png")
        #expect(throws: ImageFolderError.rootNotAFolder(path: file.path)) {
            try ImageFolder.read(root: file, preprocessing: preprocessing, unreadable: .skip)
        }
        // Still no class folder: a file in the root is not one.
        #expect(throws: ImageFolderError.noClassFolders(root: folder.url.path)) {
            try ImageFolder.read(root: folder.url, preprocessing: preprocessing, unreadable: .skip)
        }
        try folder.write(Data("x".utf8), to: "cats/readme.txt")
        #expect(throws: ImageFolderError.noImages(root: folder.url.path)) {
            try ImageFolder.read(root: folder.url, preprocessing: preprocessing, unreadable: .skip)
        }
        try folder.write(Data(), to: "cats/empty.png")
        do {
            _ = try ImageFolder.read(root: folder.url, preprocessing: preprocessing, unreadable: .skip)
            Issue.record("no error thrown")
        } catch {
            guard case let .noReadableImages(root, unreadable) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(root == folder.url.path)
            #expect(unreadable.map(\.path) == ["cats/empty.png", "cats/readme.txt", "file.png"])
        }
        #expect(ImageFolderError.rootNotFound(path: "/x").localizedDescription == "/x: no such image folder")
    }

    @Test("1, 2 and 3 threads give the same table, in the same order")
    func threadCounts() throws {
        let folder = try TemporaryImageFolder()
        defer { folder.remove() }
        // 150 images of varied sizes and colours in 3 classes, a few unreadable.
        for index in 0..<150 {
            let width = 1 + index % 7, height = 1 + (index * 5) % 6, channels = index % 3 == 0 ? 3 : 1
            let samples = (0..<(width * height * channels)).map { ($0 * 31 + index * 17) % 256 }
            let data = index % 37 == 5
                ? Data()
                : PNGWriter.png(width: width, height: height, channels: channels, samples: samples)
            try folder.write(data, to: "class\(index % 3)/image\(index).png")
        }
        let preprocessing = try Self.preprocessing(3, 4, .rgb)
        let reads = try [1, 2, 3].map { threads in
            try ImageFolder.read(root: folder.url, preprocessing: preprocessing, unreadable: .skip, threads: threads)
        }
        #expect(reads[0].table.rowCount == 150 - reads[0].unreadable.count)
        #expect(reads[0].unreadable.count == 4)
        #expect(reads[0] == reads[1])
        #expect(reads[0] == reads[2])
        let paths = try Self.categorical(reads[0].table, "path")
        #expect(paths == paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(reads[0].table.columns.count == 3 + 3 * 4 * 3)
    }
}
