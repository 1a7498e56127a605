/// An image file format the decoder reads, recognised by its signature (first bytes),
/// never by the file's extension.
///
/// ```swift
/// ImageFormat(signatureOf: [0xFF, 0xD8, 0xFF, 0xE0])  // .jpeg
/// ```
public enum ImageFormat: String, Sendable, Hashable, CaseIterable {
    /// PNG: `89 50 4E 47 0D 0A 1A 0A`.
    case png
    /// JPEG (JFIF, Exif or bare): `FF D8 FF`.
    case jpeg

    /// The format's usual name, for messages ("PNG", "JPEG").
    public var name: String {
        switch self {
        case .png: return "PNG"
        case .jpeg: return "JPEG"
        }
    }

    /// The bytes every file of the format starts with.
    var signature: [UInt8] {
        switch self {
        case .png: return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        case .jpeg: return [0xFF, 0xD8, 0xFF]
        }
    }

    /// The format whose signature `bytes` starts with, or `nil`.
    ///
    /// ```swift
    /// let format = ImageFormat(signatureOf: Array(data.prefix(8)))
    /// ```
    ///
    /// - Parameters:
    ///   - bytes: The first bytes of a file (8 suffice).
    public init?<Bytes: Collection<UInt8>>(signatureOf bytes: Bytes) {
        guard let format = ImageFormat.allCases.first(where: { bytes.starts(with: $0.signature) }) else {
            return nil
        }
        self = format
    }

    /// The format whose signature starts with all of `bytes` (a file cut inside its
    /// signature), or `nil`; `bytes` is not empty.
    static func truncatedSignature<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> ImageFormat? {
        guard !bytes.isEmpty else { return nil }
        return ImageFormat.allCases.first { $0.signature.count > bytes.count && $0.signature.starts(with: bytes) }
    }
}
