public import Foundation
import ImageDatasets
import Tabular

extension LoadedModel {
    /// Predictions for image files, brought to the model's features by the preprocessing it
    /// was trained with (``ModelBundle/images``).
    ///
    /// ```swift
    /// let predictions = try model.predict(imagesAt: [URL(fileURLWithPath: "7.png")])
    /// ```
    ///
    /// - Parameters:
    ///   - urls: The image files (PNG or JPEG).
    ///   - withProbabilities: Whether classifiers also return probabilities.
    /// - Throws: ``PipelineError/invalidBatch(_:)`` when the model was not trained on
    ///   images; ``PipelineError/image(_:)`` naming the first file that cannot be decoded.
    /// - Complexity: decoding and resampling each image, then the model's prediction cost.
    public func predict(imagesAt urls: [URL], withProbabilities: Bool = true) throws(PipelineError) -> Predictions {
        let preprocessing = try imagePreprocessing()
        var rows: [[Double]] = []
        rows.reserveCapacity(urls.count)
        for url in urls {
            do { rows.append(try preprocessing.features(ofFileAt: url)) } catch { throw .image(error) }
        }
        let columns = preprocessing.featureNames.enumerated().map { index, name in
            Column(name: name, numeric: rows.map { Optional($0[index]) })
        }
        let table: Table
        do { table = try Table(columns) } catch { throw .data(error) }
        return try predict(table, withProbabilities: withProbabilities)
    }

    /// The preprocessing of a model trained on images.
    ///
    /// - Throws: ``PipelineError/invalidBatch(_:)`` for a model trained on a table.
    func imagePreprocessing() throws(PipelineError) -> ImagePreprocessing {
        guard let images = bundle.images else {
            throw .invalidBatch("model \(id) was trained on a table, not on images: predict it with records or a CSV file")
        }
        return images
    }
}

extension Deployment {
    /// The deployed model's prediction for one image file.
    ///
    /// ```swift
    /// let prediction = try await pipeline.deployment.predict(imageAt: URL(fileURLWithPath: "new/0001.png"))
    /// prediction.values[0]          // the class, e.g. "7"
    /// ```
    ///
    /// - Throws: ``PipelineError/nothingDeployed(_:)``; ``PipelineError/invalidBatch(_:)``
    ///   when the deployed model was not trained on images; ``PipelineError/image(_:)``
    ///   when the file cannot be decoded.
    /// - Complexity: decoding and resampling the image, then the model's prediction cost.
    public func predict(imageAt url: URL) async throws(PipelineError) -> Predictions {
        try await predict(imagesAt: [url])
    }

    /// The deployed model's predictions for image files, in order.
    ///
    /// - Throws: as ``predict(imageAt:)``, naming the first file that cannot be decoded.
    /// - Complexity: decoding and resampling each image, then the model's prediction cost.
    public func predict(imagesAt urls: [URL]) async throws(PipelineError) -> Predictions {
        let model = try await loadedModel()
        return try await offload { () throws(PipelineError) -> Predictions in try model.predict(imagesAt: urls) }
    }

    /// Predicts every image in `folder` (and its subfolders) into a CSV file with the model
    /// deployed now: columns `path` (relative to the folder), `prediction`, and for
    /// classifiers `probability_<class>`. Files that cannot be decoded, and files that are not
    /// `.png`, `.jpg` or `.jpeg`, go to `rejects` with their reason. Images are brought to
    /// the model's features by the preprocessing it was trained with. A batch as
    /// ``predictBatch(from:to:rejects:options:progress:)``: both outputs appear only when it
    /// completes.
    ///
    /// ```swift
    /// let summary = try await pipeline.deployment.predictImages(
    ///     in: URL(fileURLWithPath: "new"), output: URL(fileURLWithPath: "predicted.csv"),
    ///     rejects: URL(fileURLWithPath: "predicted.rejects.csv"))
    /// ```
    ///
    /// - Parameters:
    ///   - folder: The folder of images.
    ///   - output: The CSV to write.
    ///   - rejects: Where the files that give no prediction go (nil: only counted).
    ///   - progress: Called after each chunk of images.
    /// - Returns: Images read, predicted and rejected; the model and its version; the time.
    /// - Throws: ``PipelineError/nothingDeployed(_:)``; ``PipelineError/invalidBatch(_:)``
    ///   when the deployed model was not trained on images; ``PipelineError/images(_:)``
    ///   when the folder cannot be listed; ``PipelineError/fileWrite(path:reason:)``.
    /// - Complexity: decoding and resampling each image, then the model's prediction cost.
    public func predictImages(
        in folder: URL, output: URL, rejects: URL? = nil, progress: (@Sendable (BatchProgress) -> Void)? = nil
    ) async throws(PipelineError) -> BatchSummary {
        let preprocessing = try await loadedModel().imagePreprocessing()
        let source = try ImageBatchSource(folder: folder, preprocessing: preprocessing)
        return try await predictBatch(
            from: source, to: CSVBatchSink(output), rejects: rejects.map { CSVBatchSink($0) },
            options: BatchOptions(keys: [ImageFolderRead.pathColumn]), progress: progress)
    }
}
