import ArgumentParser
import Foundation
import LinearAlgebra

/// `mlpipe`: the whole life-cycle of ML pipelines from a terminal, a CI job or a
/// benchmark run. Exit status: 0 success, 1 failure (what and where on stderr), 2 usage.
@main
struct MLPipe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlpipe",
        abstract: "Create, train, test, deploy and query machine-learning pipelines.",
        discussion: """
            Every command takes --store PATH (default .mlpipe/store.sqlite, created on first use) \
            and --json for machine-readable output.
            """,
        subcommands: [
            RunCommand.self, PipelinesCommand.self, ModelsCommand.self, DeployCommand.self, RollbackCommand.self,
            UndeployCommand.self, HistoryCommand.self, PredictCommand.self, TriggersCommand.self, SchedulerCommand.self,
            ServeCommand.self, EndpointsCommand.self, TokensCommand.self, WatchCommand.self, StoreCommand.self, WorkerCommand.self,
            QueueCommand.self, ReportCommand.self,
        ]
    )

    /// Parses, then runs; maps usage errors to exit status 2 and failures to 1.
    static func main() async {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
        // The commands that fit or predict say when the numerics run on generic kernels.
        let computes: [any ParsableCommand.Type] = [
            RunCommand.self, PredictCommand.self, ServeCommand.self, WorkerCommand.self, SchedulerCommand.self, WatchCommand.self,
            ReportCommand.self,
        ]
        if computes.contains(where: { $0 == type(of: command) }), let warning = BLAS.genericKernelWarning {
            FileHandle.standardError.write(Data("mlpipe: warning: \(warning)\n".utf8))
        }
        do {
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                var synchronous = command
                try synchronous.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            // Help requested through a subcommand, or a usage error found while running.
            switch exitCode(for: error) {
            case .success:
                print(fullMessage(for: error))
                Foundation.exit(0)
            case .validationFailure:
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            default:
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                Foundation.exit(1)
            }
        }
        Foundation.exit(0)
    }
}
