import Foundation
import ImageDatasets
import Pipelines

extension SpecReader {
    static let datasetKeys = ["training", "testing", "images", "split", "label", "features", "exclude", "key", "missing"]
    static let splitKeys = ["testFraction", "seed"]
    static let imagesKeys = ["folder", "width", "height", "color", "unreadable"]
    /// The keys an image folder implies (label, features, keys) or does not use.
    static let keysBesideImages = ["training", "testing", "label", "features", "exclude", "key", "missing"]

    /// `dataset`: the sources (paths relative to the spec file), the split, the label, the
    /// features, the keys and the missing-value settings — or an image folder (`images`) and
    /// the split.
    func dataset(_ field: Field) throws(SpecError) -> DatasetStep {
        let object = try field.object(allowed: Self.datasetKeys)
        let split = try self.split(object.optional("split"))
        if let images = object.optional("images") {
            if let other = Self.keysBesideImages.first(where: object.contains), let stray = object.optional(other) {
                throw stray.error("'\(other)' does not go with 'images': an image folder's label is its class folder, "
                    + "its keys the image's path and digest, its features the pixels")
            }
            return DatasetStep(images: try imageFolder(images), split: split)
        }
        var step = DatasetStep()
        step.split = split
        step.training = .csv(path: try resolvedPath(try object.required("training")))
        if let testing = object.optional("testing") {
            step.testing = .csv(path: try resolvedPath(testing))
        }
        step.label = try object.required("label").string()
        let excluded = try object.optional("exclude")?.strings() ?? []
        if let features = object.optional("features") {
            // Listed features leave every other column out already; a column both listed and
            // excluded is a contradiction.
            let names = try features.strings()
            if let exclude = object.optional("exclude"), let i = excluded.firstIndex(where: names.contains) {
                throw try exclude.array()[i].error("'\(excluded[i])' is both in 'features' and in 'exclude'")
            }
            step.features = .columns(names)
        } else {
            step.features = .all(excluding: excluded)
        }
        step.keys = try object.optional("key")?.oneOrMoreStrings() ?? []
        if let missing = object.optional("missing") { step.missing = try missingValues(missing) }
        return step
    }

    /// `split: {testFraction: 0.2, seed: 7}` (both optional), or the default split.
    private func split(_ field: Field?) throws(SpecError) -> RandomSplit {
        guard let field else { return RandomSplit(testFraction: 0.2) }
        let split = try field.object(allowed: Self.splitKeys)
        return RandomSplit(
            testFraction: try split.optional("testFraction")?.number() ?? 0.2,
            seed: try split.optional("seed")?.seed() ?? 0)
    }

    /// `images: {folder: images/train, width: 32, height: 32, color: grey, unreadable: skip}`:
    /// the folder (relative to the spec file) and the preprocessing; `color` defaults to
    /// `grey`, `unreadable` to `skip`.
    private func imageFolder(_ field: Field) throws(SpecError) -> ImageFolderSource {
        let object = try field.object(allowed: Self.imagesKeys)
        let folder = try resolvedPath(try object.required("folder"))
        let widthField = try object.required("width"), heightField = try object.required("height")
        let (width, height) = (try widthField.integer(), try heightField.integer())
        var color = ImagePreprocessing.Color.grey
        if let field = object.optional("color") {
            let name = try field.string()
            guard let chosen = ImagePreprocessing.Color(rawValue: name) else {
                throw field.error("bad color '\(name)' (expected \(ImagePreprocessing.Color.allCases.map(\.rawValue).joined(separator: " or ")))")
            }
            color = chosen
        }
        var unreadable = UnreadablePolicy.skip
        if let field = object.optional("unreadable") {
            let name = try field.string()
            guard let chosen = UnreadablePolicy(rawValue: name) else {
                throw field.error("bad unreadable policy '\(name)' (expected skip or fail)")
            }
            unreadable = chosen
        }
        let preprocessing: ImagePreprocessing
        do { preprocessing = try ImagePreprocessing(width: width, height: height, color: color) } catch {
            throw (ImagePreprocessing.sizeRange.contains(width) ? heightField : widthField).error("\(error)")
        }
        return ImageFolderSource(folder: folder, preprocessing: preprocessing, unreadable: unreadable)
    }

    /// A data file's path, made absolute against the spec file's directory.
    private func resolvedPath(_ field: Field) throws(SpecError) -> String {
        let path = try field.nonEmptyString()
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
        return url.absoluteURL.standardizedFileURL.path
    }
}
