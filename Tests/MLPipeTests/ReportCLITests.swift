import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `mlpipe report` on the quickstart's store, as Documentation/Reports.md runs it.
@Suite("mlpipe report")
struct ReportCLITests {
    @Test("the quickstart's report: one HTML file with the models table and the charts the docs name; --json; the registry; errors")
    func quickstartReport() async throws {
        try await withExample { directory in
            let run = try await mlpipe(["run", "--spec", "spec.json"], in: directory)
            #expect(run.status == 0, "\(run.stderr)")

            let report = try await mlpipe(["report", "--pipeline", "breast-cancer", "--output", "report.html"], in: directory)
            #expect(report.status == 0, "\(report.stderr)")
            #expect(report.stderr.contains("1 model(s), diagnostics of version 1 (deployed)"), "\(report.stderr)")
            let html = try String(contentsOf: directory.appendingPathComponent("report.html"), encoding: .utf8)
            #expect(html.contains("data-model-count=\"1\""))
            for chart in ["score-history", "confusion-matrix", "roc", "precision-recall", "feature-importances", "deployments", "runs"] {
                #expect(html.contains("data-chart=\"\(chart)\""), "chart \(chart)")
            }
            #expect(!html.contains("<script"), "a file report has no script")
            #expect(!html.contains("http://") && !html.contains("https://"), "nor any network reference")

            let json = try await mlpipe(["report", "--pipeline", "breast-cancer", "--output", "-", "--json"], in: directory)
            #expect(json.status == 0, "\(json.stderr)")
            let object = try #require(try json.json() as? [String: Any])
            #expect((object["models"] as? [[String: Any]])?.count == 1)
            let diagnostics = try #require(object["diagnostics"] as? [String: Any])
            #expect(diagnostics["reason"] as? String == "deployed")
            let importances = try #require(diagnostics["importances"] as? [String: Any])
            #expect(importances["kind"] as? String == "impurity")
            #expect((importances["features"] as? [String])?.count == 27, "the 30 breast cancer features but the 3 the spec excludes")

            let registry = try await mlpipe(["report", "--output", "registry.html"], in: directory)
            #expect(registry.status == 0, "\(registry.stderr)")
            #expect(registry.stderr.contains("1 pipeline(s), 1 model(s)"), "\(registry.stderr)")

            let unknown = try await mlpipe(["report", "--pipeline", "nope", "--output", "x.html"], in: directory)
            #expect(unknown.status == 1 && unknown.stderr.contains("nope"), "\(unknown.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("x.html").path), "nothing written")
            #expect(try await mlpipe(["report", "--repository", "Default", "--output", "x.html"], in: directory).status == 2)
        }
    }

    @Test("`mlpipe serve` shows the reports to a viewer token from `mlpipe tokens create --viewer`, and refuses endpoint tokens")
    func servedReport() async throws {
        try await withExample { directory in
            #expect(try await mlpipe(["run", "--spec", "spec.json"], in: directory).status == 0)
            let created = try await mlpipe(["tokens", "create", "--viewer", "--label", "dashboard", "--json"], in: directory)
            #expect(created.status == 0, "\(created.stderr)")
            let token = try #require(try created.json() as? [String: Any])
            #expect(token["viewer"] as? Bool == true && token["endpoint"] is NSNull)
            let viewer = try #require(token["secret"] as? String)
            let endpointToken = try #require(
                try await mlpipe(["tokens", "create", "--endpoint", "breast-cancer", "--json"], in: directory).json() as? [String: Any])["secret"] as? String
            let listed = try await mlpipe(["tokens", "list"], in: directory)
            #expect(listed.stdout.contains("(viewer)"), "\(listed.stdout)")
            #expect(try await mlpipe(["tokens", "create", "--viewer", "--endpoint", "breast-cancer"], in: directory).status == 2)

            let server = try await ServeProcess.start([], in: directory)
            defer { server.process.terminate() }
            for path in ["/", "/pipelines/breast-cancer"] {
                let page = try await Self.page(server.url + path, token: viewer)
                #expect(page.status == 200, "\(path)")
                #expect(page.text.contains("breast-cancer") && page.text.contains("data-model-count=\"1\""), "\(path)")
                #expect(try await Self.page(server.url + path, token: endpointToken).status == 401, "\(path) with an endpoint token")
                #expect(try await Self.page(server.url + path, token: nil).status == 401, "\(path) without a token")
            }
        }
    }

    /// A page's status and text.
    static func page(_ url: String, token: String?) async throws -> (status: Int, text: String) {
        var request = URLRequest(url: try #require(URL(string: url)))
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
