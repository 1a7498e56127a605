import Pipelines

extension SpecReader {
    static let consumerKeys = ["endpoint", "table"]
    static let deploymentKeys = ["consumers"]
    static let tableKeys = ["input", "output", "rejects", "keys", "columnMapping", "passThrough", "chunkRows", "badRows"]

    /// `deployment`: `{"consumers": ["inProcess", {"endpoint": "churn"}, {"table": {…}}]}` —
    /// each consumer is `"inProcess"`, `{"endpoint": NAME}` (a name following
    /// ``Pipelines/EndpointName`` and listed once; whether another pipeline holds it is
    /// checked when the configuration is saved, at the same key path) or a table consumer
    /// (``table(_:)``).
    func deployment(_ field: Field) throws(SpecError) -> DeploymentStep {
        let object = try field.object(allowed: Self.deploymentKeys)
        guard let list = object.optional("consumers") else { return DeploymentStep() }
        var consumers: [DeploymentConsumer] = []
        var named: Set<String> = []
        for element in try list.array() {
            switch element.node.content {
            case .scalar(.string(let kind)):
                guard kind == "inProcess" else {
                    throw element.error("unknown consumer '\(kind)' (expected \"inProcess\", {\"endpoint\": NAME} or {\"table\": {…}})")
                }
                consumers.append(.inProcess)
            case .mapping:
                let consumer = try element.object(allowed: Self.consumerKeys)
                if consumer.contains("table") {
                    guard !consumer.contains("endpoint") else { throw element.error("a consumer is an endpoint or a table, not both") }
                    consumers.append(.table(try table(try consumer.required("table"))))
                    continue
                }
                let name = try consumer.required("endpoint")
                let text = try name.string()
                if let problem = EndpointName.problem(text) { throw name.error(problem) }
                guard named.insert(text).inserted else { throw name.error("endpoint '\(text)' is listed twice") }
                consumers.append(.endpoint(text))
            default:
                throw element.typeError(expected: "\"inProcess\" or an object {\"endpoint\": NAME} or {\"table\": {…}}")
            }
        }
        return DeploymentStep(consumers: consumers)
    }

    /// A table consumer: `{"input": CSV, "output": CSV, "rejects"?: CSV, "keys"?: [COLUMN],
    /// "columnMapping"?: {INPUT: FEATURE}, "passThrough"?: [COLUMN], "chunkRows"?: N,
    /// "badRows"?: "reject" | "fail"}`, paths relative to the spec file; the rest is checked
    /// with the configuration (at `deployment.consumers[i].table.KEY`).
    func table(_ field: Field) throws(SpecError) -> TableConsumer {
        let object = try field.object(allowed: Self.tableKeys)
        var options = BatchOptions()
        if let keys = object.optional("keys") { options.keys = try keys.oneOrMoreStrings() }
        if let passThrough = object.optional("passThrough") { options.passThrough = try passThrough.oneOrMoreStrings() }
        if let mapping = object.optional("columnMapping") {
            for (input, feature) in try mapping.object(allowed: nil).fields { options.columnMapping[input] = try feature.nonEmptyString() }
        }
        if let chunkRows = object.optional("chunkRows") {
            options.chunkRows = try chunkRows.integer()
            guard options.chunkRows >= 1 else { throw chunkRows.error("must be at least 1, got \(options.chunkRows)") }
        }
        if let badRows = object.optional("badRows") {
            let text = try badRows.string()
            guard let policy = BadRowPolicy(rawValue: text) else { throw badRows.error("expected \"reject\" or \"fail\", got '\(text)'") }
            options.badRows = policy
        }
        // Paths relative to the spec file, as the dataset's sources.
        func path(_ field: Field) throws(SpecError) -> String {
            let text = try field.nonEmptyString()
            return text.hasPrefix("/") ? text : baseDirectory.appendingPathComponent(text).path
        }
        var rejects: String?
        if let field = object.optional("rejects") { rejects = try path(field) }
        return TableConsumer(
            input: try path(try object.required("input")), output: try path(try object.required("output")), rejects: rejects,
            options: options)
    }
}
