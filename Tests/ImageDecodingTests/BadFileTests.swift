import Foundation
import ImageDecoding
import Testing

/// The bad-file corpus: each file gives its typed error, naming the file, and never a crash.
@Suite("Refusing bad files")
struct BadFileTests {
    @Test("each bad file gives the expected error, naming the file", arguments: try Fixtures.load().bad)
    func refuses(_ bad: Fixtures.Bad) throws {
        let url = try Fixtures.url(bad.file)
        let error = try #require(decodingError { () throws(ImageDecodingError) in try ImageDecoder.decode(fileAt: url) })
        #expect(error.caseName == bad.error, "\(error)")
        #expect(error.file == url.path)
        #expect(error.description.hasPrefix(url.path + ": "))
        if let format = bad.format {
            if bad.error != "tooLarge" {
                #expect(error.format?.rawValue == format)
            }
        }
        // From memory too, with the name given.
        let data = try Data(contentsOf: url)
        let fromData = try #require(decodingError { () throws(ImageDecodingError) in
            try ImageDecoder.decode(data: data, name: bad.file)
        })
        #expect(fromData.caseName == bad.error)
        #expect(fromData.file == bad.file)
    }

    @Test("a header claiming 10000×10000 is refused before any pixel buffer, with its size")
    func hugeHeaders() throws {
        for file in ["bad/huge-header.png", "bad/huge-header.jpg"] {
            let url = try Fixtures.url(file)
            let error = try #require(decodingError { () throws(ImageDecodingError) in try ImageDecoder.decode(fileAt: url) })
            #expect(error == .tooLarge(file: url.path, width: 10000, height: 10000, limit: 50_000_000))
        }
        // Raised limits let the PNG's header pass; its data then runs out (a few rows only).
        let url = try Fixtures.url("bad/huge-header.png")
        let error = try #require(decodingError { () throws(ImageDecodingError) in
            try ImageDecoder.decode(fileAt: url, limits: ImageDecodingLimits(maximumPixelCount: 100_000_000))
        })
        #expect(error.caseName == "corrupt" || error.caseName == "truncated", "\(error)")
    }

    @Test("a lower configured pixel limit refuses images above it and accepts those at it")
    func configuredLimit() throws {
        let png = try Fixtures.url("good/rgb8.png")  // 17 × 11 = 187 pixels
        let jpeg = try Fixtures.url("good/progressive-rgb.jpg")  // 33 × 21 = 693 pixels
        let limits = ImageDecodingLimits(maximumPixelCount: 186)
        #expect(decodingError { () throws(ImageDecodingError) in try ImageDecoder.decode(fileAt: png, limits: limits) }
            == .tooLarge(file: png.path, width: 17, height: 11, limit: 186))
        #expect(decodingError { () throws(ImageDecodingError) in try ImageDecoder.decode(fileAt: jpeg, limits: limits) }
            == .tooLarge(file: jpeg.path, width: 33, height: 21, limit: 186))
        #expect(try ImageDecoder.decode(fileAt: png, limits: ImageDecodingLimits(maximumPixelCount: 187)).width == 17)
        let none = ImageDecodingLimits(maximumPixelCount: -5)
        #expect(decodingError { () throws(ImageDecodingError) in try ImageDecoder.decode(fileAt: png, limits: none) }
            == .tooLarge(file: png.path, width: 17, height: 11, limit: 0))
    }

    @Test("a JPEG with more scans than the limit is refused")
    func scanLimit() throws {
        let url = try Fixtures.url("good/progressive-rgb.jpg")  // Pillow writes 10 scans
        let limits = ImageDecodingLimits(maximumJPEGScanCount: 3)
        let error = try #require(decodingError { () throws(ImageDecodingError) in try ImageDecoder.decode(fileAt: url, limits: limits) })
        #expect(error.caseName == "corrupt", "\(error)")
        #expect(error.description.contains("scans"))
        #expect(try ImageDecoder.decode(fileAt: url, limits: ImageDecodingLimits(maximumJPEGScanCount: 0)).width == 33)
    }

    @Test("every prefix of a PNG and a JPEG is refused as truncated (or empty), never a crash")
    func everyPrefix() throws {
        for file in ["good/interlaced-rgba16.png", "good/progressive-grey.jpg"] {
            let bytes = try [UInt8](Data(contentsOf: Fixtures.url(file)))
            for length in 0..<bytes.count {
                let name = "\(file)[..<\(length)]"
                guard let error = decodingError({ () throws(ImageDecodingError) in
                    try ImageDecoder.decode(data: Data(bytes[..<length]), name: name)
                }) else { continue }
                let expected = length == 0 ? "empty" : "truncated"
                #expect(error.caseName == expected, "\(error)")
                #expect(error.file == name)
            }
        }
    }

    @Test("a missing file and a directory are unreadable, naming the path")
    func unreadable() throws {
        let missing = try Fixtures.url("good/no-such-file.png")
        let error = try #require(decodingError { () throws(ImageDecodingError) in try ImageDecoder.decode(fileAt: missing) })
        #expect(error.caseName == "unreadable")
        #expect(error.file == missing.path)
        let directory = try Fixtures.url("good")
        #expect(decodingError { () throws(ImageDecodingError) in try ImageDecoder.decode(fileAt: directory) }?.caseName == "unreadable")
    }
}
