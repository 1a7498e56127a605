public import protocol Foundation.LocalizedError

/// Why an ``ImagePreprocessing`` cannot be made: a size outside 1...4096.
///
/// ```swift
/// do {
///     _ = try ImagePreprocessing(width: 0, height: 28, color: .grey)
/// } catch {
///     print(error)  // "image width 0 is outside 1...4096 pixels"
/// }
/// ```
public enum ImagePreprocessingError: Error, Sendable, Hashable {
    /// The width is outside ``ImagePreprocessing/sizeRange``.
    case widthOutOfRange(Int)
    /// The height is outside ``ImagePreprocessing/sizeRange``.
    case heightOutOfRange(Int)
}

extension ImagePreprocessingError: CustomStringConvertible, LocalizedError {
    /// What is wrong, with the value given.
    public var description: String {
        let range = ImagePreprocessing.sizeRange
        switch self {
        case .widthOutOfRange(let width):
            return "image width \(width) is outside \(range.lowerBound)...\(range.upperBound) pixels"
        case .heightOutOfRange(let height):
            return "image height \(height) is outside \(range.lowerBound)...\(range.upperBound) pixels"
        }
    }

    /// The same text as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}
