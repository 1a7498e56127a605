// libFuzzer harness for `PipelineSpec.parse(_:format:baseDirectory:)`.
//
// Checks: no crash, no trap, no hang (libFuzzer's `-timeout`), and every failure is a
// `SpecError`. Each input is parsed as JSON and as YAML; bytes that are not UTF-8 are
// refused before parsing, as `PipelineSpec.load(contentsOf:)` does.
import Foundation
import PipelinesSpec

let baseDirectory = URL(fileURLWithPath: "/fuzz", isDirectory: true)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let text = String(data: data, encoding: .utf8) else { return 0 }
    for format in SpecFormat.allCases {
        do {
            let spec = try PipelineSpec.parse(text, format: format, baseDirectory: baseDirectory, file: "fuzz.spec")
            _ = spec.hashValue
        } catch {
            // `parse` throws `SpecError` by type; its description must render.
            _ = error.description
        }
    }
    return 0
}
