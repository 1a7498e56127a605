import Foundation
import Pipelines

/// Shows run progress on stderr: a redrawn line when stderr is a terminal, plain lines
/// otherwise.
final class ProgressReporter {
    private let enabled: Bool
    private let terminal = isatty(FileHandle.standardError.fileDescriptor) != 0
    private var job: JobKind?
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ event: RunEvent) {
        guard enabled else { return }
        switch event {
        case .jobStarted(let job):
            self.job = job
            line("\(job.rawValue): started")
        case let .combination(index, count, parameters):
            if terminal {
                let width = 24, filled = count > 0 ? width * index / count : width
                redraw("\(job?.rawValue ?? "training") [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(index)/\(count) \(parameters)")
            } else {
                line("\(job?.rawValue ?? "training"): combination \(index) of \(count) (\(parameters))")
            }
        case let .fold(index, count):
            if !terminal { line("  fold \(index) of \(count)") }
        case let .jobFinished(job, status, _):
            line("\(job.rawValue): \(status.rawValue)")
        case .runStarted, .runFinished:
            break
        }
    }

    func finish() {
        if drawn { write("\n") }
        drawn = false
    }

    private func line(_ text: String) {
        if drawn { write("\n") }
        drawn = false
        write(text + "\n")
    }

    private func redraw(_ text: String) {
        write("\r\u{1B}[K" + text)
        drawn = true
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
