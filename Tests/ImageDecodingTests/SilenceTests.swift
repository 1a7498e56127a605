import Foundation
import ImageDecoding
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libpng and libjpeg print warnings to stderr by default; the decoder must not.
@Suite("No library output")
struct SilenceTests {
    /// Runs `body` with file descriptor 2 sent to a temporary file and returns what was
    /// written there. Anything not from the libraries (another test's output) is passed on
    /// to the real stderr afterwards.
    static func capturingStandardError(_ body: () throws -> Void) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("image-decoding-stderr-\(UUID().uuidString)").path
        let file = open(path, O_CREAT | O_RDWR | O_TRUNC, 0o600)
        try #require(file >= 0)
        defer {
            close(file)
            unlink(path)
        }
        let saved = dup(2)
        try #require(saved >= 0)
        fflush(nil)
        dup2(file, 2)
        var thrown: (any Error)?
        do { try body() } catch { thrown = error }
        fflush(nil)
        dup2(saved, 2)
        close(saved)
        if let thrown { throw thrown }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        if !text.isEmpty { FileHandle.standardError.write(Data(text.utf8)) }
        return text
    }

    /// Words of libpng's and libjpeg's messages.
    static let libraryWords = ["libpng", "iCCP", "CRC", "JPEG", "Premature", "extraneous", "IDAT", "profile"]

    @Test("warnings and errors of both libraries are not printed")
    func nothingPrinted() throws {
        var stray = [UInt8](try Data(contentsOf: Fixtures.url("good/baseline-rgb.jpg")))
        stray.insert(contentsOf: [0x00, 0x01, 0x02], at: 20)
        let output = try Self.capturingStandardError {
            // A PNG whose iCCP profile libpng warns about, and a JPEG libjpeg warns about.
            _ = try ImageDecoder.decode(fileAt: Fixtures.url("good/ancillary-warnings.png"))
            _ = try ImageDecoder.decode(data: Data(stray), name: "stray.jpg")
            // Errors of both, and a truncated JPEG libjpeg would pad with a warning.
            for file in ["bad/corrupt-idat.png", "bad/truncated.png", "bad/truncated.jpg", "bad/corrupt-scan.jpg", "bad/cmyk.jpg"] {
                let url = try Fixtures.url(file)
                _ = decodingError { () throws(ImageDecodingError) in try ImageDecoder.decode(fileAt: url) }
            }
        }
        for word in Self.libraryWords {
            #expect(!output.contains(word), "stderr received: \(output)")
        }
    }
}
