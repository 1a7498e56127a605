// libFuzzer harness for `ImageDecoder.decode(data:name:limits:)` (PNG and JPEG through
// libpng and libjpeg-turbo, behind the C wrappers of CImageCodecs).
//
// Checks: no crash, no trap, no hang (libFuzzer's `-timeout`), no leak that grows the
// process past `-rss_limit_mb`; every failure is an `ImageDecodingError` naming the input,
// whose description renders; a returned image has width × height × channels samples and no
// more pixels than the limit. Each input is decoded as it is, and — when it is a PNG — once
// more with every chunk's CRC recomputed, so that mutations reach libpng's decoding instead
// of stopping at its CRC check.
import Foundation
import ImageDecoding

/// A limit well under the default, so that a mutated header cannot make one input slow.
let limits = ImageDecodingLimits(maximumPixelCount: 1 << 22, maximumJPEGScanCount: 200)
let name = "fuzz-input"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    check(bytes)
    if let fixed = withRecomputedCRCs(bytes), fixed != bytes {
        check(fixed)
    }
    return 0
}

func check(_ bytes: [UInt8]) {
    do {
        let image = try ImageDecoder.decode(data: Data(bytes), name: name, limits: limits)
        guard image.width >= 1, image.height >= 1, image.width * image.height <= limits.maximumPixelCount,
              image.samples.count == image.width * image.height * image.channels
        else {
            fatalError("inconsistent image: \(image.width)×\(image.height)×\(image.channels), \(image.samples.count) samples")
        }
    } catch {
        guard error.file == name else { fatalError("error names \(error.file), not the input: \(error)") }
        _ = error.description
    }
}

/// The PNG `bytes` with the CRC of every whole chunk recomputed, or `nil` when it is not a PNG.
func withRecomputedCRCs(_ bytes: [UInt8]) -> [UInt8]? {
    let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    guard bytes.starts(with: signature) else { return nil }
    var fixed = bytes
    var offset = 8
    while offset + 12 <= fixed.count {
        let length = fixed[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        guard length <= fixed.count - offset - 12 else { break }
        let crc = crc32(fixed[offset + 4..<offset + 8 + length])
        for i in 0..<4 {
            fixed[offset + 8 + length + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(i)))
        }
        offset += 12 + length
    }
    return fixed
}

let crcTable: [UInt32] = (0..<256).map { n in
    (0..<8).reduce(UInt32(n)) { c, _ in c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
}

func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    ~bytes.reduce(~UInt32(0)) { crcTable[Int(($0 ^ UInt32($1)) & 0xFF)] ^ ($0 >> 8) }
}
