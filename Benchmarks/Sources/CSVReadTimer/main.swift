// csv-read-timer: reads one CSV file with Tabular's CSV.read and reports how long it took.
//
// Used by Scripts/compare_csv_pandas.py to compare our reader with pandas.read_csv (run it
// under /usr/bin/time -v for the peak RSS). Build and run from Benchmarks/:
//   swift build -c release --product csv-read-timer
//   .build/release/csv-read-timer .data/numeric_200000x51.csv
// Prints one line of key=value pairs:
//   rows=… columns=… bytes=… seconds=… mb_per_s=… table_bytes=…
// where seconds is CSV.read alone on a monotonic clock (CLOCK_MONOTONIC), MB = 10⁶ bytes,
// and table_bytes estimates the parsed table's memory: 8 bytes a numeric or integer value,
// 1 a boolean, 16 a string (plus its heap storage when longer than 15 UTF-8 bytes), plus
// the missing masks. Exits 1 with the error on stderr when the file cannot be read.
import Foundation
import Tabular
import TimerSupport

/// An estimate of the memory the table's values and masks take.
func estimatedBytes(of table: Table) -> Int {
    var total = 0
    for column in table.columns {
        switch column.values {
        case .numeric(let values): total += values.count * MemoryLayout<Double>.stride
        case .integer(let values): total += values.count * MemoryLayout<Int>.stride
        case .boolean(let values): total += values.count * MemoryLayout<Bool>.stride
        case .categorical(let values):
            total += values.count * MemoryLayout<String>.stride
            for value in values where value.utf8.count > 15 { total += 32 + value.utf8.count }
        }
        total += (column.count + 63) / 64 * 8
    }
    return total
}

let arguments = CommandLine.arguments
guard arguments.count == 2, !arguments[1].hasPrefix("-") else {
    FileHandle.standardError.write(Data("usage: csv-read-timer FILE.csv\n".utf8))
    exit(2)
}
let url = URL(fileURLWithPath: arguments[1])
let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0

let started = monotonicSeconds()
let table: Table
do {
    table = try CSV.read(contentsOf: url)
} catch {
    fail("csv-read-timer", "\(error)")
}
let seconds = monotonicSeconds() - started

let throughput = Double(bytes) / seconds / 1e6
print("rows=\(table.rowCount) columns=\(table.columns.count) bytes=\(bytes) "
    + "seconds=\(String(format: "%.4f", seconds)) mb_per_s=\(String(format: "%.1f", throughput)) "
    + "table_bytes=\(estimatedBytes(of: table))")
