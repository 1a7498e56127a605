import ImageDecoding
import Testing

/// The value type a dataset reads: construction checks and [0, 1] samples in grey or RGB.
@Suite("DecodedImage")
struct DecodedImageTests {
    @Test("the initializer refuses a sample count that does not match the size")
    func initializerChecks() {
        #expect(DecodedImage(width: 2, height: 1, colorModel: .rgb, samples: .uint8([1, 2, 3, 4, 5, 6])) != nil)
        #expect(DecodedImage(width: 2, height: 1, colorModel: .rgb, samples: .uint8([1, 2, 3])) == nil)
        #expect(DecodedImage(width: 0, height: 1, colorModel: .grey, samples: .uint8([])) == nil)
        #expect(DecodedImage(width: Int.max, height: 2, colorModel: .grey, samples: .uint8([1])) == nil)
    }

    @Test("normalized samples: own colour model, grey to RGB, RGB to grey (BT.601 luma)")
    func normalized() throws {
        let rgb = try #require(DecodedImage(
            width: 2, height: 1, colorModel: .rgb, samples: .uint8([255, 0, 0, 255, 255, 255])))
        #expect(rgb.normalizedSamples() == [1, 0, 0, 1, 1, 1])
        let grey = rgb.normalizedSamples(as: .grey)
        #expect(grey.count == 2)
        #expect(abs(grey[0] - 0.299) < 1e-6)
        #expect(abs(grey[1] - 1) < 1e-6)

        let sixteen = try #require(DecodedImage(width: 2, height: 1, colorModel: .grey, samples: .uint16([0, 65535])))
        #expect(sixteen.bitDepth == 16 && sixteen.channels == 1)
        #expect(sixteen.normalizedSamples(as: .rgb) == [0, 0, 0, 1, 1, 1])
        #expect(sixteen.normalizedSample(x: 1, y: 0, channel: 0) == 1)
    }

    @Test("every decoded fixture's normalized samples lie in [0, 1], in both colour models",
          arguments: try Fixtures.load().images)
    func decodedInRange(_ expected: Fixtures.Image) throws {
        let image = try ImageDecoder.decode(fileAt: Fixtures.url(expected.file))
        for model in DecodedImage.ColorModel.allCases {
            let values = image.normalizedSamples(as: model)
            #expect(values.count == image.width * image.height * model.channelCount)
            #expect(values.allSatisfy { (0...1).contains($0) })
        }
    }
}
