/// A decoded image: `width` × `height` pixels of grey or RGB samples, 8 or 16 bits each,
/// row-major from the top-left corner, channels interleaved (`R G B R G B …`).
///
/// ```swift
/// let image = try ImageDecoder.decode(fileAt: URL(fileURLWithPath: "cat.png"))
/// let inputs = image.normalizedSamples(as: .rgb)   // [Float] in [0, 1], RGB
/// let red = image.normalizedSample(x: 0, y: 0, channel: 0)
/// ```
///
/// What the decoder keeps from the file:
/// - Alpha (an alpha channel, or PNG transparency from a tRNS chunk, palette or colour key)
///   is composited on white, in the stored sample values: `v' = round((v·a + max·(max − a)) / max)`
///   with `max` 255 or 65535. ``hadAlpha`` says when that happened. A fully transparent
///   pixel is white, whatever colour it stored.
/// - PNG: 16-bit samples stay 16-bit (``Samples-swift.enum/uint16(_:)``); 1-, 2- and 4-bit
///   grey and palette images become 8-bit; palette images become RGB.
/// - JPEG: always 8-bit; grey stays grey, YCbCr becomes RGB (libjpeg's conversion, accurate
///   integer IDCT, smooth chroma upsampling).
/// - No colour management (ICC profiles, PNG gAMA/cHRM are ignored) and no Exif rotation:
///   the samples are those stored, as Pillow returns them.
public struct DecodedImage: Sendable, Hashable {
    /// How many channels a pixel has and what they mean.
    public enum ColorModel: Int, Sendable, Hashable, CaseIterable {
        /// One channel: grey.
        case grey = 1
        /// Three channels: red, green, blue.
        case rgb = 3

        /// The number of samples per pixel: 1 or 3.
        public var channelCount: Int { rawValue }
    }

    /// The samples, `width × height × channels` of them, at the image's bit depth.
    public enum Samples: Sendable, Hashable {
        /// 8-bit samples, 0…255.
        case uint8([UInt8])
        /// 16-bit samples, 0…65535 (16-bit PNG).
        case uint16([UInt16])

        /// The number of samples.
        public var count: Int {
            switch self {
            case .uint8(let values): return values.count
            case .uint16(let values): return values.count
            }
        }

        /// Bits per sample: 8 or 16.
        public var bitDepth: Int {
            switch self {
            case .uint8: return 8
            case .uint16: return 16
            }
        }

        /// The largest sample value: 255 or 65535.
        public var maximumValue: Int { (1 << bitDepth) - 1 }

        /// Sample `index` as an integer.
        subscript(index: Int) -> Int {
            switch self {
            case .uint8(let values): return Int(values[index])
            case .uint16(let values): return Int(values[index])
            }
        }
    }

    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Grey (1 channel) or RGB (3 channels).
    public let colorModel: ColorModel
    /// The samples: row-major, channels interleaved.
    public let samples: Samples
    /// Whether the source had alpha (an alpha channel or tRNS transparency) that was
    /// composited on white.
    public let hadAlpha: Bool

    /// Samples per pixel: 1 (grey) or 3 (RGB).
    public var channels: Int { colorModel.channelCount }

    /// Bits per sample: 8 or 16.
    public var bitDepth: Int { samples.bitDepth }

    /// An image from its samples, or `nil` when `samples` does not hold exactly
    /// `width × height × channels` values or a dimension is below 1.
    ///
    /// ```swift
    /// let pixel = DecodedImage(width: 1, height: 1, colorModel: .rgb, samples: .uint8([255, 0, 0]))
    /// ```
    ///
    /// - Parameters:
    ///   - width: Pixels per row (at least 1).
    ///   - height: Rows (at least 1).
    ///   - colorModel: Grey or RGB.
    ///   - samples: Row-major, channels interleaved.
    ///   - hadAlpha: Whether alpha was composited away (default `false`).
    public init?(width: Int, height: Int, colorModel: ColorModel, samples: Samples, hadAlpha: Bool = false) {
        guard width >= 1, height >= 1 else { return nil }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        let (count, overflow2) = pixels.multipliedReportingOverflow(by: colorModel.channelCount)
        guard !overflow, !overflow2, count == samples.count else { return nil }
        self.width = width
        self.height = height
        self.colorModel = colorModel
        self.samples = samples
        self.hadAlpha = hadAlpha
    }

    /// One sample scaled to [0, 1] (divided by 255 or 65535).
    ///
    /// ```swift
    /// let green = image.normalizedSample(x: 3, y: 2, channel: 1)
    /// ```
    ///
    /// - Parameters:
    ///   - x: The column, `0..<width`.
    ///   - y: The row, `0..<height`.
    ///   - channel: `0..<channels` (0 for grey; 0, 1, 2 for red, green, blue).
    /// - Precondition: the coordinates are in range (like an array subscript).
    public func normalizedSample(x: Int, y: Int, channel: Int) -> Float {
        precondition((0..<width).contains(x) && (0..<height).contains(y) && (0..<channels).contains(channel),
                     "pixel (\(x), \(y)) channel \(channel) is outside the \(width)×\(height)×\(channels) image")
        return Float(samples[(y * width + x) * channels + channel]) / Float(samples.maximumValue)
    }

    /// Every sample scaled to [0, 1], row-major, channels interleaved; converted to
    /// `colorModel` when given: grey to RGB repeats the grey value, RGB to grey is the
    /// ITU-R BT.601 luma `0.299 R + 0.587 G + 0.114 B` (the weights of Pillow's `convert("L")`).
    ///
    /// ```swift
    /// let grey = image.normalizedSamples(as: .grey)  // width × height values
    /// ```
    ///
    /// - Parameters:
    ///   - colorModel: The channels wanted, or `nil` (default) for the image's own.
    /// - Returns: `width × height × colorModel.channelCount` values in [0, 1].
    public func normalizedSamples(as colorModel: ColorModel? = nil) -> [Float] {
        let target = colorModel ?? self.colorModel
        switch samples {
        case .uint8(let values): return Self.normalize(values, from: self.colorModel, to: target)
        case .uint16(let values): return Self.normalize(values, from: self.colorModel, to: target)
        }
    }

    private static func normalize<Sample: BinaryInteger & FixedWidthInteger>(
        _ values: [Sample], from source: ColorModel, to target: ColorModel
    ) -> [Float] {
        let scale = 1 / Float(Sample.max)
        switch (source, target) {
        case (.grey, .grey), (.rgb, .rgb):
            return values.map { Float($0) * scale }
        case (.grey, .rgb):
            var result = [Float]()
            result.reserveCapacity(values.count * 3)
            for value in values {
                let v = Float(value) * scale
                result.append(v)
                result.append(v)
                result.append(v)
            }
            return result
        case (.rgb, .grey):
            let pixelCount = values.count / 3
            return [Float](unsafeUninitializedCapacity: pixelCount) { buffer, initialized in
                for pixel in 0..<pixelCount {
                    let red = Float(values[3 * pixel]), green = Float(values[3 * pixel + 1]), blue = Float(values[3 * pixel + 2])
                    buffer[pixel] = min(1, (0.299 * red + 0.587 * green + 0.114 * blue) * scale)
                }
                initialized = pixelCount
            }
        }
    }
}
