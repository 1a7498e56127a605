import ArgumentParser
import Foundation
import Pipelines
import PipelinesSpec

/// `mlpipe tokens create|list|revoke`.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Tokens that let callers use an API endpoint, or view reports: create, list, revoke.",
        discussion: """
            A caller sends the secret as `Authorization: Bearer SECRET`. The store keeps only a salted \
            SHA-256 of it: the secret is printed once, by `tokens create`, and cannot be shown again. \
            A viewer token (`tokens create --viewer`) opens the reports `mlpipe serve` shows, and no endpoint.
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token for an endpoint (or a viewer token, for reports) and print its secret (once).")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The endpoint the token opens.") var endpoint: String?
        @Flag(help: "A viewer token: it opens the reports `mlpipe serve` shows (read-only), and no endpoint.") var viewer = false
        @Option(help: "Who holds it, for people (\"billing service\").") var label: String = ""
        @Option(help: ArgumentHelp("How long it works: 30d, 12h, 1h30m, 45s (never expires when absent).", valueName: "duration"))
        var expiresIn: String?

        /// `--expires-in` in seconds.
        func lifetime() throws -> TimeInterval? {
            guard let expiresIn else { return nil }
            guard let seconds = SpecDuration.seconds(expiresIn), seconds > 0, seconds.isFinite else {
                throw ValidationError("--expires-in: bad duration '\(expiresIn)': expected a positive number with a unit d, h, m or s (30d, 12h, 1h30m)")
            }
            return seconds
        }

        func validate() throws {
            guard (endpoint == nil) == viewer else { throw ValidationError("give --endpoint NAME or --viewer (one of the two)") }
            _ = try lifetime()
        }

        func run() async throws {
            let workspace = try await options.workspace()
            let expiresAt = try lifetime().map { workspace.clock.now.addingTimeInterval($0) }
            let issued: IssuedToken
            do {
                if let endpoint {
                    issued = try await workspace.endpoints.createToken(for: endpoint, label: label, expiresAt: expiresAt)
                } else {
                    issued = try await workspace.endpoints.createViewerToken(label: label, expiresAt: expiresAt)
                }
            } catch {
                guard case .notFound(.endpoint) = error else { throw error }
                throw CommandFailure("no endpoint named '\(endpoint ?? "")' (see `mlpipe endpoints list`)")
            }
            if options.json {
                var object = tokenObject(issued.record, at: workspace.clock.now)
                object["secret"] = issued.secret
                try printJSON(object)
            } else {
                let expiry = expiresAt.map { ", expires \(ISO8601DateFormatter().string(from: $0))" } ?? ", never expires"
                let what = issued.record.endpoint.map { "token \(issued.record.id) for endpoint '\($0)'" } ?? "viewer token \(issued.record.id)"
                print("created \(what)\(expiry)")
                print("secret: \(issued.secret)")
            }
            FileHandle.standardError.write(Data(
                "warning: copy the secret now: it is shown this once and not stored (only a salted hash is kept)\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets), oldest first.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Only the tokens of this endpoint.") var endpoint: String?

        func run() async throws {
            let workspace = try await options.workspace()
            if let endpoint { _ = try await workspace.endpoints.endpoint(named: endpoint) }  // an unknown name fails
            let tokens = try await workspace.endpoints.tokens(for: endpoint)
            let now = workspace.clock.now
            if options.json {
                try printJSON(tokens.map { tokenObject($0, at: now) })
            } else if tokens.isEmpty {
                print(endpoint.map { "endpoint '\($0)' has no tokens" } ?? "no tokens")
            } else {
                let formatter = ISO8601DateFormatter()
                print(renderTable(["token", "endpoint", "label", "created", "expires", "status"], tokens.map { token in
                    [token.id.rawValue, token.endpoint ?? "(viewer)", token.label, formatter.string(from: token.createdAt),
                     token.expiresAt.map { formatter.string(from: $0) } ?? "never", tokenStatus(token, at: now)]
                }))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token: it stops working at once here, within a second in running servers.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The token id (or a unique prefix).") var id: String

        func run() async throws {
            let workspace = try await options.workspace()
            let tokens = try await workspace.endpoints.tokens()
            let exact = tokens.filter { $0.id.rawValue == id }
            let matches = exact.isEmpty ? tokens.filter { $0.id.rawValue.hasPrefix(id.lowercased()) } : exact
            guard let token = matches.first else { throw CommandFailure("no token with id '\(id)'") }
            guard matches.count == 1 else { throw CommandFailure("'\(id)' matches \(matches.count) tokens: give more of the id") }
            let revoked = try await workspace.endpoints.revokeToken(token.id)
            if options.json {
                try printJSON(tokenObject(revoked, at: workspace.clock.now))
            } else if let earlier = token.revokedAt {
                print("token \(token.id) was revoked already, at \(ISO8601DateFormatter().string(from: earlier))")
            } else {
                print("revoked " + (token.endpoint.map { "token \(token.id) of endpoint '\($0)'" } ?? "viewer token \(token.id)"))
            }
        }
    }
}

/// `active`, `revoked` or `expired` at `date`.
func tokenStatus(_ token: TokenRecord, at date: Date) -> String {
    if token.revokedAt != nil { return "revoked" }
    return token.isValid(at: date) ? "active" : "expired"
}

/// The token object of `--json` outputs (never the secret, nor its hash).
func tokenObject(_ token: TokenRecord, at date: Date) -> [String: Any] {
    let formatter = ISO8601DateFormatter()
    return [
        "id": token.id.rawValue, "endpoint": token.endpoint.map { $0 as Any } ?? NSNull(), "viewer": token.isViewer, "label": token.label,
        "createdAt": formatter.string(from: token.createdAt),
        "expiresAt": token.expiresAt.map { formatter.string(from: $0) as Any } ?? NSNull(),
        "revokedAt": token.revokedAt.map { formatter.string(from: $0) as Any } ?? NSNull(),
        "status": tokenStatus(token, at: date),
    ]
}
