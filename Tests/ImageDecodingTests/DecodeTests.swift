import Foundation
import ImageDecoding
import Testing

/// Every good fixture decodes to the samples the fixture script encoded (PNG, exactly)
/// or Pillow decoded (JPEG, within the fixture's tolerance).
@Suite("Decoding the corpus")
struct DecodeTests {
    @Test("decodes with the expected size, channels, bit depth and samples", arguments: try Fixtures.load().images)
    func decodes(_ expected: Fixtures.Image) throws {
        let url = try Fixtures.url(expected.file)
        let image = try ImageDecoder.decode(fileAt: url)
        #expect(image.width == expected.width)
        #expect(image.height == expected.height)
        #expect(image.channels == expected.channels)
        #expect(image.colorModel == (expected.channels == 1 ? .grey : .rgb))
        #expect(image.bitDepth == expected.bitDepth)
        #expect(image.hadAlpha == expected.hadAlpha)
        let samples = image.integerSamples
        try #require(samples.count == expected.width * expected.height * expected.channels)

        for pixel in expected.pixels {
            let start = (pixel.y * image.width + pixel.x) * image.channels
            let got = Array(samples[start..<start + image.channels])
            #expect(zip(got, pixel.values).allSatisfy { abs($0 - $1) <= expected.tolerance },
                    "pixel (\(pixel.x), \(pixel.y)): \(got), expected \(pixel.values)")
        }
        if expected.tolerance == 0 {
            #expect(samples.reduce(0, +) == expected.sum)
        } else {
            // JPEG: the mean sample within a small fraction of Pillow's.
            let difference = Double(samples.reduce(0, +) - expected.sum) / Double(samples.count)
            #expect(abs(difference) <= 0.5, "mean sample differs from Pillow's by \(difference)")
        }
        if let all = expected.samples {
            let worst = zip(samples, all).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= expected.tolerance, "a sample differs by \(worst)")
        }
    }

    @Test("decode(data:name:) gives the same image as decode(fileAt:)", arguments: try Fixtures.load().images)
    func dataMatchesFile(_ expected: Fixtures.Image) throws {
        let url = try Fixtures.url(expected.file)
        let fromData = try ImageDecoder.decode(data: Data(contentsOf: url), name: expected.file)
        #expect(fromData == (try ImageDecoder.decode(fileAt: url)))
    }

    @Test("the format is told by the signature, not the extension")
    func signatureNotExtension() throws {
        let png = try Data(contentsOf: Fixtures.url("good/rgb8.png"))
        let image = try ImageDecoder.decode(data: png, name: "actually-a-png.jpg")
        #expect(image.width == 17 && image.channels == 3)
        #expect(ImageFormat(signatureOf: png.prefix(8)) == .png)
        #expect(ImageFormat(signatureOf: try Data(contentsOf: Fixtures.url("good/baseline-grey.jpg")).prefix(8)) == .jpeg)
        #expect(ImageFormat(signatureOf: Array("GIF89a".utf8)) == nil)
    }

    @Test("16-bit PNG keeps 16-bit samples; 1- and 4-bit PNG become 8-bit")
    func bitDepths() throws {
        let sixteen = try ImageDecoder.decode(fileAt: Fixtures.url("good/rgb16.png"))
        guard case .uint16 = sixteen.samples else {
            Issue.record("rgb16.png decoded to \(sixteen.bitDepth)-bit samples")
            return
        }
        #expect(sixteen.samples.maximumValue == 65535)
        let one = try ImageDecoder.decode(fileAt: Fixtures.url("good/grey1.png"))
        #expect(one.bitDepth == 8)
        #expect(Set(one.integerSamples).isSubset(of: [0, 255]))
    }

    @Test("a fully transparent pixel becomes white; an opaque one keeps its colour")
    func alphaOnWhite() throws {
        // rgba8.png's first row starts with alpha 0, 255, 1, 128 (see the fixture script).
        let image = try ImageDecoder.decode(fileAt: Fixtures.url("good/rgba8.png"))
        #expect(image.colorModel == .rgb && image.hadAlpha)
        #expect((0..<3).allSatisfy { image.normalizedSample(x: 0, y: 0, channel: $0) == 1 })
        let sixteen = try ImageDecoder.decode(fileAt: Fixtures.url("good/rgba16.png"))
        #expect(Array(sixteen.integerSamples[0..<3]) == [65535, 65535, 65535])
    }

    @Test("a benign libjpeg warning (extraneous bytes between segments) does not fail the decode")
    func extraneousBytesIgnored() throws {
        let original = try Data(contentsOf: Fixtures.url("good/baseline-rgb.jpg"))
        // After SOI and the JFIF APP0 segment (2 + 2 + 16 bytes), three stray bytes.
        var bytes = [UInt8](original)
        try #require(bytes.count > 20 && bytes[2] == 0xFF && bytes[3] == 0xE0)
        bytes.insert(contentsOf: [0x00, 0x01, 0x02], at: 20)
        let image = try ImageDecoder.decode(data: Data(bytes), name: "stray.jpg")
        #expect(image == (try ImageDecoder.decode(data: original, name: "original.jpg")))
    }
}
