#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import struct Foundation.URL

extension CSV {
    /// The 1-based line on which each data record starts (record `i` of the table
    /// ``read(contentsOf:options:)`` returns is on line `result[i]`), counting line breaks
    /// inside quoted fields and skipping blank lines as the reader does.
    ///
    /// A separate scan, so that reading stays as fast as before: call it when an error must
    /// name a row's line (say, a missing value found after reading).
    ///
    /// - Throws: ``TabularError/csv(_:)`` as the reader would for the same input.
    /// - Complexity: O(file size).
    public static func recordLines(contentsOf url: URL, options: CSVOptions = CSVOptions()) throws(TabularError) -> [Int] {
        let path = url.path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .csv(CSVError(.unreadable(String(cString: strerror(errno))), file: path, line: 1, column: 1))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { readBytes(descriptor, $0.baseAddress, $0.count) }
            guard count >= 0 else {
                throw .csv(CSVError(.unreadable(String(cString: strerror(errno))), file: path, line: 1, column: 1))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return try recordLines(bytes: bytes, name: path, options: options)
    }

    /// The 1-based starting line of each data record of CSV `bytes` (see
    /// ``recordLines(contentsOf:options:)``).
    ///
    /// - Throws: ``TabularError/csv(_:)`` for an empty input, an unterminated quote or an
    ///   invalid delimiter.
    public static func recordLines(bytes: [UInt8], name: String? = nil, options: CSVOptions = CSVOptions()) throws(TabularError) -> [Int] {
        let delimiter = try options.delimiterByte(file: name)
        return try bytes.withUnsafeBufferPointer { (buffer) throws(TabularError) -> [Int] in
            var (scanner, fields) = try CSVTableReader.afterHeaderRecord(bytes: buffer, file: name, delimiter: delimiter)
            var lines: [Int] = []
            while scanner.skipBlankLines() {
                lines.append(scanner.line)
                guard try scanner.nextRecord(into: &fields) else { break }
            }
            return lines
        }
    }
}

/// `read(2)` (named apart from `CSV.read`).
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
