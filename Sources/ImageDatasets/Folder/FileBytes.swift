#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import struct Foundation.Data

/// Reads a whole file with `open`, `fstat` and, for a regular file, one `read` into a
/// buffer one byte larger than the file: the folder reader reads every image this way,
/// once, for both the digest and the decoder.
enum FileBytes {
    /// Why a file could not be read: the system's message (`strerror`).
    struct ReadError: Error {
        let reason: String
    }

    /// The bytes of the file at `path`.
    ///
    /// - Throws: ``ReadError`` with the system's message when the file cannot be opened or
    ///   read, or is a folder.
    static func contents(atPath path: String) throws(ReadError) -> Data {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ReadError(reason: systemMessage(errno)) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ReadError(reason: systemMessage(errno)) }
        let kind = status.st_mode & S_IFMT
        guard kind != S_IFDIR else { throw ReadError(reason: systemMessage(EISDIR)) }
        // Ask for one byte more than fstat's size: a regular file's read comes back short
        // only at its end, so one call usually reads it all. A file that grew meanwhile
        // (or a pipe) is read on until read returns 0.
        var data = Data(count: max(0, Int(status.st_size)) + 1)
        var filled = 0
        while true {
            if filled == data.count { data.count += max(4096, data.count) }
            let requested = data.count - filled
            let count = data.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return read(descriptor, base + filled, requested)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(reason: systemMessage(errno))
            }
            filled += count
            if count == 0 || (kind == S_IFREG && count < requested) { break }
        }
        data.count = filled
        return data
    }

    /// The system's text for `code`.
    private static func systemMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
