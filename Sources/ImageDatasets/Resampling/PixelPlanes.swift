import ImageDecoding

/// A grid of pixels the resampler reads: `channels` values per pixel, row-major.
protocol PixelPlane {
    /// The value of `channel` at (`row`, `column`).
    func value(row: Int, column: Int, channel: Int) -> Double
}

/// A decoded image's samples read in the *working* colour model, in sample units
/// (0...255 or 0...65535): the colour conversion step of ``ImagePreprocessing``.
///
/// The working model has three channels only when the image and the features are both
/// RGB. An RGB image read as grey gives the BT.601 luma `0.299 R + 0.587 G + 0.114 B`; a
/// grey image is resampled as grey and repeated into R, G and B only at the end
/// (``Resampler``), which gives the same values with a third of the work. Colour
/// conversion and resampling are both linear, so doing one before the other changes
/// nothing but the last bits of rounding.
struct SampleSource<Sample: FixedWidthInteger & UnsignedInteger>: PixelPlane {
    let samples: UnsafeBufferPointer<Sample>
    /// The image's width.
    let width: Int
    /// The image's channels: 1 or 3.
    let sourceChannels: Int
    /// The channels resampled: 3 when the image and the features are RGB, otherwise 1.
    let workingChannels: Int
    /// The features' channels: 1 or 3.
    let outputChannels: Int
    /// The largest sample value, which scales to 1.
    let maximum: Double

    init(samples: UnsafeBufferPointer<Sample>, width: Int, colorModel: DecodedImage.ColorModel,
         color: ImagePreprocessing.Color) {
        self.samples = samples
        self.width = width
        self.sourceChannels = colorModel.channelCount
        self.outputChannels = color.channelCount
        self.workingChannels = min(sourceChannels, outputChannels)
        self.maximum = Double(Sample.max)
    }

    @inline(__always)
    func value(row: Int, column: Int, channel: Int) -> Double {
        value(pixel: row &* width &+ column, channel: channel)
    }

    /// The value of `channel` at pixel `pixel` (row-major index).
    @inline(__always)
    func value(pixel: Int, channel: Int) -> Double {
        // Wrapping arithmetic: indices stay below the sample count, which fits in an Int.
        let base = pixel &* sourceChannels
        if sourceChannels == workingChannels {
            return Double(samples[base &+ channel])
        }
        return 0.299 * Double(samples[base]) + 0.587 * Double(samples[base &+ 1]) + 0.114 * Double(samples[base &+ 2])
    }
}

/// An intermediate result: `width` pixels per row of `channels` values, row-major.
struct DoublePlane: PixelPlane {
    let values: UnsafeMutableBufferPointer<Double>
    let width: Int
    let channels: Int

    @inline(__always)
    func value(row: Int, column: Int, channel: Int) -> Double {
        values[(row &* width &+ column) &* channels &+ channel]
    }
}
