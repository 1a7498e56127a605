import Pipelines

extension SpecReader {
    static let selectionKeys = ["autoDeploy"]
    static let autoDeployKeys = ["criterion", "window"]
    static let criteria = ["bestTestingScore", "bestPredictionTime"]
    static let preferencesKeys = ["description", "tags", "threads", "timeouts"]
    static let jobNames = JobKind.allCases.map(\.rawValue)

    /// `selection`: `{"autoDeploy": {"criterion": "bestTestingScore", "window": "14d"}}`, or
    /// `{"autoDeploy": null}` for manual deployment.
    func selection(_ field: Field) throws(SpecError) -> SelectionStep {
        let object = try field.object(allowed: Self.selectionKeys)
        guard let autoDeploy = object.optional("autoDeploy") else { return SelectionStep() }
        let criterion = try autoDeploy.object(allowed: Self.autoDeployKeys)
        let name = try criterion.required("criterion")
        let kind = try name.string()
        guard Self.criteria.contains(kind) else {
            throw name.error("bad criterion '\(kind)' (expected \(Self.criteria.joined(separator: " or ")))")
        }
        let window = try criterion.required("window").duration()
        return SelectionStep(autoDeploy: kind == "bestTestingScore" ? .bestTestingScore(window: window) : .bestPredictionTime(window: window))
    }

    /// `preferences`: description, tags, threads (one integer or one per job) and timeouts
    /// (one duration or one per job).
    func preferences(_ field: Field) throws(SpecError) -> Preferences {
        let object = try field.object(allowed: Self.preferencesKeys)
        var preferences = Preferences()
        preferences.description = try object.optional("description")?.string() ?? ""
        preferences.tags = try object.optional("tags")?.strings() ?? []
        if let threads = object.optional("threads") {
            switch threads.node.content {
            case .mapping:
                for (job, value) in try byJob(threads) { preferences.threads[job] = try value.integer() }
            case .scalar(.int), .scalar(.float):
                let count = try threads.integer()
                for job in JobKind.allCases { preferences.threads[job] = count }
            default:
                throw threads.typeError(expected: "an integer or an object by job name")
            }
        }
        if let timeouts = object.optional("timeouts") {
            switch timeouts.node.content {
            case .mapping:
                for (job, value) in try byJob(timeouts) { preferences.timeouts[job] = try value.duration() }
            case .scalar(.int), .scalar(.float), .scalar(.string):
                let seconds = try timeouts.duration()
                for job in JobKind.allCases { preferences.timeouts[job] = seconds }
            default:
                throw timeouts.typeError(expected: "a duration or an object by job name")
            }
        }
        return preferences
    }

    /// An object keyed by job name (null values are skipped).
    private func byJob(_ field: Field) throws(SpecError) -> [(JobKind, Field)] {
        try field.object(allowed: Self.jobNames).fields.compactMap { entry in
            guard !entry.field.isNull, let job = JobKind(rawValue: entry.key) else { return nil }
            return (job, entry.field)
        }
    }
}
