// image-folder-timer: reads one image folder (one folder per class) with
// ImageFolder.read and reports how long it took, end to end: listing, reading, hashing,
// decoding, resizing and building the table. Used by Scripts/image_folder_speed.sh.
//
//   image-folder-timer FOLDER [--size WxH] [--color grey|rgb] [--threads N] [--runs N]
//
// Defaults: 32x32, rgb, every core, 3 runs. Prints one line of key=value pairs per run:
//   run=… images=… unreadable=… columns=… threads=… seconds=… cpu_seconds=… images_per_s=…
// then `best_images_per_s=…` and `median_images_per_s=…`. seconds is ImageFolder.read
// alone on a monotonic clock; cpu_seconds is the process's CPU time over the same call (all
// threads). Exits 1 with the error on stderr when the folder cannot be read.
import Foundation
import ImageDatasets
import TimerSupport

func fail(_ message: String) -> Never {
    TimerSupport.fail("image-folder-timer", message)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let folder = arguments.first, !folder.hasPrefix("-") else {
    fail("usage: image-folder-timer FOLDER [--size WxH] [--color grey|rgb] [--threads N] [--runs N]")
}
arguments.removeFirst()
var width = 32, height = 32, color = ImagePreprocessing.Color.rgb
var threads = ProcessInfo.processInfo.activeProcessorCount, runs = 3
while !arguments.isEmpty {
    let option = arguments.removeFirst()
    guard let value = arguments.first else { fail("\(option) needs a value") }
    arguments.removeFirst()
    switch option {
    case "--size":
        let parts = value.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2 else { fail("--size takes WxH, not \(value)") }
        (width, height) = (parts[0], parts[1])
    case "--color":
        guard let parsed = ImagePreprocessing.Color(rawValue: value) else { fail("--color takes grey or rgb") }
        color = parsed
    case "--threads":
        guard let parsed = Int(value), parsed >= 1 else { fail("--threads takes a positive number") }
        threads = parsed
    case "--runs":
        guard let parsed = Int(value), parsed >= 1 else { fail("--runs takes a positive number") }
        runs = parsed
    default:
        fail("unknown option \(option)")
    }
}

let preprocessing: ImagePreprocessing
do {
    preprocessing = try ImagePreprocessing(width: width, height: height, color: color)
} catch {
    fail("\(error)")
}

var rates: [Double] = []
for run in 1...runs {
    let started = monotonicSeconds(), cpuStarted = processCPUSeconds()
    let read: ImageFolderRead
    do {
        read = try ImageFolder.read(
            root: URL(fileURLWithPath: folder), preprocessing: preprocessing, unreadable: .skip, threads: threads)
    } catch {
        fail("\(error)")
    }
    let seconds = monotonicSeconds() - started, cpuSeconds = processCPUSeconds() - cpuStarted
    let rate = Double(read.table.rowCount) / seconds
    rates.append(rate)
    print("run=\(run) images=\(read.table.rowCount) unreadable=\(read.unreadable.count) "
        + "columns=\(read.table.columns.count) threads=\(threads) seconds=\(String(format: "%.4f", seconds)) "
        + "cpu_seconds=\(String(format: "%.4f", cpuSeconds)) images_per_s=\(String(format: "%.0f", rate))")
}
let sorted = rates.sorted()
print("best_images_per_s=\(String(format: "%.0f", sorted.last ?? 0)) "
    + "median_images_per_s=\(String(format: "%.0f", sorted[sorted.count / 2]))")
