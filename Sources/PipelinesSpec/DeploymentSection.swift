import Pipelines

extension SpecReader {
    static let consumerKeys = ["endpoint", "table", "folder"]
    static let deploymentKeys = ["consumers"]
    static let batchOptionKeys = ["keys", "columnMapping", "passThrough", "chunkRows", "badRows"]
    static let tableKeys = ["input", "output", "rejects"] + batchOptionKeys
    static let folderKeys = ["input", "output", "rejects", "processed", "failed", "settleSeconds", "pollSeconds"] + batchOptionKeys

    /// `deployment`: `{"consumers": ["inProcess", {"endpoint": "churn"}, {"table": {…}}, {"folder": {…}}]}` —
    /// each consumer is `"inProcess"`, `{"endpoint": NAME}` (a name following
    /// ``Pipelines/EndpointName`` and listed once; whether another pipeline holds it is
    /// checked when the configuration is saved, at the same key path), a table consumer
    /// (``table(_:)``) or a folder consumer (``folder(_:)``).
    func deployment(_ field: Field) throws(SpecError) -> DeploymentStep {
        let object = try field.object(allowed: Self.deploymentKeys)
        guard let list = object.optional("consumers") else { return DeploymentStep() }
        var consumers: [DeploymentConsumer] = []
        var named: Set<String> = []
        for element in try list.array() {
            switch element.node.content {
            case .scalar(.string(let kind)):
                guard kind == "inProcess" else {
                    throw element.error("unknown consumer '\(kind)' (expected \"inProcess\", {\"endpoint\": NAME}, {\"table\": {…}} or {\"folder\": {…}})")
                }
                consumers.append(.inProcess)
            case .mapping:
                let consumer = try element.object(allowed: Self.consumerKeys)
                let kinds = Self.consumerKeys.filter(consumer.contains)
                guard kinds.count <= 1 else {
                    throw element.error("a consumer is one of {\"endpoint\": NAME}, {\"table\": {…}} or {\"folder\": {…}}, not \(kinds.joined(separator: " and "))")
                }
                if consumer.contains("table") {
                    consumers.append(.table(try table(try consumer.required("table"))))
                    continue
                }
                if consumer.contains("folder") {
                    consumers.append(.folder(try folder(try consumer.required("folder"))))
                    continue
                }
                let name = try consumer.required("endpoint")
                let text = try name.string()
                if let problem = EndpointName.problem(text) { throw name.error(problem) }
                guard named.insert(text).inserted else { throw name.error("endpoint '\(text)' is listed twice") }
                consumers.append(.endpoint(text))
            default:
                throw element.typeError(expected: "\"inProcess\" or an object {\"endpoint\": NAME}, {\"table\": {…}} or {\"folder\": {…}}")
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
        var rejects: String?
        if let field = object.optional("rejects") { rejects = try path(field) }
        return TableConsumer(
            input: try path(try object.required("input")), output: try path(try object.required("output")), rejects: rejects,
            options: try batchOptions(object))
    }

    /// A folder consumer: `{"input": FOLDER, "output": FOLDER, "rejects"?: FOLDER,
    /// "processed"?: FOLDER, "failed"?: FOLDER, "settleSeconds"?: S, "pollSeconds"?: S}` and
    /// the batch options of a table consumer; folders relative to the spec file, the rest
    /// checked with the configuration (at `deployment.consumers[i].folder.KEY`).
    func folder(_ field: Field) throws(SpecError) -> FolderConsumer {
        let object = try field.object(allowed: Self.folderKeys)
        var consumer = FolderConsumer(
            input: try path(try object.required("input")), output: try path(try object.required("output")),
            options: try batchOptions(object))
        if let field = object.optional("rejects") { consumer.rejects = try path(field) }
        if let field = object.optional("processed") { consumer.processed = try path(field) }
        if let field = object.optional("failed") { consumer.failed = try path(field) }
        if let field = object.optional("settleSeconds") {
            consumer.settleSeconds = try field.number()
            guard consumer.settleSeconds >= 0 else { throw field.error("must be zero or a positive number of seconds, got \(consumer.settleSeconds)") }
        }
        if let field = object.optional("pollSeconds") {
            consumer.pollSeconds = try field.number()
            guard consumer.pollSeconds > 0 else { throw field.error("must be a positive number of seconds, got \(consumer.pollSeconds)") }
        }
        return consumer
    }

    /// A path relative to the spec file (as the dataset's sources), or absolute.
    private func path(_ field: Field) throws(SpecError) -> String {
        let text = try field.nonEmptyString()
        return text.hasPrefix("/") ? text : baseDirectory.appendingPathComponent(text).path
    }

    /// The batch options of a table or folder consumer (each key optional).
    private func batchOptions(_ object: ObjectField) throws(SpecError) -> BatchOptions {
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
        return options
    }
}
