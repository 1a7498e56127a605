public import Foundation

/// The optional connection of a pipeline repository to a local Git working tree: each saved
/// pipeline configuration is written there as a readable file and committed.
///
/// Everything goes through the `git` command line, in the working tree only: no command
/// talks to a remote, credential prompts are switched off (`GIT_TERMINAL_PROMPT=0`,
/// `GIT_ASKPASS=`), commits are never signed (`-c commit.gpgsign=false`), and when the
/// repository has no `user.name` / `user.email` configured, commits are made as
/// ``defaultUserName`` <``defaultUserEmail``>. Each commit contains only the one file it is
/// about (`git commit --only`), so changes the user has staged are neither committed nor
/// unstaged. File names are passed to Git as literal pathspecs (`:(literal)`), so `*`, `?`
/// or `[` in a name never match other files.
///
/// A failure is thrown as a ``GitError``; the caller keeps the configuration in its own store
/// either way. The methods are synchronous and launch `git` a few times each; calls for the
/// same working tree should not overlap (Git would report its `index.lock` as taken).
///
/// ```swift
/// let git = GitConnection(workingTree: URL(fileURLWithPath: "/srv/ml-config"))
/// try git.check()
///
/// let file = GitConnection.fileName(forPipeline: "Churn model (v2)")   // "churn-model-v2.json"
/// let json = try JSONEncoder().encode(configuration)
/// if let hash = try git.commitFile(named: file, contents: json, message: "Save Churn model (v2)") {
///     print("committed \(hash)")
/// } else {
///     print("unchanged; nothing committed")
/// }
///
/// for commit in try git.log(fileName: file) {
///     print(commit.hash.prefix(8), commit.date, commit.subject)
/// }
/// try git.removeFile(named: file, message: "Delete Churn model (v2)")
/// ```
public struct GitConnection: Sendable, Hashable, Codable {
    /// The author and committer name used when the repository has no `user.name` configured.
    public static let defaultUserName = "swift-ml-pipelines"
    /// The author and committer email used when the repository has no `user.email` configured.
    public static let defaultUserEmail = "mlpipe@localhost"

    /// The Git working tree (a file URL to a directory; it may also be a directory inside a
    /// working tree).
    public let workingTree: URL
    /// Where the files go, relative to ``workingTree``: `"pipelines"` by default, `""` for the
    /// working tree itself. It may have several components (`"ml/pipelines"`) but must stay
    /// inside the working tree: no leading `/`, no `..` and no `.git` component.
    public var subdirectory: String
    /// The Git executable: `"git"` by default, looked up on `PATH` through `/usr/bin/env`; a
    /// path containing `/` is run as it is.
    public var executable: String

    /// Creates a connection to a working tree.
    ///
    /// Nothing is checked here; call ``check()`` to find out whether the tree is usable.
    ///
    /// - Parameters:
    ///   - workingTree: A file URL to the Git working tree (or a directory inside one).
    ///   - subdirectory: Where files go, relative to the working tree; `"pipelines"` by default.
    ///   - executable: The Git executable, looked up on `PATH`; `"git"` by default.
    public init(workingTree: URL, subdirectory: String = "pipelines", executable: String = "git") {
        self.workingTree = workingTree
        self.subdirectory = subdirectory
        self.executable = executable
    }

    private enum CodingKeys: String, CodingKey {
        case workingTree, subdirectory, executable
    }

