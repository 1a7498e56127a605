import Foundation
import ImageDatasets
import ImageDecoding
import Testing

/// The preprocessing value: sizes checked, colour conversion, bit depths, feature names,
/// `Codable`, and the file entry point agreeing with the image one.
@Suite("ImagePreprocessing")
struct PreprocessingTests {
    static let tolerance = 1e-12

    @Test("sizes outside 1...4096 are refused with typed errors")
    func sizeRange() throws {
        #expect(throws: ImagePreprocessingError.widthOutOfRange(0)) {
            try ImagePreprocessing(width: 0, height: 1, color: .grey)
        }
        #expect(throws: ImagePreprocessingError.heightOutOfRange(4097)) {
            try ImagePreprocessing(width: 4096, height: 4097, color: .rgb)
        }
        #expect(throws: ImagePreprocessingError.widthOutOfRange(-3)) {
            try ImagePreprocessing(width: -3, height: 0, color: .grey)
        }
        let largest = try ImagePreprocessing(width: 4096, height: 1, color: .rgb)
        #expect(largest.featureCount == 4096 * 3)
        #expect(ImagePreprocessingError.widthOutOfRange(0).description == "image width 0 is outside 1...4096 pixels")
        #expect(ImagePreprocessingError.heightOutOfRange(5000).localizedDescription
            == "image height 5000 is outside 1...4096 pixels")
    }

    @Test("feature names: row-major, channels interleaved, in the vector's order")
    func featureNames() throws {
        let grey = try ImagePreprocessing(width: 3, height: 2, color: .grey)
        #expect(grey.featureNames == ["pixel_0_0", "pixel_0_1", "pixel_0_2", "pixel_1_0", "pixel_1_1", "pixel_1_2"])
        let rgb = try ImagePreprocessing(width: 2, height: 2, color: .rgb)
        #expect(rgb.featureNames == [
            "pixel_0_0_r", "pixel_0_0_g", "pixel_0_0_b", "pixel_0_1_r", "pixel_0_1_g", "pixel_0_1_b",
            "pixel_1_0_r", "pixel_1_0_g", "pixel_1_0_b", "pixel_1_1_r", "pixel_1_1_g", "pixel_1_1_b",
        ])
        // The order matches the vector: a 2 × 2 image whose samples count up.
        let image = try #require(DecodedImage(
            width: 2, height: 2, colorModel: .rgb, samples: .uint8((0..<12).map { UInt8($0 * 20) })))
        let features = rgb.features(of: image)
        #expect(features == (0..<12).map { Double($0 * 20) / 255 })
        #expect(features.count == rgb.featureNames.count)
    }

    @Test("RGB to grey is the BT.601 luma; grey to RGB repeats the value")
    func colorConversion() throws {
        let rgbImage = try #require(DecodedImage(
            width: 3, height: 1, colorModel: .rgb, samples: .uint8([255, 0, 0, 0, 255, 0, 10, 20, 30])))
        let grey = try ImagePreprocessing(width: 3, height: 1, color: .grey).features(of: rgbImage)
        let expected = [0.299, 0.587, (0.299 * 10 + 0.587 * 20 + 0.114 * 30) / 255]
        #expect(zip(grey, expected).allSatisfy { abs($0 - $1) <= Self.tolerance }, "\(grey)")

        let greyImage = try #require(DecodedImage(width: 2, height: 1, colorModel: .grey, samples: .uint8([51, 255])))
        let rgb = try ImagePreprocessing(width: 2, height: 1, color: .rgb).features(of: greyImage)
        #expect(rgb == [0.2, 0.2, 0.2, 1, 1, 1])

        // Converted and resized: grey 2 × 1 → RGB 1 × 1 is the mean, repeated.
        let mean = try ImagePreprocessing(width: 1, height: 1, color: .rgb).features(of: greyImage)
        #expect(mean.count == 3 && mean.allSatisfy { abs($0 - 153.0 / 255) <= Self.tolerance })
        // RGB stays RGB through a resize, channel by channel.
        let halved = try ImagePreprocessing(width: 1, height: 1, color: .rgb).features(of: try #require(DecodedImage(
            width: 2, height: 1, colorModel: .rgb, samples: .uint8([255, 0, 100, 155, 50, 0]))))
        #expect(zip(halved, [205.0, 25, 50].map { $0 / 255 }).allSatisfy { abs($0 - $1) <= Self.tolerance })
    }

    @Test("16-bit samples are scaled by 65535, 8-bit by 255")
    func bitDepths() throws {
        let sixteen = try #require(DecodedImage(
            width: 3, height: 1, colorModel: .grey, samples: .uint16([0, 65535, 32768])))
        let preprocessing = try ImagePreprocessing(width: 3, height: 1, color: .grey)
        #expect(preprocessing.features(of: sixteen) == [0, 1, 32768.0 / 65535])
        let eight = try #require(DecodedImage(width: 3, height: 1, colorModel: .grey, samples: .uint8([0, 255, 128])))
        #expect(preprocessing.features(of: eight) == [0, 1, 128.0 / 255])
        let rgb16 = try #require(DecodedImage(
            width: 1, height: 1, colorModel: .rgb, samples: .uint16([65535, 0, 65535])))
        let luma = try ImagePreprocessing(width: 1, height: 1, color: .grey).features(of: rgb16)
        #expect(abs(luma[0] - (0.299 + 0.114)) <= Self.tolerance)
    }

    @Test("Codable round trip; a decoded size outside the range is refused")
    func codable() throws {
        let preprocessing = try ImagePreprocessing(width: 28, height: 14, color: .rgb)
        let json = try JSONEncoder().encode(preprocessing)
        #expect(try JSONDecoder().decode(ImagePreprocessing.self, from: json) == preprocessing)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"color\":\"rgb\"") && text.contains("\"width\":28"))
        let badSize = #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ImagePreprocessing.self, from: Data(#"{"width":0,"height":2,"color":"grey"}"#.utf8))
        }
        guard case .dataCorrupted(let context)? = badSize, context.debugDescription.contains("width") else {
            Issue.record("a width of 0 is not refused as corrupted data naming the width: \(String(describing: badSize))"); return
        }
        let badColor = #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ImagePreprocessing.self, from: Data(#"{"width":2,"height":2,"color":"cmyk"}"#.utf8))
        }
        guard case .dataCorrupted(let colorContext)? = badColor, colorContext.codingPath.last?.stringValue == "color" else {
            Issue.record("the colour 'cmyk' is not refused as corrupted data at key color: \(String(describing: badColor))"); return
        }
    }

    @Test("features(ofFileAt:) is decode then features(of:); its errors name the file")
    func fromFile() throws {
        let folder = try TemporaryImageFolder()
        defer { folder.remove() }
        let samples = (0..<(5 * 4 * 3)).map { ($0 * 37) % 256 }
        try folder.write(PNGWriter.png(width: 5, height: 4, channels: 3, samples: samples), to: "a.png")
        let url = folder.url.appendingPathComponent("a.png")
        let preprocessing = try ImagePreprocessing(width: 3, height: 2, color: .grey)
        let fromFile = try preprocessing.features(ofFileAt: url)
        #expect(fromFile == preprocessing.features(of: try ImageDecoder.decode(fileAt: url)))
        #expect(fromFile.count == 6)

        try folder.write(Data(), to: "empty.png")
        let empty = folder.url.appendingPathComponent("empty.png")
        #expect(throws: ImageDecodingError.empty(file: empty.path)) {
            try preprocessing.features(ofFileAt: empty)
        }
    }
}
