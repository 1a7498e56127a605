import Foundation

/// Running the `git` executable: arguments, environment, and both pipes read to the end.
extension GitConnection {
    /// Runs Git and throws ``GitError/commandFailed(arguments:status:stderr:)`` unless it exits 0.
    @discardableResult
    func runChecked(_ arguments: [String]) throws(GitError) -> GitOutput {
        let output = try run(arguments)
        guard output.status == 0 else { throw output.failure }
        return output
    }

    /// Runs `git -C <working tree> <arguments>` through `/usr/bin/env` and collects its output.
    func run(_ arguments: [String], environment extra: [String: String] = [:]) throws(GitError) -> GitOutput {
        let command = [executable, "-C", workingTree.path] + arguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.environment = Self.environment(adding: extra)
        let standardOutput = Pipe()
        let standardError = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = standardOutput
        process.standardError = standardError
        do {
            try process.run()
        } catch {
            // `/usr/bin/env` itself could not be started: not the same as Git missing.
            throw .processFailed(arguments: command, reason: "\(error)")
        }
        // Both pipes are drained at once, so a full one never blocks Git.
        let errorReader = PipeReader(standardError.fileHandleForReading)
        let outputRead = Result { try standardOutput.fileHandleForReading.readToEnd() ?? Data() }
        let errorRead = errorReader.wait()
        process.waitUntilExit()
        let outputData: Data
        let errorData: Data
        do {
            outputData = try outputRead.get()
            errorData = try errorRead.get()
        } catch {
            throw .processFailed(arguments: command, reason: "reading its output: \(error)")
        }
        let status = process.terminationStatus
        // `env` exits 127 when it cannot find the command, 126 when it cannot run it.
        if process.terminationReason == .exit, status == 126 || status == 127 {
            throw .gitNotFound(executable: executable)
        }
        return GitOutput(
            arguments: command,
            status: status,
            stdout: outputData,
            stderr: String(decoding: errorData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The inherited environment, with prompts off and nothing that points Git elsewhere.
    static func environment(adding extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        // Variables that would make Git use another repository or index than `-C` finds, or
        // read our `:(literal)` pathspecs differently.
        for name in [
            "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_PREFIX", "GIT_IMPLICIT_WORK_TREE",
            "GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS",
        ] {
            environment[name] = nil
        }
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_ASKPASS"] = ""
        environment.merge(extra) { _, new in new }
        return environment
    }
}

/// What one Git command did.
struct GitOutput {
    var arguments: [String]
    var status: Int32
    var stdout: Data
    var stderr: String

    /// Standard output as text, trimmed.
    var text: String {
        String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var failure: GitError {
        .commandFailed(arguments: arguments, status: status, stderr: stderr)
    }
}

/// Reads a pipe to its end on a thread of its own (not a shared dispatch queue, which could be
/// busy), so another pipe of the same process can be read at the same time.
final class PipeReader: @unchecked Sendable {
    // `data` is written by the reading thread before `done` is signalled and read after it.
    private var data: Result<Data, any Error> = .success(Data())
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            self.data = Result { try handle.readToEnd() ?? Data() }
            self.done.signal()
        }
        thread.start()
    }

    /// Waits for the end of the pipe and returns everything read, or the read's error.
    func wait() -> Result<Data, any Error> {
        done.wait()
        return data
    }
}