    /// Decodes a connection; a missing `subdirectory` or `executable` takes its default.
    ///
    /// - Parameters:
    ///   - decoder: The decoder to read from.
    /// - Throws: `DecodingError` when `workingTree` is missing or a value has the wrong type.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            workingTree: try container.decode(URL.self, forKey: .workingTree),
            subdirectory: try container.decodeIfPresent(String.self, forKey: .subdirectory) ?? "pipelines",
            executable: try container.decodeIfPresent(String.self, forKey: .executable) ?? "git"
        )
    }

    // MARK: - Operations

    /// Checks that the working tree exists and is a Git working tree
    /// (`git rev-parse --is-inside-work-tree`).
    ///
    /// - Throws: ``GitError/notAWorkTree(path:)`` when the directory does not exist or is not in
    ///   a working tree (a plain directory, a bare repository, a `.git` directory);
    ///   ``GitError/gitNotFound(executable:)`` when Git cannot be run;
    ///   ``GitError/commandFailed(arguments:status:stderr:)`` when Git fails for another reason
    ///   (for example a repository owned by another user, which Git refuses as "dubious").
    public func check() throws(GitError) {
        let path = try existingDirectoryPath()
        // English messages, so "not a git repository" can be told from other failures.
        let output = try run(["rev-parse", "--is-inside-work-tree"], environment: ["LC_ALL": "C"])
        if output.status == 0 {
            guard output.text == "true" else { throw .notAWorkTree(path: path) }
            return
        }
        if output.stderr.lowercased().contains("not a git repository") {
            throw .notAWorkTree(path: path)
        }
        throw output.failure
    }

    /// Writes a file into ``subdirectory`` and commits it, alone.
    ///
    /// The file is written atomically (the subdirectory is created when missing), staged with
    /// `git add`, and committed with `git commit --only`, so nothing else the user has staged
    /// goes into the commit. When the contents equal the committed ones there is nothing to
    /// commit and the result is `nil`.
    ///
    /// - Parameters:
    ///   - fileName: The file's name: a single path component, not starting with `.`; see
    ///     ``fileName(forPipeline:)``.
    ///   - contents: The file's exact bytes.
    ///   - message: The commit message (its first line is the subject); when it is blank,
    ///     `"Save <subdirectory>/<fileName>"`.
    /// - Returns: The new commit's full hash, or `nil` when the file was unchanged.
    /// - Throws: ``GitError/invalidFileName(_:reason:)`` for a bad name (nothing is written);
    ///   ``GitError/notAWorkTree(path:)`` or ``GitError/gitNotFound(executable:)`` as
    ///   ``check()`` does (nothing is written); ``GitError/writeFailed(path:reason:)`` when the
    ///   file cannot be written or ``subdirectory`` leaves the working tree;
    ///   ``GitError/commandFailed(arguments:status:stderr:)`` when `git add` or `git commit`
    ///   fails (the file may then be on disk but uncommitted).
    @discardableResult
    public func commitFile(named fileName: String, contents: Data, message: String) throws(GitError) -> String? {
        let location = try fileLocation(for: fileName)
        try check()
        do {
            try FileManager.default.createDirectory(
                at: location.url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: location.url, options: .atomic)
        } catch {
            throw .writeFailed(path: location.url.path, reason: Self.reason(error))
        }
        try runChecked(["add", "--", location.pathspec])
        guard try hasStagedChange(location.pathspec) else { return nil }
        return try commit(location, message: message, blankMessage: "Save")
    }

    /// Removes a file from ``subdirectory`` and commits the removal, alone.
    ///
    /// The file is removed with `git rm -f` (so local edits to it are dropped) and the removal
    /// is committed with `git commit --only`. When the file was never committed (or its removal
    /// already is) there is nothing to commit and the result is `nil`; an untracked file of
    /// that name is still deleted from disk.
    ///
    /// - Parameters:
    ///   - fileName: The file's name: a single path component, not starting with `.`.
    ///   - message: The commit message; when it is blank, `"Remove <subdirectory>/<fileName>"`.
    /// - Returns: The new commit's full hash, or `nil` when there was nothing to commit.
    /// - Throws: ``GitError/invalidFileName(_:reason:)``, ``GitError/notAWorkTree(path:)``,
    ///   ``GitError/gitNotFound(executable:)`` as ``commitFile(named:contents:message:)`` does;
    ///   ``GitError/writeFailed(path:reason:)`` when an untracked file cannot be deleted;
    ///   ``GitError/commandFailed(arguments:status:stderr:)`` when `git rm` or `git commit` fails.
    @discardableResult
    public func removeFile(named fileName: String, message: String) throws(GitError) -> String? {
        let location = try fileLocation(for: fileName)
        try check()
        try runChecked(["rm", "--quiet", "-f", "--ignore-unmatch", "--", location.pathspec])
        // `git rm` leaves an untracked (or ignored) file of that name alone.
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: location.url.path, isDirectory: &isDirectory),
           !isDirectory.boolValue {
            do {
                try FileManager.default.removeItem(at: location.url)
            } catch {
                throw .writeFailed(path: location.url.path, reason: Self.reason(error))
            }
        }
        guard try hasStagedChange(location.pathspec) else { return nil }
        return try commit(location, message: message, blankMessage: "Remove")
    }

    /// The commits that touched a file in ``subdirectory``, newest first.
    ///
    /// - Parameters:
    ///   - fileName: The file's name: a single path component, not starting with `.`.
    ///   - maxCount: At most this many commits (the newest); `nil` for all.
    /// - Returns: The commits, newest first; empty when the file has none or the repository
    ///   has no commits yet.
    /// - Throws: ``GitError/invalidFileName(_:reason:)``, ``GitError/notAWorkTree(path:)``,
    ///   ``GitError/gitNotFound(executable:)``, ``GitError/writeFailed(path:reason:)`` (for a
    ///   ``subdirectory`` that leaves the tree), or
    ///   ``GitError/commandFailed(arguments:status:stderr:)`` when `git log` fails.
    public func log(fileName: String, maxCount: Int? = nil) throws(GitError) -> [GitCommit] {
        let location = try fileLocation(for: fileName)
        try check()
        var arguments = ["log", "-z", "--no-color", "--no-show-signature", "--format=%H%x1f%ct%x1f%s"]
        if let maxCount { arguments.append("--max-count=\(max(0, maxCount))") }
        arguments += ["--", location.pathspec]
        let output = try run(arguments)
        guard output.status == 0 else {
            // `git log` fails on a branch without commits; that history is empty.
            let head = try run(["rev-parse", "--quiet", "--verify", "HEAD"])
            if head.status != 0 { return [] }
            throw output.failure
        }
        return output.stdout.split(separator: 0).compactMap { record in
            let fields = String(decoding: record, as: UTF8.self)
                .split(separator: "\u{1F}", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let seconds = TimeInterval(fields[1]) else { return nil }
            return GitCommit(
                hash: String(fields[0]),
                subject: String(fields[2]),
                date: Date(timeIntervalSince1970: seconds))
        }
    }

    /// A safe, readable file name for a pipeline: the name lowercased, accents and widths
    /// folded, every run of characters other than ASCII letters and digits turned into one
    /// `-`, trimmed of `-` at both ends, at most 80 characters, `"pipeline"` when nothing is
    /// left, followed by `.json`.
    ///
    /// `"Churn model (v2)"` gives `"churn-model-v2.json"`, `"Café Über"` gives
    /// `"cafe-uber.json"`. Different names can give the same file name (`"A b"` and `"a-B"`;
    /// any two names without Latin letters or digits), so a caller that stores several
    /// pipelines must keep the names distinct after this mapping.
    ///
    /// - Parameters:
    ///   - name: The pipeline's name.
    /// - Returns: A file name that ``commitFile(named:contents:message:)`` accepts.
    public static func fileName(forPipeline name: String) -> String {
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var slug = ""
        var needsDash = false
        for scalar in folded.lowercased().unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9":
                if needsDash, !slug.isEmpty { slug += "-" }
                needsDash = false
                slug.unicodeScalars.append(scalar)
            default:
                needsDash = true
            }
        }
        if slug.count > 80 {
            slug = String(slug.prefix(80))
            while slug.hasSuffix("-") { slug.removeLast() }
        }
        return (slug.isEmpty ? "pipeline" : slug) + ".json"
    }

    // MARK: - Names and places

    /// Why a file name is refused, or `nil` when it is a single visible path component.
    static func problem(withFileName name: String) -> String? {
        if name.isEmpty { return "the name is empty" }
        if name.contains("/") { return "it contains '/'; the name must be a single path component" }
        if name.unicodeScalars.contains("\0") { return "it contains a NUL character" }
        if name.hasPrefix(".") { return "it starts with '.' ('.', '..' and hidden files are not allowed)" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "it contains a control character (such as a line break)"
        }
        if name.utf8.count > 255 { return "it is longer than 255 bytes" }
        return nil
    }

    /// Where a file goes, once its name and ``subdirectory`` are checked.
    private func fileLocation(for fileName: String) throws(GitError) -> FileLocation {
        if let reason = Self.problem(withFileName: fileName) {
            throw .invalidFileName(fileName, reason: reason)
        }
        let directory = try normalizedSubdirectory()
        let relative = directory.isEmpty ? fileName : directory + "/" + fileName
        return FileLocation(url: workingTree.appendingPathComponent(relative, isDirectory: false), relativePath: relative)
    }

    /// ``subdirectory`` without empty or `.` components, checked to stay inside the tree.
    private func normalizedSubdirectory() throws(GitError) -> String {
        let components = subdirectory.split(separator: "/").filter { $0 != "." }
        let escapes = subdirectory.hasPrefix("/")
            || components.contains { $0 == ".." || $0.lowercased() == ".git" }
            || subdirectory.unicodeScalars.contains { $0.properties.generalCategory == .control }
        if escapes {
            throw .writeFailed(
                path: subdirectory,
                reason: "the subdirectory must be a relative path inside the working tree, without '..' or '.git'")
        }
        return components.joined(separator: "/")
    }

    /// The working tree's path, when it is an existing directory.
    private func existingDirectoryPath() throws(GitError) -> String {
        guard workingTree.isFileURL else { throw .notAWorkTree(path: workingTree.absoluteString) }
        let path = workingTree.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notAWorkTree(path: path)
        }
        return path
    }

    private static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }

    // MARK: - Git commands

    /// Whether the index differs from `HEAD` at a path (`git diff --cached --quiet`).
    private func hasStagedChange(_ pathspec: String) throws(GitError) -> Bool {
        let output = try run(["diff", "--cached", "--quiet", "--no-ext-diff", "--", pathspec])
        switch output.status {
        case 0: return false
        case 1: return true
        default: throw output.failure
        }
    }

    /// Commits one path alone and returns the new `HEAD`; a blank message becomes
    /// `"<blankMessage> <relative path>"`, as Git refuses empty messages.
    private func commit(_ location: FileLocation, message: String, blankMessage: String) throws(GitError) -> String {
        let message = message.allSatisfy(\.isWhitespace) ? "\(blankMessage) \(location.relativePath)" : message
        let configured = try run(["config", "--get-regexp", #"^user\.(name|email)$"#])
        guard configured.status == 0 || configured.status == 1 else { throw configured.failure }
        let options = Self.identityOptions(configured: String(decoding: configured.stdout, as: UTF8.self))
            + ["-c", "commit.gpgsign=false"]
        try runChecked(options + ["commit", "--only", "--quiet", "--message", message, "--", location.pathspec])
        return try runChecked(["rev-parse", "--verify", "HEAD"]).text
    }

    /// The `-c user.name=…` / `-c user.email=…` options for what the repository lacks, given
    /// the output of `git config --get-regexp '^user\.(name|email)$'` (`key value` lines).
    static func identityOptions(configured: String) -> [String] {
        var hasName = false
        var hasEmail = false
        for line in configured.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, !parts[1].allSatisfy(\.isWhitespace) else { continue }
            switch parts[0].lowercased() {
            case "user.name": hasName = true
            case "user.email": hasEmail = true
            default: break
            }
        }
        var options: [String] = []
        if !hasName { options += ["-c", "user.name=\(defaultUserName)"] }
        if !hasEmail { options += ["-c", "user.email=\(defaultUserEmail)"] }
        return options
    }

}

/// One commit of a file's history, as ``GitConnection/log(fileName:maxCount:)`` reports it.
public struct GitCommit: Sendable, Hashable, Codable {
    /// The full commit hash.
    public var hash: String
    /// The first line of the commit message.
    public var subject: String
    /// The committer date (whole seconds).
    public var date: Date

    /// Creates a commit record.
    ///
    /// - Parameters:
    ///   - hash: The full commit hash.
    ///   - subject: The first line of the commit message.
    ///   - date: The committer date.
    public init(hash: String, subject: String, date: Date) {
        self.hash = hash
        self.subject = subject
        self.date = date
    }
}

/// Where a file of the connection is.
struct FileLocation {
    /// The file on disk.
    var url: URL
    /// The path relative to the working tree, `subdirectory/fileName`.
    var relativePath: String
    /// The path as a pathspec in which `*`, `?`, `[` and a leading `:` are plain characters.
    var pathspec: String { ":(literal)" + relativePath }
}
