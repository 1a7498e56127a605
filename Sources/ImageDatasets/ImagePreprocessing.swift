public import ImageDecoding
public import struct Foundation.URL

/// How an image becomes a model's input: a colour model and a fixed size, giving
/// `width × height × channels` numbers in [0, 1].
///
/// ```swift
/// let preprocessing = try ImagePreprocessing(width: 28, height: 28, color: .grey)
/// let image = try ImageDecoder.decode(fileAt: URL(fileURLWithPath: "digits/7/0001.png"))
/// let features = preprocessing.features(of: image)   // 784 values in [0, 1]
/// preprocessing.featureNames.prefix(2)                // ["pixel_0_0", "pixel_0_1"]
/// ```
///
/// The steps, always the same:
/// 1. **Colour.** Samples are scaled to [0, 1] (8-bit divided by 255, 16-bit by 65535).
///    RGB to grey is the ITU-R BT.601 luma `0.299 R + 0.587 G + 0.114 B`; grey to RGB
///    repeats the grey value in the three channels.
/// 2. **Size.** Each axis is resampled on its own (separably), so one may shrink while the
///    other grows:
///    - *shrinking* averages areas: an output pixel is the mean of the source pixels it
///      covers, those cut by its edges weighted by the fraction covered (as OpenCV's
///      `INTER_AREA`); 4 × 4 → 2 × 2 averages each 2 × 2 block;
///    - *enlarging* is bilinear with pixel centres aligned (source position
///      `(i + 0.5) · source / target − 0.5`, clamped at the border; as OpenCV's
///      `INTER_LINEAR` and PyTorch's `align_corners=False`);
///    - an axis of unchanged length is copied.
///
/// The features are row-major, channels interleaved, in the order of ``featureNames``.
/// The value is `Codable`: a trained model stores the one it was trained with, and
/// prediction runs the same ``features(of:)`` on new images.
public struct ImagePreprocessing: Sendable, Hashable, Codable {
    /// The colour model of the features.
    public enum Color: String, Sendable, Hashable, Codable, CaseIterable {
        /// One value per pixel: the grey level (BT.601 luma for RGB images).
        case grey
        /// Three values per pixel: red, green, blue (grey repeated for grey images).
        case rgb

        /// Values per pixel: 1 or 3.
        public var channelCount: Int {
            switch self {
            case .grey: return 1
            case .rgb: return 3
            }
        }
    }

    /// The widths and heights accepted: 1 to 4096 pixels.
    public static let sizeRange = 1...4096

    /// Pixels per row of the resized image.
    public let width: Int
    /// Rows of the resized image.
    public let height: Int
    /// Grey (one value per pixel) or RGB (three).
    public let color: Color

    /// A preprocessing to `width × height` pixels in `color`.
    ///
    /// ```swift
    /// let preprocessing = try ImagePreprocessing(width: 32, height: 32, color: .rgb)
    /// ```
    ///
    /// - Parameters:
    ///   - width: Pixels per row, 1...4096.
    ///   - height: Rows, 1...4096.
    ///   - color: Grey or RGB features.
    /// - Throws: ``ImagePreprocessingError/widthOutOfRange(_:)`` or
    ///   ``ImagePreprocessingError/heightOutOfRange(_:)``.
    public init(width: Int, height: Int, color: Color) throws(ImagePreprocessingError) {
        guard Self.sizeRange.contains(width) else { throw .widthOutOfRange(width) }
        guard Self.sizeRange.contains(height) else { throw .heightOutOfRange(height) }
        self.width = width
        self.height = height
        self.color = color
    }

    /// The number of features: `width × height × channels`.
    public var featureCount: Int { width * height * color.channelCount }

