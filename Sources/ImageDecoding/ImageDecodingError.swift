/// Why an image could not be decoded. Every case names the file (its path, or the name
/// given to ``ImageDecoder/decode(data:name:limits:)``), and nothing is returned.
///
/// ```swift
/// do {
///     let image = try ImageDecoder.decode(fileAt: url)
/// } catch {
///     print(error)  // e.g. "photo.jpg: truncated JPEG (Premature end of JPEG file)"
/// }
/// ```
public enum ImageDecodingError: Error, Sendable, Hashable {
    /// The file could not be read (missing, a directory, no permission, …).
    case unreadable(file: String, reason: String)
    /// The file has no bytes.
    case empty(file: String)
    /// The bytes start with neither the PNG nor the JPEG signature (a text file named
    /// `.png`, say). The file's extension is never looked at.
    case notAnImage(file: String)
    /// The data ends before the image does (a partial download or copy).
    case truncated(file: String, format: ImageFormat, reason: String)
    /// The data is damaged: a bad checksum or marker, an invalid header field, compressed
    /// data that does not decode.
    case corrupt(file: String, format: ImageFormat, reason: String)
    /// A valid image of a kind this decoder refuses: CMYK or YCCK JPEG, 12-bit JPEG,
    /// arithmetic coding where the library lacks it.
    case unsupported(file: String, format: ImageFormat, reason: String)
    /// The header's width × height exceeds ``ImageDecodingLimits/maximumPixelCount`` (or the
    /// pixel buffer's byte count would overflow). Refused before any pixel buffer exists.
    case tooLarge(file: String, width: Int, height: Int, limit: Int)
    /// An allocation failed while decoding.
    case outOfMemory(file: String)

    /// The file (or name) the error is about.
    public var file: String {
        switch self {
        case .unreadable(let file, _), .empty(let file), .notAnImage(let file), .truncated(let file, _, _),
            .corrupt(let file, _, _), .unsupported(let file, _, _), .tooLarge(let file, _, _, _),
            .outOfMemory(let file):
            return file
        }
    }
}

extension ImageDecodingError: CustomStringConvertible {
    /// The file, then what went wrong.
    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read the file (\(reason))"
        case .empty(let file): return "\(file): the file is empty"
        case .notAnImage(let file): return "\(file): not a PNG or JPEG image"
        case let .truncated(file, format, reason): return "\(file): truncated \(format.name) (\(reason))"
        case let .corrupt(file, format, reason): return "\(file): corrupt \(format.name) (\(reason))"
        case let .unsupported(file, format, reason): return "\(file): unsupported \(format.name) (\(reason))"
        case let .tooLarge(file, width, height, limit):
            return "\(file): \(width)×\(height) pixels exceeds the limit of \(limit) pixels"
        case .outOfMemory(let file): return "\(file): out of memory while decoding"
        }
    }
}
