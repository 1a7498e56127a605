import ArgumentParser
import Foundation
import Pipelines
import PipelinesPostgres
import PipelinesSQLite

/// `mlpipe store copy`: whole stores.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Whole stores: copy one into another (SQLite ↔ PostgreSQL).", subcommands: [Copy.self])

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy everything a store holds into an empty one, then verify the copy.",
            discussion: """
                Copies repositories, pipelines with every configuration version, datasets, models with their artifacts, \
                every deployment history (with its own dates), runs, triggers, endpoints and tokens, and the ledger of \
                the folder consumers' input folders (those the pipelines declare, resolved against the current directory \
                as `mlpipe watch` resolves them, and every --ledger-folder). Leases and firing claims are not copied. \
                Then reads both stores back and compares each kind's count and SHA-256. The target must be empty: \
                nothing is written otherwise. Stop the processes using the source first.
                """)

        @Option(help: "The store to copy: an SQLite file path, sqlite:PATH or a postgres:// URL.") var from: String
        @Option(help: "The empty store to copy into (an SQLite file is created when missing).") var to: String
        @Option(name: .customLong("ledger-folder"), help: "Also copy the ledger of this watched input folder (repeat).")
        var ledgerFolders: [String] = []
        @Flag(help: "Print machine-readable JSON on stdout.") var json = false
        @Flag(help: "Log the SDK's routine events (debug level) on stderr.") var verbose = false

        func validate() throws {
            guard StoreLocation(from) != StoreLocation(to) else { throw ValidationError("--from and --to name the same store") }
        }

        func run() async throws {
            let (sourceLocation, targetLocation) = (StoreLocation(from), StoreLocation(to))
            if case .sqlite(let path) = sourceLocation, !sourceLocation.mayHoldData {
                throw CommandFailure("--from: no SQLite store at \(path)")
            }
            let logger = GlobalOptions.logger(verbose: verbose)
            let source = try await GlobalOptions.openStore(sourceLocation, logger: logger)
            let target = try await GlobalOptions.openStore(targetLocation, logger: logger)
            let (sourceName, targetName) = (Self.name(of: source), Self.name(of: target))
            let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let declared = try await StoreCopy.ledgerFolders(of: source, relativeTo: here)
            // Named as `mlpipe watch --input DIR` names its folder in the ledger.
            let named = ledgerFolders.map { FolderConsumer(input: $0, output: "-").folders(relativeTo: here).ledgerFolder }
            let folders = Array(Set(declared + named)).sorted()
            let quiet = json
            let report: StoreCopyReport
            do {
                report = try await StoreCopy.copy(from: source, to: target, ledgerFolders: folders) { step in
                    guard !quiet, case let .copied(kind, count) = step else { return }
                    FileHandle.standardError.write(Data("copied \(count) \(kind)\n".utf8))
                }
            } catch let error as StoreCopyError {
                await Self.close(source, target)
                throw CommandFailure("copying \(sourceName) to \(targetName): \(error)")
            }
            await Self.close(source, target)
            if json {
                try printJSON([
                    "source": sourceName, "target": targetName, "verified": true, "ledgerFolders": folders,
                    "notCopied": ["leases", "firingClaims"],
                    "kinds": report.kinds.map { kind in
                        ["kind": kind.kind.rawValue, "count": kind.count, "sourceChecksum": kind.sourceChecksum,
                         "targetChecksum": kind.targetChecksum] as [String: Any]
                    },
                ] as [String: Any])
            } else {
                print("copied \(sourceName) to \(targetName)")
                print(renderTable(["kind", "count", "sha-256 (source = target)"], report.kinds.map { kind in
                    [kind.kind.rawValue, String(kind.count), kind.targetChecksum]
                }))
                print("verified: every kind has the same count and SHA-256 in both stores (leases and firing claims are not copied)")
            }
        }

        /// How messages name a store: its file, or its URL without the password.
        static func name(of store: any PipelineStorage) -> String {
            if let store = store as? PostgresStore { return store.configuration.description }
            if let store = store as? SQLiteStore { return store.path }
            return "\(type(of: store))"
        }

        /// Closes the PostgreSQL stores' connections.
        static func close(_ stores: any PipelineStorage...) async {
            for case let store as PostgresStore in stores { await store.close() }
        }
    }
}
