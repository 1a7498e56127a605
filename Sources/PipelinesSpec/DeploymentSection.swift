import Pipelines

extension SpecReader {
    static let consumerKeys = ["endpoint"]
    static let deploymentKeys = ["consumers"]

    /// `deployment`: `{"consumers": ["inProcess", {"endpoint": "churn"}]}` — each consumer
    /// is `"inProcess"` or `{"endpoint": NAME}`, a name following ``Pipelines/EndpointName``
    /// and listed once. Whether another pipeline holds the name is checked when the
    /// configuration is saved (`Pipeline.configure(_:)`, at the same key path).
    func deployment(_ field: Field) throws(SpecError) -> DeploymentStep {
        let object = try field.object(allowed: Self.deploymentKeys)
        guard let list = object.optional("consumers") else { return DeploymentStep() }
        var consumers: [DeploymentConsumer] = []
        var named: Set<String> = []
        for element in try list.array() {
            switch element.node.content {
            case .scalar(.string(let kind)):
                guard kind == "inProcess" else {
                    throw element.error("unknown consumer '\(kind)' (expected \"inProcess\" or {\"endpoint\": NAME})")
                }
                consumers.append(.inProcess)
            case .mapping:
                let name = try element.object(allowed: Self.consumerKeys).required("endpoint")
                let text = try name.string()
                if let problem = EndpointName.problem(text) { throw name.error(problem) }
                guard named.insert(text).inserted else { throw name.error("endpoint '\(text)' is listed twice") }
                consumers.append(.endpoint(text))
            default:
                throw element.typeError(expected: "\"inProcess\" or an object {\"endpoint\": NAME}")
            }
        }
        return DeploymentStep(consumers: consumers)
    }
}
