import Foundation
import Pipelines
import PipelinesSpec
import Testing

@Suite("Spec files: the deployment section (step 5)")
struct SpecDeploymentTests {
    @Test("consumers map to in-process and endpoint consumers, the same from JSON and YAML")
    func consumers() throws {
        let yaml = minimalYAML + "deployment:\n  consumers: [inProcess, {endpoint: churn}, {endpoint: churn-eu-2}]\n"
        let json = """
            {"repository": "Default", "pipeline": "p", "dataset": {"training": "train.csv", "label": "y"},
             "training": {"estimator": "Ridge"},
             "deployment": {"consumers": ["inProcess", {"endpoint": "churn"}, {"endpoint": "churn-eu-2"}]}}
            """
        let spec = try parse(yaml)
        #expect(try parse(json, .json) == spec)
        #expect(spec.configuration.deployment.consumers == [.inProcess, .endpoint("churn"), .endpoint("churn-eu-2")])
    }

    @Test("absent, empty or null: the default (in-process only); an empty list: no consumer")
    func defaults() throws {
        for text in [minimalYAML, minimalYAML + "deployment:\n", minimalYAML + "deployment: {}\n",
                     minimalYAML + "deployment: {consumers: null}\n"] {
            #expect(try parse(text).configuration.deployment == DeploymentStep(consumers: [.inProcess]), "\(text)")
        }
        #expect(try parse(minimalYAML + "deployment: {consumers: []}\n").configuration.deployment.consumers == [])
    }

    @Test("the step survives a round trip through the configuration's JSON")
    func codableRoundTrip() throws {
        let step = DeploymentStep(consumers: [.inProcess, .endpoint("churn")])
        let data = try JSONEncoder().encode(step)
        #expect(String(decoding: data, as: UTF8.self) == #"{"consumers":["inProcess",{"endpoint":"churn"}]}"#)
        #expect(try JSONDecoder().decode(DeploymentStep.self, from: data) == step)
    }

