import ArgumentParser
import Foundation
import Pipelines

extension ScopeOwner {
    /// As `endpoints list --json` shows it.
    var object: [String: Any] {
        var object: [String: Any] = ["kind": kind.rawValue, "name": name, "id": id]
        if let repository { object["repository"] = repository }
        return object
    }

    /// As the `endpoints list` table shows it.
    var text: String { "\(kind.rawValue) \(name)" }
}

/// `mlpipe endpoints list`.
struct EndpointsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoints", abstract: "The store's API endpoints: who holds each, which model it serves.",
        discussion: """
            A pipeline declares an endpoint in its spec (deployment: {consumers: [inProcess, {endpoint: NAME}]}); \
            a standalone model line with `mlpipe models endpoint LINE --set NAME`. Names are unique across the \
            store. `mlpipe serve` serves them; `mlpipe tokens` manages who may call them.
            """,
        subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every endpoint, by name.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let workspace = try await options.workspace()
            let endpoints = workspace.endpoints
            var rows: [(record: EndpointRecord, owner: ScopeOwner, model: ModelRecord?, tokens: Int)] = []
            let now = workspace.clock.now
            for record in try await endpoints.list() {
                let endpoint = try await endpoints.endpoint(named: record.name)
                let model = try await endpoint.deployment.current()
                let active = try await endpoints.tokens(for: record.name).filter { $0.isValid(at: now) }.count
                rows.append((record, try await workspace.owner(of: record.scope), model, active))
            }
            if options.json {
                try printJSON(rows.map { row -> [String: Any] in
                    ["name": row.record.name, "owner": row.owner.object,
                     "model": row.model.map { $0.id.rawValue as Any } ?? NSNull(),
                     "version": row.model.map { $0.version as Any } ?? NSNull(),
                     "activeTokens": row.tokens,
                     "createdAt": ISO8601DateFormatter().string(from: row.record.createdAt)]
                })
            } else if rows.isEmpty {
                print("no endpoints (declare one in a pipeline's spec: deployment: {consumers: [{endpoint: NAME}]})")
            } else {
                print(renderTable(["endpoint", "owner", "model", "version", "active tokens"], rows.map { row in
                    [row.record.name, row.owner.text, row.model.map { String($0.id.rawValue.prefix(8)) } ?? "(none)",
                     row.model.map { String($0.version) } ?? "-", String(row.tokens)]
                }))
            }
        }
    }
}

extension ModelsCommand {
    /// `mlpipe models endpoint LINE [--set NAME]... [--clear]`.
    struct Endpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set the API endpoints of a standalone model line.",
            discussion: """
                --set makes the given names exactly the line's endpoints (repeat it for several); names it \
                no longer lists are freed with their tokens. --clear frees them all. Without either, shows them.
                """)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The model line's name (as given to `models import --name`).") var line: String
        @Option(name: .customLong("set"), help: ArgumentHelp("An endpoint name for the line.", valueName: "name"))
        var names: [String] = []
        @Flag(help: "Free every endpoint of the line (and delete their tokens).") var clear = false

        func validate() throws {
            if clear && !names.isEmpty { throw ValidationError("give either --set NAME or --clear, not both") }
        }

        func run() async throws {
            let workspace = try await options.workspace()
            let handle = try await workspace.registry.line(named: line)
            if clear || !names.isEmpty { try await handle.setEndpoints(Set(names)) }
            let held = try await handle.endpoints().map(\.name)
            if options.json {
                try printJSON(["line": handle.name, "id": handle.id.rawValue, "endpoints": held])
            } else if held.isEmpty {
                print("model line '\(handle.name)' has no endpoint")
            } else {
                print("model line '\(handle.name)' serves endpoint\(held.count == 1 ? "" : "s") \(held.joined(separator: ", "))")
            }
        }
    }
}
