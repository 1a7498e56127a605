import Foundation
import Pipelines

extension SpecReader {
    static let datasetKeys = ["training", "testing", "split", "label", "features", "exclude", "key", "missing"]
    static let splitKeys = ["testFraction", "seed"]

    /// `dataset`: the sources (paths relative to the spec file), the split, the label, the
    /// features, the keys and the missing-value settings.
    func dataset(_ field: Field) throws(SpecError) -> DatasetStep {
        let object = try field.object(allowed: Self.datasetKeys)
        var step = DatasetStep()
        step.training = .csv(path: try resolvedPath(try object.required("training")))
        if let testing = object.optional("testing") {
            step.testing = .csv(path: try resolvedPath(testing))
        }
        if let split = object.optional("split") {
            let split = try split.object(allowed: Self.splitKeys)
            step.split = RandomSplit(
                testFraction: try split.optional("testFraction")?.number() ?? 0.2,
                seed: try split.optional("seed")?.seed() ?? 0)
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

    /// A data file's path, made absolute against the spec file's directory.
    private func resolvedPath(_ field: Field) throws(SpecError) -> String {
        let path = try field.nonEmptyString()
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
        return url.absoluteURL.standardizedFileURL.path
    }
}
