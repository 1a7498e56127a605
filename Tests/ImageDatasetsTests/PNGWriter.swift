import Foundation

/// A minimal PNG encoder for the tests: grey or RGB, 8 or 16 bits, no filtering, the zlib
/// stream made of stored (uncompressed) deflate blocks. Enough to write images whose every
/// sample the tests choose.
enum PNGWriter {
    /// A PNG of `width × height` pixels of `channels` (1: grey, 3: RGB) samples each,
    /// row-major, channels interleaved, each below `1 << bitDepth`.
    static func png(width: Int, height: Int, channels: Int = 1, bitDepth: Int = 8, samples: [Int]) -> Data {
        precondition(channels == 1 || channels == 3, "grey or RGB")
        precondition(bitDepth == 8 || bitDepth == 16, "8 or 16 bits")
        precondition(samples.count == width * height * channels, "one sample per pixel and channel")
        var raw: [UInt8] = []
        for row in 0..<height {
            raw.append(0)  // filter type None
            for sample in samples[(row * width * channels)..<((row + 1) * width * channels)] {
                if bitDepth == 16 { raw.append(UInt8(sample >> 8)) }
                raw.append(UInt8(sample & 0xFF))
            }
        }
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [UInt8(bitDepth), channels == 1 ? 0 : 2, 0, 0, 0]
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", header)
        file += chunk("IDAT", zlibStored(raw))
        file += chunk("IEND", [])
        return Data(file)
    }

    /// A grey 8-bit PNG from rows of samples.
    static func grey(_ rows: [[Int]]) -> Data {
        png(width: rows[0].count, height: rows.count, samples: rows.flatMap { $0 })
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
    }

    /// A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951, BTYPE 00).
    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(data.count, start + 65_535)
            let length = UInt16(end - start)
            out.append(end == data.count ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += data[start..<end]
            start = end
        } while start < data.count
        return out + bigEndian(adler32(data))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }
}
