import CImageCodecs

/// One call into the C wrappers (CImageCodecs) and the translation of its result: the
/// status to an ``ImageDecodingError`` naming the file, the malloc'd pixels to a
/// ``DecodedImage`` (copied, then freed on every path).
struct CodecCall {
    let format: ImageFormat
    let name: String
    let limits: ImageDecodingLimits

    func decode(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodingError) -> DecodedImage {
        let cLimits = ImageCodecsLimits(
            max_pixels: UInt64(clamping: max(0, limits.maximumPixelCount)),
            max_jpeg_scans: UInt32(clamping: max(0, limits.maximumJPEGScanCount)))
        let data = bytes.bindMemory(to: UInt8.self)
        var image = ImageCodecsImage()
        defer { image_codecs_free(&image) }
        let status: ImageCodecsStatus
        switch format {
        case .png: status = image_codecs_decode_png(data.baseAddress, data.count, cLimits, &image)
        case .jpeg: status = image_codecs_decode_jpeg(data.baseAddress, data.count, cLimits, &image)
        }
        guard status == IMAGE_CODECS_OK else {
            throw error(status, image)
        }
        return try decodedImage(image)
    }

    /// The error for a failed call.
    private func error(_ status: ImageCodecsStatus, _ image: ImageCodecsImage) -> ImageDecodingError {
        let reason = Self.message(image)
        switch status {
        case IMAGE_CODECS_TRUNCATED: return .truncated(file: name, format: format, reason: reason)
        case IMAGE_CODECS_UNSUPPORTED: return .unsupported(file: name, format: format, reason: reason)
        case IMAGE_CODECS_TOO_LARGE:
            return .tooLarge(file: name, width: Int(image.width), height: Int(image.height), limit: max(0, limits.maximumPixelCount))
        case IMAGE_CODECS_OUT_OF_MEMORY: return .outOfMemory(file: name)
        default: return .corrupt(file: name, format: format, reason: reason)
        }
    }

    /// The Swift image for a successful call, after checking that the C side's layout adds up.
    private func decodedImage(_ image: ImageCodecsImage) throws(ImageDecodingError) -> DecodedImage {
        let width = Int(image.width), height = Int(image.height)
        let colorModel: DecodedImage.ColorModel
        switch image.channels {
        case 1: colorModel = .grey
        case 3: colorModel = .rgb
        default: throw .corrupt(file: name, format: format, reason: "the decoder returned \(image.channels) channels")
        }
        let bytesPerSample = image.bits_per_sample == 16 ? 2 : 1
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        let (sampleCount, overflow2) = pixels.multipliedReportingOverflow(by: colorModel.channelCount)
        guard !overflow, !overflow2, image.bits_per_sample == 8 || image.bits_per_sample == 16,
              let start = image.pixels, image.byte_count == sampleCount * bytesPerSample
        else {
            throw .corrupt(file: name, format: format, reason: "the decoder returned an inconsistent pixel buffer")
        }
        let raw = UnsafeRawBufferPointer(start: start, count: image.byte_count)
        let samples: DecodedImage.Samples
        if bytesPerSample == 1 {
            samples = .uint8([UInt8](raw))
        } else {
            samples = .uint16([UInt16](unsafeUninitializedCapacity: sampleCount) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
                initialized = sampleCount
            })
        }
        guard let decoded = DecodedImage(
            width: width, height: height, colorModel: colorModel, samples: samples, hadAlpha: image.had_alpha != 0)
        else {
            throw .corrupt(file: name, format: format, reason: "the decoder returned an empty image")
        }
        return decoded
    }

    /// The C side's NUL-terminated message.
    private static func message(_ image: ImageCodecsImage) -> String {
        withUnsafeBytes(of: image.message) { bytes in
            let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            return text.isEmpty ? "no detail" : text
        }
    }
}
