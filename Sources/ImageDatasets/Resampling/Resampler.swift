/// Resizes one image separably: one axis from the source into an intermediate buffer, then
/// the other axis into the result, then scales to [0, 1] (and repeats grey into RGB when
/// the image is grey and the features RGB).
///
/// The axis done first is the one that makes the intermediate buffer smaller, so a very
/// tall, thin image (or a very wide, flat one) never needs a buffer of source height ×
/// target width. The choice depends only on the sizes, so the result is deterministic.
struct Resampler {
    let horizontal: AxisWeights
    let vertical: AxisWeights

    init(sourceWidth: Int, sourceHeight: Int, targetWidth: Int, targetHeight: Int) {
        horizontal = AxisWeights(from: sourceWidth, to: targetWidth)
        vertical = AxisWeights(from: sourceHeight, to: targetHeight)
    }

    /// Writes the `targetWidth × targetHeight × outputChannels` features of `source` into
    /// `output`, values in [0, 1].
    ///
    /// - Complexity: O(taps × pixels) for each pass: source height × target width × the
    ///   horizontal taps, then target height × target width × the vertical taps (or the
    ///   other way round), per working channel.
    func resample<Sample>(_ source: SampleSource<Sample>, into output: UnsafeMutableBufferPointer<Double>) {
        let channels = source.workingChannels
        let resultCount = horizontal.targetLength * vertical.targetLength * channels
        if source.outputChannels == channels {
            precondition(output.count == resultCount, "output size does not match the target size")
            resize(source, into: output)
            for index in 0..<resultCount {
                output[index] = Self.unit(output[index] / source.maximum)
            }
        } else {
            // A grey image to RGB features: resample the grey plane, then repeat it.
            precondition(output.count == resultCount * 3, "output size does not match the target size")
            withUnsafeTemporaryAllocation(of: Double.self, capacity: resultCount) { grey in
                resize(source, into: grey)
                for pixel in 0..<resultCount {
                    let value = Self.unit(grey[pixel] / source.maximum)
                    output[3 * pixel] = value
                    output[3 * pixel + 1] = value
                    output[3 * pixel + 2] = value
                }
            }
        }
    }

    /// Clamps rounding excursions (a weighted mean of values in [0, 1] may round a hair
    /// outside) back into [0, 1].
    @inline(__always)
    private static func unit(_ value: Double) -> Double {
        min(1, max(0, value))
    }

    /// Both passes, in sample units, into `result` (target size × working channels). An axis
    /// whose length does not change is not resampled at all (its pass would multiply by 1).
    private func resize<Sample>(_ source: SampleSource<Sample>, into result: UnsafeMutableBufferPointer<Double>) {
        let channels = source.workingChannels
        let sourceWidth = horizontal.sourceLength, sourceHeight = vertical.sourceLength
        let targetWidth = horizontal.targetLength, targetHeight = vertical.targetLength
        switch (sourceWidth == targetWidth, sourceHeight == targetHeight) {
        case (true, true):
            Self.convert(source, pixels: sourceWidth * sourceHeight, into: result)
        case (true, false):
            Self.resampleColumns(source, columns: sourceWidth, channels: channels, weights: vertical, into: result)
        case (false, true):
            Self.resampleRows(source, rows: sourceHeight, channels: channels, weights: horizontal, into: result)
        case (false, false):
            let horizontalFirst = sourceHeight * targetWidth <= targetHeight * sourceWidth
            let middleCount = (horizontalFirst ? sourceHeight * targetWidth : targetHeight * sourceWidth) * channels
            withUnsafeTemporaryAllocation(of: Double.self, capacity: middleCount) { middle in
                if horizontalFirst {
                    Self.resampleRows(source, rows: sourceHeight, channels: channels, weights: horizontal, into: middle)
                    let plane = DoublePlane(values: middle, width: targetWidth, channels: channels)
                    Self.resampleColumns(plane, columns: targetWidth, channels: channels, weights: vertical, into: result)
                } else {
                    Self.resampleColumns(source, columns: sourceWidth, channels: channels, weights: vertical, into: middle)
                    let plane = DoublePlane(values: middle, width: sourceWidth, channels: channels)
                    Self.resampleRows(plane, rows: targetHeight, channels: channels, weights: horizontal, into: result)
                }
            }
        }
    }

    /// The source's values in the working channels, unresized: `pixels × channels` of them.
    private static func convert<Sample>(
        _ source: SampleSource<Sample>, pixels: Int, into output: UnsafeMutableBufferPointer<Double>
    ) {
        let channels = source.workingChannels
        for pixel in 0..<pixels {
            for channel in 0..<channels {
                output[pixel &* channels &+ channel] = source.value(pixel: pixel, channel: channel)
            }
        }
    }

    // The passes index with wrapping arithmetic: every index stays below a buffer's count.

    /// Resamples each of `rows` rows of `plane` along its length with `weights`:
    /// `output[row][t] = Σ weights(t)ₖ · plane[row][first(t) + k]`.
    private static func resampleRows<Plane: PixelPlane>(
        _ plane: Plane, rows: Int, channels: Int, weights: AxisWeights, into output: UnsafeMutableBufferPointer<Double>
    ) {
        let targetLength = weights.targetLength
        weights.withBuffers { firstSource, offsets, taps in
            for row in 0..<rows {
                for target in 0..<targetLength {
                    let first = firstSource[target], start = offsets[target], end = offsets[target &+ 1]
                    let base = (row &* targetLength &+ target) &* channels
                    for channel in 0..<channels {
                        var sum = 0.0
                        for tap in start..<end {
                            sum += taps[tap] * plane.value(row: row, column: first &+ tap &- start, channel: channel)
                        }
                        output[base &+ channel] = sum
                    }
                }
            }
        }
    }

    /// Resamples each of `columns` columns of `plane` along its height with `weights`:
    /// `output[t][column] = Σ weights(t)ₖ · plane[first(t) + k][column]`.
    private static func resampleColumns<Plane: PixelPlane>(
        _ plane: Plane, columns: Int, channels: Int, weights: AxisWeights, into output: UnsafeMutableBufferPointer<Double>
    ) {
        weights.withBuffers { firstSource, offsets, taps in
            for target in 0..<weights.targetLength {
                let first = firstSource[target], start = offsets[target], end = offsets[target &+ 1]
                for column in 0..<columns {
                    let base = (target &* columns &+ column) &* channels
                    for channel in 0..<channels {
                        var sum = 0.0
                        for tap in start..<end {
                            sum += taps[tap] * plane.value(row: first &+ tap &- start, column: column, channel: channel)
                        }
                        output[base &+ channel] = sum
                    }
                }
            }
        }
    }
}

extension AxisWeights {
    /// Calls `body` with the first source indices, the offsets and the weights as buffers
    /// (no bounds checks in the inner loops).
    func withBuffers<Result>(
        _ body: (UnsafeBufferPointer<Int>, UnsafeBufferPointer<Int>, UnsafeBufferPointer<Double>) -> Result
    ) -> Result {
        firstSource.withUnsafeBufferPointer { firstSource in
            offsets.withUnsafeBufferPointer { offsets in
                weights.withUnsafeBufferPointer { weights in body(firstSource, offsets, weights) }
            }
        }
    }
}
