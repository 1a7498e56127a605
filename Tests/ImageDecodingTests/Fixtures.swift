import Foundation
import ImageDecoding
import Testing

/// The committed corpus (`Scripts/make-image-fixtures.py`): images with their expected
/// samples, and bad files with the error each must give.
struct Fixtures: Decodable {
    struct Pixel: Decodable, Sendable {
        let x: Int
        let y: Int
        let values: [Int]
    }

    struct Image: Decodable, Sendable, CustomTestStringConvertible {
        let file: String
        let format: String
        let width: Int
        let height: Int
        let channels: Int
        let bitDepth: Int
        let hadAlpha: Bool
        /// Largest difference allowed per sample (0 for PNG, a little for JPEG).
        let tolerance: Int
        let sum: Int
        let pixels: [Pixel]
        /// Every sample, for images of at most 1000 pixels.
        let samples: [Int]?
        var testDescription: String { file }
    }

    struct Bad: Decodable, Sendable, CustomTestStringConvertible {
        let file: String
        /// The `ImageDecodingError` case's name.
        let error: String
        let format: String?
        var testDescription: String { file }
    }

    let pillow: String
    let images: [Image]
    let bad: [Bad]

    /// The fixtures folder in the test bundle.
    static func directory() throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil), "missing the Fixtures folder")
    }

    /// `Fixtures/<relative>`.
    static func url(_ relative: String) throws -> URL {
        try directory().appendingPathComponent(relative)
    }

    /// The parsed `expected.json`. A missing or near-empty fixture throws, so no test can
    /// pass on zero cases.
    static func load() throws -> Fixtures {
        let fixtures = try JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: url("expected.json")))
        guard fixtures.images.count >= 26, fixtures.bad.count >= 17 else {
            throw FixtureError.tooFew(images: fixtures.images.count, bad: fixtures.bad.count)
        }
        return fixtures
    }

    enum FixtureError: Error {
        case tooFew(images: Int, bad: Int)
    }
}

extension DecodedImage {
    /// The samples as plain integers.
    var integerSamples: [Int] {
        switch samples {
        case .uint8(let values): return values.map(Int.init)
        case .uint16(let values): return values.map(Int.init)
        }
    }
}

extension ImageDecodingError {
    /// The case's name, as `expected.json` spells it.
    var caseName: String {
        switch self {
        case .unreadable: return "unreadable"
        case .empty: return "empty"
        case .notAnImage: return "notAnImage"
        case .truncated: return "truncated"
        case .corrupt: return "corrupt"
        case .unsupported: return "unsupported"
        case .tooLarge: return "tooLarge"
        case .outOfMemory: return "outOfMemory"
        }
    }

    /// The format the case carries, if any.
    var format: ImageFormat? {
        switch self {
        case .truncated(_, let format, _), .corrupt(_, let format, _), .unsupported(_, let format, _): return format
        default: return nil
        }
    }
}

/// The error `body` throws, or `nil` (recording an issue) when it returns an image.
func decodingError(
    _ body: () throws(ImageDecodingError) -> DecodedImage, sourceLocation: SourceLocation = #_sourceLocation
) -> ImageDecodingError? {
    do {
        let image = try body()
        Issue.record("expected an error, decoded \(image.width)×\(image.height)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
