public import struct Foundation.Data
public import struct Foundation.URL

/// Decodes PNG and JPEG files through the system's libpng and libjpeg-turbo.
///
/// ```swift
/// let image = try ImageDecoder.decode(fileAt: URL(fileURLWithPath: "digits/7.png"))
/// print(image.width, image.height, image.colorModel)   // 28 28 grey
/// let input = image.normalizedSamples(as: .grey)       // [Float] in [0, 1]
/// ```
///
/// Reads:
/// - PNG: every colour type (grey, grey+alpha, RGB, RGBA, palette with or without tRNS),
///   1- to 16-bit, interlaced (Adam7) or not. CRCs and the zlib checksum are verified.
/// - JPEG: baseline and progressive (also arithmetic-coded, as Debian's libjpeg-turbo
///   has it), grey and YCbCr/RGB. CMYK and YCCK are refused as unsupported.
///
/// The format comes from the file's first bytes, not its name. What the result holds
/// (alpha composited on white, 16-bit kept, palette expanded) is on ``DecodedImage``.
///
/// Every failure is an ``ImageDecodingError`` naming the file; a file that ends early
/// (including a JPEG that libjpeg would silently pad with grey) is
/// ``ImageDecodingError/truncated(file:format:reason:)``, never a half image. The header's
/// pixel count is checked against ``ImageDecodingLimits`` before any pixel buffer is
/// allocated. The libraries' warnings are never printed.
///
/// Decoding keeps no shared state: any number of threads or tasks may decode at once.
public enum ImageDecoder {
    /// Decodes the PNG or JPEG file at `url`.
    ///
    /// ```swift
    /// let image = try ImageDecoder.decode(fileAt: URL(fileURLWithPath: "photo.jpg"))
    /// ```
    ///
    /// - Parameters:
    ///   - url: A file URL.
    ///   - limits: The pixel and JPEG-scan limits (default: 50 megapixels, 1 000 scans).
    /// - Returns: The image, 1 or 3 channels of 8- or 16-bit samples.
    /// - Throws: ``ImageDecodingError`` with the file's path: `unreadable`, `empty`,
    ///   `notAnImage`, `truncated`, `corrupt`, `unsupported`, `tooLarge` or `outOfMemory`.
    public static func decode(
        fileAt url: URL, limits: ImageDecodingLimits = ImageDecodingLimits()
    ) throws(ImageDecodingError) -> DecodedImage {
        let path = url.isFileURL ? url.path : url.absoluteString
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
        return try decode(data: data, name: path, limits: limits)
    }

    /// Decodes a PNG or JPEG file held in memory.
    ///
    /// ```swift
    /// let image = try ImageDecoder.decode(data: body, name: "upload.png")
    /// ```
    ///
    /// - Parameters:
    ///   - data: The file's bytes.
    ///   - name: A name for errors (shown where a file path would be).
    ///   - limits: The pixel and JPEG-scan limits (default: 50 megapixels, 1 000 scans).
    /// - Returns: The image, 1 or 3 channels of 8- or 16-bit samples.
    /// - Throws: ``ImageDecodingError`` with `name`: `empty`, `notAnImage`, `truncated`,
    ///   `corrupt`, `unsupported`, `tooLarge` or `outOfMemory`.
    public static func decode(
        data: Data, name: String, limits: ImageDecodingLimits = ImageDecodingLimits()
    ) throws(ImageDecodingError) -> DecodedImage {
        guard !data.isEmpty else { throw .empty(file: name) }
        guard let format = ImageFormat(signatureOf: data.prefix(8)) else {
            if let format = ImageFormat.truncatedSignature(data) {
                throw .truncated(file: name, format: format, reason: "the file ends inside the signature")
            }
            throw .notAnImage(file: name)
        }
        let call = CodecCall(format: format, name: name, limits: limits)
        // `withUnsafeBytes` rethrows untyped: carry the typed error out in a Result.
        return try data.withUnsafeBytes { bytes in
            Result { () throws(ImageDecodingError) -> DecodedImage in try call.decode(bytes) }
        }.get()
    }
}