    /// The features' names, in the order of the vector: `pixel_<row>_<col>` for grey,
    /// `pixel_<row>_<col>_r`, `_g`, `_b` for RGB; row-major, channels interleaved.
    ///
    /// ```swift
    /// try ImagePreprocessing(width: 2, height: 1, color: .rgb).featureNames
    /// // ["pixel_0_0_r", "pixel_0_0_g", "pixel_0_0_b", "pixel_0_1_r", "pixel_0_1_g", "pixel_0_1_b"]
    /// ```
    ///
    /// - Complexity: O(``featureCount``).
    public var featureNames: [String] {
        var names: [String] = []
        names.reserveCapacity(featureCount)
        for row in 0..<height {
            for column in 0..<width {
                let pixel = "pixel_\(row)_\(column)"
                switch color {
                case .grey: names.append(pixel)
                case .rgb: names.append(contentsOf: [pixel + "_r", pixel + "_g", pixel + "_b"])
                }
            }
        }
        return names
    }

    /// The features of a decoded image: ``featureCount`` values in [0, 1], row-major,
    /// channels interleaved (the order of ``featureNames``).
    ///
    /// ```swift
    /// let features = preprocessing.features(of: try ImageDecoder.decode(fileAt: url))
    /// ```
    ///
    /// - Parameters:
    ///   - image: The image, of any size, grey or RGB, 8- or 16-bit.
    /// - Returns: `width × height × channels` values in [0, 1].
    /// - Complexity: O(`image.width × image.height + width × height`) per channel, times
    ///   the taps per output pixel (the source/target ratio when shrinking, 2 when enlarging).
    public func features(of image: DecodedImage) -> [Double] {
        let count = featureCount
        return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            writeFeatures(of: image, into: buffer)
            initialized = count
        }
    }

    /// The features of the PNG or JPEG file at `url`: the file decoded with
    /// ``ImageDecoding/ImageDecoder/decode(fileAt:limits:)``, then ``features(of:)``.
    ///
    /// ```swift
    /// let features = try preprocessing.features(ofFileAt: URL(fileURLWithPath: "new/cat.jpg"))
    /// ```
    ///
    /// - Parameters:
    ///   - url: A file URL.
    ///   - limits: The decoder's pixel and JPEG-scan limits (default: 50 megapixels, 1 000 scans).
    /// - Returns: `width × height × channels` values in [0, 1].
    /// - Throws: The decoder's ``ImageDecoding/ImageDecodingError``, naming the file.
    /// - Complexity: Decoding, then as ``features(of:)``.
    public func features(
        ofFileAt url: URL, limits: ImageDecodingLimits = ImageDecodingLimits()
    ) throws(ImageDecodingError) -> [Double] {
        features(of: try ImageDecoder.decode(fileAt: url, limits: limits))
    }

    /// Writes the features of `image` into `output` (exactly ``featureCount`` values): the
    /// one implementation behind ``features(of:)`` and the image folder reader.
    func writeFeatures(of image: DecodedImage, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(output.count == featureCount, "the output holds \(output.count) values, not \(featureCount)")
        let resampler = Resampler(
            sourceWidth: image.width, sourceHeight: image.height, targetWidth: width, targetHeight: height)
        switch image.samples {
        case .uint8(let samples):
            samples.withUnsafeBufferPointer { samples in
                resampler.resample(source(samples, of: image), into: output)
            }
        case .uint16(let samples):
            samples.withUnsafeBufferPointer { samples in
                resampler.resample(source(samples, of: image), into: output)
            }
        }
    }

    /// The samples of `image` read in this preprocessing's colour model.
    private func source<Sample>(_ samples: UnsafeBufferPointer<Sample>, of image: DecodedImage) -> SampleSource<Sample> {
        SampleSource(samples: samples, width: image.width, colorModel: image.colorModel, color: color)
    }
}

extension ImagePreprocessing {
    private enum CodingKeys: String, CodingKey {
        case width, height, color
    }

    /// Decodes a preprocessing, checking its size as ``init(width:height:color:)`` does.
    ///
    /// - Parameters:
    ///   - decoder: The decoder to read `width`, `height` and `color` from.
    /// - Throws: `DecodingError.dataCorrupted` for a size outside 1...4096, or the
    ///   decoder's error for a missing or mistyped key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let width = try container.decode(Int.self, forKey: .width)
        let height = try container.decode(Int.self, forKey: .height)
        let color = try container.decode(Color.self, forKey: .color)
        do {
            try self.init(width: width, height: height, color: color)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }
}
