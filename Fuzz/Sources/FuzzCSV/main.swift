// libFuzzer harness for `CSV.read(bytes:name:options:)`.
//
// Checks: no crash, no trap, no hang (libFuzzer's `-timeout`), every failure is a
// `TabularError.csv(_:)` whose description renders, and a returned table is rectangular.
// Each input is plain CSV bytes, read twice: with the default options, and with `;` as
// delimiter, infinities allowed and no missing-value tokens.
import Tabular

let variants: [CSVOptions] = {
    var other = CSVOptions()
    other.delimiter = ";"
    other.allowsInfinity = true
    other.missingValues = []
    return [CSVOptions(), other]
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    for options in variants {
        check(bytes, options: options)
    }
    return 0
}

func check(_ bytes: [UInt8], options: CSVOptions) {
    do {
        let table = try CSV.read(bytes: bytes, name: "fuzz.csv", options: options)
        for column in table.columns where column.count != table.rowCount {
            fatalError("column \(column.name) has \(column.count) values for \(table.rowCount) rows")
        }
    } catch {
        // `read(bytes:)` throws `TabularError` by type; reading must only throw the CSV case.
        guard case .csv = error else {
            fatalError("CSV.read threw a non-CSV TabularError: \(error)")
        }
        _ = String(describing: error)
    }
}
