/// A failure of a ``GitConnection``: Git could not be run, the working tree is not a Git
/// working tree, a file name or write was refused, or a `git` command failed.
///
/// The description says what failed and where, for example
/// `git -C /srv/ml add -- ':(literal)pipelines/churn.json' failed (exit status 128):
/// fatal: Unable to create '/srv/ml/.git/index.lock': File exists.`
public enum GitError: Error, Sendable, Equatable {
    /// The Git executable could not be run: it is not on `PATH` (it is looked up through
    /// `/usr/bin/env`), or it is not executable.
    case gitNotFound(executable: String)
    /// The process could not be started or its output could not be read (too many open
    /// files, a broken pipe…): Git may well be installed.
    case processFailed(arguments: [String], reason: String)
    /// The working tree does not exist, is not a directory, or is not inside a Git working
    /// tree (for example a plain directory, a bare repository or a `.git` directory).
    case notAWorkTree(path: String)
    /// A file name is not a single, visible path component.
    case invalidFileName(String, reason: String)
    /// A file (or the subdirectory holding it) could not be written or removed.
    case writeFailed(path: String, reason: String)
    /// A `git` command ran and exited unsuccessfully.
    ///
    /// `arguments` is the whole command line, starting with the executable and including
    /// `-C <working tree>`; `stderr` is what Git wrote to standard error, trimmed.
    case commandFailed(arguments: [String], status: Int32, stderr: String)
}

extension GitError: CustomStringConvertible {
    /// What failed and where, in one line (Git's own message may add lines).
    public var description: String {
        switch self {
        case .gitNotFound(let executable):
            return "cannot run Git: '\(executable)' was not found on PATH or is not executable"
        case let .processFailed(arguments, reason):
            return "running \(arguments.map(Self.shellQuoted).joined(separator: " ")) failed: \(reason)"
        case .notAWorkTree(let path):
            return "'\(path)' is not a Git working tree (it does not exist, is not a directory, or is not inside a Git working tree)"
        case let .invalidFileName(name, reason):
            return "invalid file name '\(Self.visible(name))': \(reason)"
        case let .writeFailed(path, reason):
            return "cannot write '\(path)': \(reason)"
        case let .commandFailed(arguments, status, stderr):
            let command = arguments.map(Self.shellQuoted).joined(separator: " ")
            let detail = stderr.isEmpty ? "" : ": \(stderr)"
            return "\(command) failed (exit status \(status))\(detail)"
        }
    }

    /// The name with control characters escaped, so a description stays on one line.
    private static func visible(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            if scalar.properties.generalCategory == .control {
                result += scalar.escaped(asASCII: true)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// An argument as a POSIX shell would need it: bare when it is plain, single-quoted
    /// otherwise.
    private static func shellQuoted(_ argument: String) -> String {
        let plain = !argument.isEmpty && argument.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ":", "=", "@", ",", "+": return true
            default: return false
            }
        }
        if plain { return argument }
        var quoted = "'"
        for character in argument {
            quoted += character == "'" ? "'\\''" : String(character)
        }
        return quoted + "'"
    }
}
