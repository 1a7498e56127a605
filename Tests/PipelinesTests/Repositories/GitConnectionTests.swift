import Foundation
import Testing
@testable import Pipelines

// MARK: - Helpers

/// A failure of the test helpers themselves (not of the code under test).
private struct HelperFailure: Error, CustomStringConvertible {
    var description: String
}

/// A temporary directory, a fresh `git init` repository unless asked otherwise, removed at the
/// end of `body`.
private func withDirectory(gitInit: Bool = true, _ body: (URL) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("GitConnectionTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    if gitInit { try git(["init", "--quiet"], in: directory) }
    try body(directory)
}

/// Runs `git -C directory arguments` and returns its standard output, trimmed.
@discardableResult
private func git(_ arguments: [String], in directory: URL) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "-C", directory.path] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Test commands print little, so reading one pipe after the other cannot block.
    let text = String(decoding: try output.fileHandleForReading.readToEnd() ?? Data(), as: UTF8.self)
    let errorText = String(decoding: try errors.fileHandleForReading.readToEnd() ?? Data(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw HelperFailure(description: "git \(arguments) failed (\(process.terminationStatus)): \(errorText)")
    }
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Writes an executable shell script standing in for Git.
///
/// The script is written under another name and copied into place by `install`, a child
/// process: if this process wrote the executable itself, a child forked meanwhile by a
/// test running in parallel could inherit the open file and make `exec` fail with
/// ETXTBSY ("text file busy").
private func fakeGit(_ body: String, in directory: URL) throws -> String {
    let source = directory.appendingPathComponent("fake-git.src")
    let url = directory.appendingPathComponent("fake-git.sh")
    try Data("#!/bin/sh\n\(body)\n".utf8).write(to: source)
    let install = Process()
    install.executableURL = URL(fileURLWithPath: "/usr/bin/install")
    install.arguments = ["-m", "755", source.path, url.path]
    try install.run()
    install.waitUntilExit()
    guard install.terminationStatus == 0 else { throw HelperFailure(description: "install of the fake git failed") }
    return url.path
}

/// The `GitError` that `body` throws, or `nil` when it succeeds (any other error is an issue).
private func caught(_ body: () throws -> Void) -> GitError? {
    do {
        try body()
        return nil
    } catch let error as GitError {
        return error
    } catch {
        Issue.record("not a GitError: \(error)")
        return nil
    }
}

private func contents(of url: URL) throws -> Data {
    try Data(contentsOf: url)
}

private func exists(_ url: URL) -> Bool {
    FileManager.default.fileExists(atPath: url.path)
}

// MARK: - Committing

@Suite("GitConnection")
struct GitConnectionTests {
    @Test func commitWritesTheExactFileAndOneCommit() throws {
        try withDirectory { tree in
            let connection = GitConnection(workingTree: tree)
            try connection.check()
            let data = Data("{\n  \"name\" : \"Churn\",\n  \"steps\" : [1, 2]\n}\n".utf8)

            let hash = try #require(try connection.commitFile(named: "churn.json", contents: data, message: "Save Churn"))

            #expect(try contents(of: tree.appendingPathComponent("pipelines/churn.json")) == data)
            #expect(hash.count == 40 && hash.allSatisfy(\.isHexDigit))
            #expect(try git(["rev-parse", "HEAD"], in: tree) == hash)
            #expect(try git(["rev-list", "--count", "HEAD"], in: tree) == "1")
            #expect(try git(["log", "-1", "--format=%s"], in: tree) == "Save Churn")
            #expect(try git(["show", "--name-only", "--format=", "HEAD"], in: tree) == "pipelines/churn.json")
            #expect(try git(["status", "--porcelain"], in: tree) == "")

            let history = try connection.log(fileName: "churn.json")
            #expect(history.map(\.hash) == [hash])
            #expect(history.map(\.subject) == ["Save Churn"])
            #expect(abs(history[0].date.timeIntervalSinceNow) < 300)
        }
    }

    @Test func unchangedContentsCommitNothing() throws {
        try withDirectory { tree throws in
            let connection = GitConnection(workingTree: tree)
            let data = Data("{}".utf8)
            #expect(try connection.commitFile(named: "a.json", contents: data, message: "First") != nil)

            #expect(try connection.commitFile(named: "a.json", contents: data, message: "Again") == nil)
            #expect(try git(["rev-list", "--count", "HEAD"], in: tree) == "1")
            #expect(try connection.log(fileName: "a.json").map(\.subject) == ["First"])
        }
    }

    @Test func aSecondChangeIsASecondCommitAndLogIsNewestFirst() throws {
        try withDirectory { tree in
            let connection = GitConnection(workingTree: tree)
            let first = try #require(try connection.commitFile(named: "m.json", contents: Data("1".utf8), message: "Version 1"))
            let second = try #require(try connection.commitFile(named: "m.json", contents: Data("2".utf8), message: "Version 2"))

            #expect(first != second)
            #expect(try contents(of: tree.appendingPathComponent("pipelines/m.json")) == Data("2".utf8))
            let history = try connection.log(fileName: "m.json")
            #expect(history.map(\.hash) == [second, first])
            #expect(history.map(\.subject) == ["Version 2", "Version 1"])
            #expect(history[0].date >= history[1].date)
            #expect(try connection.log(fileName: "m.json", maxCount: 1).map(\.hash) == [second])
            #expect(try connection.log(fileName: "other.json").isEmpty)
        }
    }

    @Test func logOfARepositoryWithoutCommitsIsEmpty() throws {
        try withDirectory { tree throws in
            #expect(try GitConnection(workingTree: tree).log(fileName: "m.json").isEmpty)
        }
    }

    @Test func theUsersStagedChangesStayOutOfTheCommitAndStayStaged() throws {
        try withDirectory { tree in
            let connection = GitConnection(workingTree: tree)
            try Data("user notes".utf8).write(to: tree.appendingPathComponent("notes.txt"))
            try git(["add", "notes.txt"], in: tree)

            try connection.commitFile(named: "p.json", contents: Data("{}".utf8), message: "Save p")

            #expect(try git(["show", "--name-only", "--format=", "HEAD"], in: tree) == "pipelines/p.json")
            #expect(try git(["diff", "--cached", "--name-only"], in: tree) == "notes.txt")
        }
    }

    @Test func globCharactersInANameMatchOnlyThatFile() throws {
        try withDirectory { tree in
            let connection = GitConnection(workingTree: tree)
            try connection.commitFile(named: "ab.json", contents: Data("1".utf8), message: "Save ab")
            // An uncommitted edit the pattern `a*.json` would match.
            try Data("edited".utf8).write(to: tree.appendingPathComponent("pipelines/ab.json"))

            try connection.commitFile(named: "a*.json", contents: Data("2".utf8), message: "Save a*")

            #expect(try git(["show", "--name-only", "--format=", "HEAD"], in: tree) == "pipelines/a*.json")
            #expect(try git(["status", "--porcelain"], in: tree) == "M pipelines/ab.json")
        }
    }

    @Test func blankMessagesAreReplacedBySaveOrRemove() throws {
        try withDirectory { tree in
            let connection = GitConnection(workingTree: tree)
            try connection.commitFile(named: "b.json", contents: Data("1".utf8), message: " \n")
            #expect(try git(["log", "-1", "--format=%s"], in: tree) == "Save pipelines/b.json")
            try connection.removeFile(named: "b.json", message: "")
            #expect(try git(["log", "-1", "--format=%s"], in: tree) == "Remove pipelines/b.json")
        }
    }

    @Test func subdirectoriesAreCreatedOrTheRootIsUsed() throws {
        try withDirectory { tree in
            var connection = GitConnection(workingTree: tree, subdirectory: "ml/configs/")
            try connection.commitFile(named: "x.json", contents: Data("x".utf8), message: "Nested")
            #expect(try git(["show", "--name-only", "--format=", "HEAD"], in: tree) == "ml/configs/x.json")

            connection.subdirectory = ""
            try connection.commitFile(named: "y.json", contents: Data("y".utf8), message: "Root")
            #expect(try git(["show", "--name-only", "--format=", "HEAD"], in: tree) == "y.json")
        }
    }

    @Test(arguments: ["../outside", "/tmp", "a/../../b", ".git", "x/.GIT/hooks"])
    func subdirectoriesOutsideTheTreeAreRefused(subdirectory: String) throws {
        try withDirectory { tree in
            let connection = GitConnection(workingTree: tree, subdirectory: subdirectory)
            let error = try #require(caught {
                try connection.commitFile(named: "x.json", contents: Data("x".utf8), message: "Escape")
            })
            guard case .writeFailed(let path, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == subdirectory)
        }
    }

    @Test func theAuthorIsTheConfiguredOneOrTheDefault() throws {
        try withDirectory { tree in
            // Global or system configuration of this machine counts as configured.
            let configuredName = try? git(["config", "user.name"], in: tree)
            let configuredEmail = try? git(["config", "user.email"], in: tree)
            try GitConnection(workingTree: tree).commitFile(named: "a.json", contents: Data("1".utf8), message: "A")
            let expected = "\(configuredName ?? GitConnection.defaultUserName) <\(configuredEmail ?? GitConnection.defaultUserEmail)>"
            #expect(try git(["log", "-1", "--format=%an <%ae>"], in: tree) == expected)

            try git(["config", "user.name", "Ada"], in: tree)
            try git(["config", "user.email", "ada@example.org"], in: tree)
            try GitConnection(workingTree: tree).commitFile(named: "a.json", contents: Data("2".utf8), message: "B")
            #expect(try git(["log", "-1", "--format=%an <%ae>|%cn <%ce>"], in: tree)
                == "Ada <ada@example.org>|Ada <ada@example.org>")
        }
    }

    @Test func identityDefaultsFillOnlyWhatIsMissing() {
        let name = ["-c", "user.name=swift-ml-pipelines"]
        let email = ["-c", "user.email=mlpipe@localhost"]
        #expect(GitConnection.identityOptions(configured: "") == name + email)
        #expect(GitConnection.identityOptions(configured: "user.name Ada Lovelace\nuser.email ada@example.org\n") == [])
        #expect(GitConnection.identityOptions(configured: "user.name Ada\n") == email)
        #expect(GitConnection.identityOptions(configured: "user.email ada@example.org\n") == name)
        #expect(GitConnection.identityOptions(configured: "user.name \nuser.email\n") == name + email)
    }

    // MARK: - Removing

    @Test func removeFileCommitsTheRemoval() throws {
        try withDirectory { tree in
            let connection = GitConnection(workingTree: tree)
            let file = tree.appendingPathComponent("pipelines/gone.json")
            let saved = try #require(try connection.commitFile(named: "gone.json", contents: Data("1".utf8), message: "Save"))
            try Data("local edit".utf8).write(to: file)

            let removed = try #require(try connection.removeFile(named: "gone.json", message: "Delete gone"))

            #expect(!exists(file))
            #expect(try git(["ls-files"], in: tree) == "")
            #expect(try git(["status", "--porcelain"], in: tree) == "")
            #expect(try connection.log(fileName: "gone.json").map(\.hash) == [removed, saved])
            #expect(try git(["log", "-1", "--format=%s"], in: tree) == "Delete gone")
            #expect(try connection.removeFile(named: "gone.json", message: "Again") == nil)
            #expect(try git(["rev-list", "--count", "HEAD"], in: tree) == "2")
        }
    }

    @Test func removingAFileThatWasNeverCommittedCommitsNothing() throws {
        try withDirectory { tree in
            let connection = GitConnection(workingTree: tree)
            #expect(try connection.removeFile(named: "never.json", message: "Delete") == nil)

            try connection.commitFile(named: "kept.json", contents: Data("1".utf8), message: "Save")
            let stray = tree.appendingPathComponent("pipelines/stray.json")
            try Data("untracked".utf8).write(to: stray)
            #expect(try connection.removeFile(named: "stray.json", message: "Delete stray") == nil)
            #expect(!exists(stray))
            #expect(exists(tree.appendingPathComponent("pipelines/kept.json")))
            #expect(try git(["rev-list", "--count", "HEAD"], in: tree) == "1")
        }
    }

    // MARK: - Failures

    @Test func checkRefusesWhatIsNotAWorkTree() throws {
        try withDirectory(gitInit: false) { plain in
            let connection = GitConnection(workingTree: plain)
            #expect(throws: GitError.notAWorkTree(path: plain.path)) { try connection.check() }
            #expect(throws: GitError.notAWorkTree(path: plain.path)) {
                try connection.commitFile(named: "a.json", contents: Data("1".utf8), message: "A")
            }
            #expect(!exists(plain.appendingPathComponent("pipelines")))

            let missing = plain.appendingPathComponent("missing")
            #expect(throws: GitError.notAWorkTree(path: missing.path)) {
                try GitConnection(workingTree: missing).check()
            }
        }
        try withDirectory { tree in
            try GitConnection(workingTree: tree).check()
            let gitDirectory = tree.appendingPathComponent(".git")
            #expect(throws: GitError.notAWorkTree(path: gitDirectory.path)) {
                try GitConnection(workingTree: gitDirectory).check()
            }
        }
    }

    @Test func aMissingExecutableIsGitNotFound() throws {
        try withDirectory { tree in
            let name = "git-missing-\(UUID().uuidString)"
            let connection = GitConnection(workingTree: tree, executable: name)
            #expect(throws: GitError.gitNotFound(executable: name)) { try connection.check() }
            #expect(throws: GitError.gitNotFound(executable: name)) {
                try connection.commitFile(named: "a.json", contents: Data("1".utf8), message: "A")
            }
            #expect(!exists(tree.appendingPathComponent("pipelines")))
            #expect(throws: GitError.gitNotFound(executable: "/nonexistent/git")) {
                try GitConnection(workingTree: tree, executable: "/nonexistent/git").check()
            }
        }
    }

    /// A file name shown escaped in test output (some hold a NUL or a line break).
    struct Name: CustomTestStringConvertible, Sendable {
        var value: String
        var testDescription: String { value.debugDescription }
    }

    static let invalidNames: [Name] = [
        "", "a/b.json", "/abs.json", ".", "..", ".hidden.json", "a\u{0}b.json", "line\nbreak.json",
        String(repeating: "x", count: 256),
    ].map(Name.init)

    @Test(arguments: invalidNames)
    func invalidFileNamesAreRefused(name: Name) throws {
        let name = name.value
        try withDirectory { tree in
            let connection = GitConnection(workingTree: tree)
            let attempts: [() throws -> Void] = [
                { try connection.commitFile(named: name, contents: Data("1".utf8), message: "A") },
                { try connection.removeFile(named: name, message: "A") },
                { _ = try connection.log(fileName: name) },
            ]
            for attempt in attempts {
                guard case .invalidFileName(let refused, let reason) = caught(attempt) else {
                    Issue.record("expected invalidFileName for \(name.debugDescription)")
                    continue
                }
                #expect(refused == name)
                #expect(!reason.isEmpty)
            }
            #expect(!exists(tree.appendingPathComponent("pipelines")))
        }
    }

    @Test func aFailingGitCommandIsReportedWithItsStandardError() throws {
        try withDirectory { tree in
            let connection = GitConnection(workingTree: tree)
            try connection.commitFile(named: "a.json", contents: Data("1".utf8), message: "A")
            let lock = tree.appendingPathComponent(".git/index.lock")
            try Data().write(to: lock)

            let error = try #require(caught {
                try connection.commitFile(named: "a.json", contents: Data("2".utf8), message: "B")
            })
            guard case let .commandFailed(arguments, status, stderr) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(arguments.contains("add"))
            #expect(arguments.contains(tree.path))
            #expect(status != 0)
            #expect(stderr.contains("index.lock"))
            #expect(error.description.contains("index.lock"))
            #expect(error.description.contains(tree.path))
            #expect(try git(["rev-list", "--count", "HEAD"], in: tree) == "1")

            try FileManager.default.removeItem(at: lock)
            #expect(try connection.commitFile(named: "a.json", contents: Data("2".utf8), message: "B") != nil)
        }
    }

    @Test func largeOutputOnBothPipesIsReadWithoutBlocking() throws {
        try withDirectory(gitInit: false) { directory in
            let script = try fakeGit(
                """
                head -c 1000000 /dev/zero | tr '\\0' e >&2
                head -c 1000000 /dev/zero | tr '\\0' o
                exit 3
                """, in: directory)
            let error = try #require(caught {
                try GitConnection(workingTree: directory, executable: script).check()
            })
            guard case let .commandFailed(_, status, stderr) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(status == 3)
            #expect(stderr.utf8.count == 1_000_000)
        }
    }

    @Test func gitRunsWithoutPromptsAndWithoutForeignRepositoryVariables() throws {
        try withDirectory(gitInit: false) { directory in
            let script = try fakeGit(
                #"printf '%s|%s|%s' "$GIT_TERMINAL_PROMPT" "${GIT_ASKPASS-unset}" "${GIT_DIR-unset}" >&2; exit 1"#,
                in: directory)
            #expect(throws: GitError.commandFailed(
                arguments: [script, "-C", directory.path, "rev-parse", "--is-inside-work-tree"],
                status: 1, stderr: "0||unset")) {
                try GitConnection(workingTree: directory, executable: script).check()
            }
        }
    }

    @Test func descriptionsSayWhatAndWhere() {
        #expect(GitError.gitNotFound(executable: "gitx").description.contains("'gitx'"))
        #expect(GitError.notAWorkTree(path: "/srv/ml").description.contains("/srv/ml"))
        #expect(GitError.invalidFileName("a\nb", reason: "it contains a control character").description
            == #"invalid file name 'a\nb': it contains a control character"#)
        #expect(GitError.writeFailed(path: "/srv/ml/p/a.json", reason: "disk full").description
            == "cannot write '/srv/ml/p/a.json': disk full")
        #expect(GitError.commandFailed(
            arguments: ["git", "-C", "/srv/my ml", "commit", "--message", "it's"], status: 1, stderr: "boom"
        ).description == #"git -C '/srv/my ml' commit --message 'it'\''s' failed (exit status 1): boom"#)
    }

    // MARK: - Values

    @Test func codingKeepsEveryFieldAndDefaultsTheOptionalOnes() throws {
        let connection = GitConnection(
            workingTree: URL(fileURLWithPath: "/srv/ml", isDirectory: true), subdirectory: "cfg", executable: "/usr/bin/git")
        let decoded = try JSONDecoder().decode(GitConnection.self, from: JSONEncoder().encode(connection))
        #expect(decoded == connection)

        let minimal = try JSONDecoder().decode(GitConnection.self, from: Data(#"{"workingTree":"file:///srv/ml/"}"#.utf8))
        #expect(minimal.workingTree.path == "/srv/ml")
        #expect(minimal.subdirectory == "pipelines")
        #expect(minimal.executable == "git")
    }

    @Test(arguments: [
        ("Churn model (v2)", "churn-model-v2.json"),
        ("  --Hello__World--  ", "hello-world.json"),
        ("ALL CAPS", "all-caps.json"),
        ("a.b/c\\d", "a-b-c-d.json"),
        ("../../etc/passwd", "etc-passwd.json"),
        ("Café Über Straße", "cafe-uber-strasse.json"),
        ("ＡＢＣ１２", "abc12.json"),
        ("", "pipeline.json"),
        ("!!! ???", "pipeline.json"),
        ("モデル", "pipeline.json"),
        ("model 🚀 2", "model-2.json"),
        (String(repeating: "a", count: 100), String(repeating: "a", count: 80) + ".json"),
        (String(repeating: "a", count: 79) + " b", String(repeating: "a", count: 79) + ".json"),
    ])
    func fileNamesForPipelines(name: String, expected: String) {
        let fileName = GitConnection.fileName(forPipeline: name)
        #expect(fileName == expected)
        #expect(GitConnection.problem(withFileName: fileName) == nil)
    }
}
