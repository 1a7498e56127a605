import ArgumentParser
import Foundation
import Logging
import Pipelines
import PipelinesSQLite
import PipelinesServer
import Prometheus
import ServiceLifecycle

/// `mlpipe serve`: serves every API endpoint of the store over HTTP until SIGINT or SIGTERM
/// (requests in flight finish first), optionally with the trigger scheduler in the same
/// process. The access log (one line per request) goes to stderr.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the store's API endpoints over HTTP (Ctrl-C stops).",
        discussion: """
            Routes: POST /v1/endpoints/NAME/predictions, GET /v1/endpoints, GET /v1/endpoints/NAME (all with \
            Authorization: Bearer TOKEN; create tokens with `mlpipe tokens create --endpoint NAME`), GET /health, \
            GET /ready, GET /openapi.json, and GET /metrics with --metrics; the reports at GET / and \
            GET /pipelines/NAME for viewer tokens (`mlpipe tokens create --viewer`; browsers sign in at /login), \
            reloading themselves when a run or a deployment changes what they show. Deployments made by other processes \
            are served within half a second. With --watch-folders, the folder consumers every pipeline declares run \
            in the same process (as `mlpipe watch` runs them; one line per file on stdout).
            """)
    @OptionGroup var options: GlobalOptions
    @Option(help: "The address to listen on.") var host: String = "127.0.0.1"
    @Option(help: "The port to listen on (0: any free port).") var port: Int = 8080
    @Flag(help: "Also run the trigger scheduler in this process (firing lines on stdout).") var scheduler = false
    @Option(help: "With --scheduler: seconds between re-reads of the stored triggers.") var schedulerRefresh: Double = 60
    @Flag(help: "Also run every pipeline's declared folder consumers in this process.") var watchFolders = false
    @Flag(help: "Record request metrics and serve them as Prometheus text at GET /metrics.") var metrics = false
    @Option(help: "The largest request body, in bytes.") var bodyLimit: Int = 10_000_000
    @Option(help: "The most records per prediction request.") var batchLimit: Int = 10_000
    @Option(help: "Seconds a deployment or token read from the store is trusted (at most 1).") var deploymentRefresh: Double = 0.5

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard bodyLimit > 0, batchLimit > 0 else { throw ValidationError("--body-limit and --batch-limit must be positive") }
        guard deploymentRefresh > 0, deploymentRefresh <= 1 else { throw ValidationError("--deployment-refresh must be more than 0 and at most 1 second") }
    }

    func run() async throws {
        let workspace = Workspace(
            store: try await options.openStore(), clock: try AcceleratedClock.fromEnvironment() ?? SystemWallClock(),
            logger: options.logger(), deploymentRefresh: .milliseconds(Int(deploymentRefresh * 1000)))
        var configuration = ServerConfiguration(bodyLimit: bodyLimit, batchLimit: batchLimit)
        if metrics { configuration.metrics = .prometheus(PrometheusCollectorRegistry()) }
        let server = PredictionServer(workspace: workspace, configuration: configuration)

        var services: [any Service] = []
        if scheduler {
            let triggers = try await workspace.triggers()
            var names: [PipelineID: String] = [:]
            for pipeline in try await workspace.pipelines() { names[pipeline.id] = try await pipeline.record().name }
            FileHandle.standardError.write(Data("mlpipe serve: scheduler with \(triggers.count) trigger(s)\n".utf8))
            let printer = FiringPrinter(workspace: workspace, names: names, json: options.json)
            services.append(SchedulerService(workspace: workspace, refresh: schedulerRefresh, printer: printer))
        }
        if watchFolders {
            var watchers: [FolderWatcher] = []
            for pipeline in try await workspace.pipelines() { watchers += try await pipeline.folderWatchers() }
            FileHandle.standardError.write(Data("mlpipe serve: watching \(watchers.count) folder(s)\n".utf8))
            services.append(FolderWatchService(watchers: watchers, printer: FolderEventPrinter(json: options.json)))
        }
        let endpoints = try await workspace.endpoints.list().map(\.name)
        let json = options.json
        try await server.run(host: host, port: port, services: services, logger: accessLogger()) { bound in
            let address = "\(host):\(bound)"
            let line: String
            if json {
                let object: [String: Any] = ["listening": "http://\(address)", "endpoints": endpoints]
                // Strings and a list of strings always serialise; the fallback is never taken.
                let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
                line = String(decoding: data, as: UTF8.self) + "\n"
            } else {
                line = "mlpipe serve: listening on http://\(address) (endpoints: \(endpoints.isEmpty ? "none yet" : endpoints.joined(separator: ", ")))\n"
            }
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        FileHandle.standardError.write(Data("mlpipe serve: stopped\n".utf8))
    }

    /// The access log and the server's messages on stderr: `info` and above (`debug` with --verbose).
    private func accessLogger() -> Logger {
        var logger = Logger(label: "mlpipe.serve") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = options.verbose ? .debug : .info
        return logger
    }
}

/// The trigger scheduler as a service beside the HTTP server: runs until graceful shutdown.
struct SchedulerService: Service {
    let workspace: Workspace
    let refresh: Double
    let printer: FiringPrinter

    func run() async throws {
        let workspace = workspace
        let printer = printer
        let refresh = refresh
        do {
            try await cancelWhenGracefulShutdown {
                try await workspace.runScheduler(refresh: refresh) { report in await printer.print(report) }
            }
        } catch is CancellationError {
            return
        } catch {
            // Keep serving predictions: say why the scheduler stopped, then wait for shutdown.
            workspace.logger.error("mlpipe serve: the scheduler stopped: \(error)")
            try? await gracefulShutdown()  // throws only when cancelled: then the service is stopping anyway
        }
    }
}