    @Test("a table consumer: paths relative to the spec file, keys, mapping, pass-through, chunk size, bad-row policy")
    func tableConsumer() throws {
        let yaml = minimalYAML + """
            deployment:
              consumers:
                - inProcess
                - table: {input: in/new.csv, output: /tmp/out.csv, keys: id, columnMapping: {radius: mean_radius},
                          passThrough: [ward], chunkRows: 1000, badRows: fail}
                - table: {input: a.csv, output: b.csv, rejects: bad.csv}

            """
        let spec = try parse(yaml)
        let expected = TableConsumer(
            input: specDirectory.appendingPathComponent("in/new.csv").path, output: "/tmp/out.csv",
            options: BatchOptions(keys: ["id"], columnMapping: ["radius": "mean_radius"], passThrough: ["ward"], chunkRows: 1000, badRows: .fail))
        #expect(spec.configuration.deployment.consumers == [
            .inProcess, .table(expected),
            .table(TableConsumer(input: specDirectory.appendingPathComponent("a.csv").path, output: specDirectory.appendingPathComponent("b.csv").path,
                                 rejects: specDirectory.appendingPathComponent("bad.csv").path)),
        ])
        #expect(expected.rejectsPath == "/tmp/out.rejects.csv")
        let step = spec.configuration.deployment
        #expect(try JSONDecoder().decode(DeploymentStep.self, from: try JSONEncoder().encode(step)) == step)
        let defaults = try JSONDecoder().decode(DeploymentConsumer.self, from: Data(#"{"table": {"input": "a.csv", "output": "b.csv"}}"#.utf8))
        #expect(defaults == .table(TableConsumer(input: "a.csv", output: "b.csv")), "absent options take their defaults")

        expectError(minimalYAML + "deployment: {consumers: [{table: {input: a.csv}}]}\n", path: "deployment.consumers[0].table.output",
                    line: 8, column: 34, reason: "missing required key 'output'")
        expectError(minimalYAML + "deployment: {consumers: [{table: {input: a.csv, output: b.csv, badRows: skip}}]}\n",
                    path: "deployment.consumers[0].table.badRows", line: 8, column: 73, reason: #"expected "reject" or "fail", got 'skip'"#)
        expectError(minimalYAML + "deployment: {consumers: [{table: {input: a.csv, output: b.csv, chunkRows: 0}}]}\n",
                    path: "deployment.consumers[0].table.chunkRows", line: 8, column: 75, reason: "must be at least 1, got 0")
        expectError(minimalYAML + "deployment: {consumers: [{table: {input: a.csv, output: b.csv, folder: x}}]}\n",
                    path: "deployment.consumers[0].table.folder", line: 8, column: 64,
                    reason: "unknown key 'folder' (allowed: input, output, rejects, keys, columnMapping, passThrough, chunkRows, badRows)")
        expectError(minimalYAML + "deployment: {consumers: [{table: {input: a.csv, output: b.csv}, endpoint: e}]}\n",
                    path: "deployment.consumers[0]", line: 8, column: 26, reason: #"a consumer is one of {"endpoint": NAME}, {"table": {…}} or {"folder": {…}}, not endpoint and table"#)
    }

    @Test("a folder consumer: folders relative to the spec file, timings, batch options; bad values at their key path")
    func folderConsumer() throws {
        let yaml = minimalYAML + """
            deployment:
              consumers:
                - folder: {input: inbox, output: /srv/outbox, failed: broken, settleSeconds: 0.5, pollSeconds: 3,
                           keys: [id], columnMapping: {radius: mean_radius}, badRows: fail}
                - folder: {input: a, output: b}

            """
        let spec = try parse(yaml)
        var expected = FolderConsumer(
            input: specDirectory.appendingPathComponent("inbox").path, output: "/srv/outbox", settleSeconds: 0.5, pollSeconds: 3,
            options: BatchOptions(keys: ["id"], columnMapping: ["radius": "mean_radius"], badRows: .fail))
        expected.failed = specDirectory.appendingPathComponent("broken").path
        #expect(spec.configuration.deployment.consumers == [
            .folder(expected),
            .folder(FolderConsumer(input: specDirectory.appendingPathComponent("a").path, output: specDirectory.appendingPathComponent("b").path)),
        ])
        let folders = expected.folders(relativeTo: URL(fileURLWithPath: "/elsewhere"))
        #expect(folders.processed.path == specDirectory.appendingPathComponent("inbox/processed").path, "processed/ inside the input by default")
        #expect(folders.rejects.path == "/srv/outbox/rejects", "rejects/ inside the output by default")
        let step = spec.configuration.deployment
        #expect(try JSONDecoder().decode(DeploymentStep.self, from: try JSONEncoder().encode(step)) == step)
        let defaults = try JSONDecoder().decode(DeploymentConsumer.self, from: Data(#"{"folder": {"input": "a", "output": "b"}}"#.utf8))
        #expect(defaults == .folder(FolderConsumer(input: "a", output: "b")), "absent settings take their defaults")

        expectError(minimalYAML + "deployment: {consumers: [{folder: {input: a}}]}\n", path: "deployment.consumers[0].folder.output",
                    line: 8, column: 35, reason: "missing required key 'output'")
        expectError(minimalYAML + "deployment: {consumers: [{folder: {input: a, output: b, pollSeconds: 0}}]}\n",
                    path: "deployment.consumers[0].folder.pollSeconds", line: 8, column: 70, reason: "must be a positive number of seconds, got 0.0")
        expectError(minimalYAML + "deployment: {consumers: [{folder: {input: a, output: b, settleSeconds: -1}}]}\n",
                    path: "deployment.consumers[0].folder.settleSeconds", line: 8, column: 72,
                    reason: "must be zero or a positive number of seconds, got -1.0")
        expectError(minimalYAML + "deployment: {consumers: [{folder: {input: a, output: b}, table: {input: c, output: d}}]}\n",
                    path: "deployment.consumers[0]", line: 8, column: 26,
                    reason: #"a consumer is one of {"endpoint": NAME}, {"table": {…}} or {"folder": {…}}, not table and folder"#)
    }

    @Test("bad consumers fail at their key path, line and column")
    func errors() {
        let nameRule = "may hold only lowercase letters, digits and '-', and must not start with '-'"
        expectError(minimalYAML + "deployment:\n  consumers: [inProcess, {endpoint: Churn}]\n", path: "deployment.consumers[1].endpoint",
                    line: 9, column: 37, reason: "endpoint name 'Churn' \(nameRule)")
        expectError(minimalYAML + "deployment: {consumers: [http]}\n", path: "deployment.consumers[0]", line: 8, column: 26,
                    reason: #"unknown consumer 'http' (expected "inProcess", {"endpoint": NAME}, {"table": {…}} or {"folder": {…}})"#)
        expectError(minimalYAML + "deployment: {consumers: [{endpoint: a}, {endpoint: a}]}\n", path: "deployment.consumers[1].endpoint",
                    line: 8, column: 52, reason: "endpoint 'a' is listed twice")
        expectError(minimalYAML + "deployment: {consumers: [{endpoint: a, name: b}]}\n", path: "deployment.consumers[0].name",
                    line: 8, column: 40, reason: "unknown key 'name' (allowed: endpoint, table, folder)")
        expectError(minimalYAML + "deployment: {consumers: inProcess}\n", path: "deployment.consumers", line: 8, column: 25,
                    reason: "expected an array, got a string")
        expectError(minimalYAML + "deployment: {consumers: [5]}\n", path: "deployment.consumers[0]", line: 8, column: 26,
                    reason: #"expected "inProcess" or an object {"endpoint": NAME}, {"table": {…}} or {"folder": {…}}, got a number"#)
        expectError(minimalYAML + "deployment: {endpoints: [a]}\n", path: "deployment.endpoints", line: 8, column: 14,
                    reason: "unknown key 'endpoints' (allowed: consumers)")
        expectError(minimalYAML + "deployment: {consumers: [{endpoint: 5}]}\n", path: "deployment.consumers[0].endpoint", line: 8,
                    column: 37, reason: "expected a string, got a number")
        expectError(minimalYAML + "deployment: {consumers: [{}]}\n", path: "deployment.consumers[0].endpoint", line: 8,
                    column: 26, reason: "missing required key 'endpoint'")
        let json = #"{"repository": "R", "pipeline": "p", "dataset": {"training": "t.csv", "label": "y"}, "training": {"estimator": "Ridge"}, "#
            + #""deployment": {"consumers": ["inProcess", {"endpoint": "-x"}]}}"#
        expectError(json, .json, path: "deployment.consumers[1].endpoint", line: 1, column: 177, reason: "endpoint name '-x' \(nameRule)")
        let long = String(repeating: "a", count: 64)
        expectError(minimalYAML + "deployment: {consumers: [{endpoint: \(long)}]}\n", path: "deployment.consumers[0].endpoint", line: 8,
                    column: 37, reason: "endpoint name '\(long)' must have 1 to 63 characters")
    }
}
