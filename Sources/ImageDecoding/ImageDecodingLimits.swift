/// What one decode may cost, checked from the file's header before the pixels are decoded:
/// the defence against decompression bombs (a small file whose header claims a huge image).
///
/// ```swift
/// var limits = ImageDecodingLimits()
/// limits.maximumPixelCount = 4_000_000   // refuse anything above 4 megapixels
/// let image = try ImageDecoder.decode(fileAt: url, limits: limits)
/// ```
public struct ImageDecodingLimits: Sendable, Hashable {
    /// The default pixel limit: 50 megapixels.
    public static let defaultMaximumPixelCount = 50_000_000

    /// The default limit on a JPEG's scans.
    public static let defaultMaximumJPEGScanCount = 1_000

    /// The largest width × height accepted. A larger header is refused with
    /// ``ImageDecodingError/tooLarge(file:width:height:limit:)`` before any pixel buffer is
    /// allocated. The decoded image then needs at most this many pixels × channels × 1 or
    /// 2 bytes (the decoder briefly holds up to twice that). Values below 0 count as 0.
    public var maximumPixelCount: Int

    /// The largest number of scans accepted in a JPEG. Progressive JPEGs have about ten; a
    /// crafted one with thousands of tiny scans would take minutes to decode. More is
    /// ``ImageDecodingError/corrupt(file:format:reason:)``; 0 means no limit.
    public var maximumJPEGScanCount: Int

    /// Limits with the given values.
    ///
    /// ```swift
    /// let strict = ImageDecodingLimits(maximumPixelCount: 1 << 20)
    /// ```
    ///
    /// - Parameters:
    ///   - maximumPixelCount: The largest width × height accepted (default 50 000 000).
    ///   - maximumJPEGScanCount: The largest number of JPEG scans accepted (default 1 000; 0: no limit).
    public init(
        maximumPixelCount: Int = ImageDecodingLimits.defaultMaximumPixelCount,
        maximumJPEGScanCount: Int = ImageDecodingLimits.defaultMaximumJPEGScanCount
    ) {
        self.maximumPixelCount = maximumPixelCount
        self.maximumJPEGScanCount = maximumJPEGScanCount
    }
}
