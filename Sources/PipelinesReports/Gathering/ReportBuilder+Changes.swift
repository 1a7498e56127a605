import Crypto
import Foundation
public import Pipelines

/// The stamps a served page is drawn at and its event stream polls: one rule
/// (``ReportBuilder/pipelineDigest(runs:models:deployed:)`` and
/// ``ReportBuilder/registryDigest(pipelines:models:tested:deployed:)``), fed either by cheap
/// store reads or by the report a page was drawn from — so the page's stamp is exactly what
/// it shows, and no page load reads the store twice.
extension ReportBuilder {
    /// A value that changes whenever the registry report would: a model saved, tested,
    /// rejected or erased anywhere, a pipeline added or deleted, any deployment changed —
    /// the SHA-256 (hex) of what it is made of, so the same in every process over the store.
    /// Cheap to read (two counts, the deployed models and the pipelines), so a live page can
    /// poll it.
    ///
    /// - Throws: ``PipelineError/store(_:)`` when the store fails.
    public func registryStamp() async throws(PipelineError) -> String {
        let registry = workspace.registry
        let all = try await registry.models(ModelFilter(), offset: 0, limit: 1)
        let tested = try await registry.models(ModelFilter(statuses: [.tested, .rejected]), offset: 0, limit: 1)
        var deployed: [String] = []
        while true {
            let page = try await registry.models(.deployedOnly, offset: deployed.count, limit: 500)
            deployed += page.models.map(\.id.rawValue)
            if page.models.isEmpty || deployed.count >= page.total { break }
        }
        let pipelines = try await workspace.pipelines().count
        return Self.registryDigest(pipelines: pipelines, models: all.total, tested: tested.total, deployed: deployed)
    }

    /// ``registryStamp()`` of the store `report` was gathered from, at that moment.
    public static func stamp(of report: RegistryReport) -> String {
        registryDigest(
            pipelines: report.pipelines.count, models: report.models.count,
            tested: report.models.filter { $0.status == ModelStatus.tested.rawValue || $0.status == ModelStatus.rejected.rawValue }.count,
            deployed: report.models.filter(\.deployed).map(\.id))
    }

    /// A value that changes whenever `pipeline`'s report would: a run started or ended, a
    /// model saved, tested or erased, a deployment changed (a SHA-256, as ``registryStamp()``).
    ///
    /// - Throws: ``PipelineError`` when the store fails or the pipeline was deleted.
    public func stamp(of pipeline: Pipeline) async throws(PipelineError) -> String {
        let runs = try await pipeline.runs()
        let models = try await pipeline.models()
        let deployed = try await pipeline.deployment.current()?.id.rawValue
        return Self.pipelineDigest(
            runs: runs.map { ($0.id.rawValue, $0.status.rawValue, $0.startedAt) }, models: models.map { ($0.id.rawValue, $0.status.rawValue) },
            deployed: deployed)
    }

    /// ``stamp(of:)-(Pipeline)`` of the pipeline `report` was gathered from, at that moment.
    public static func stamp(of report: PipelineReport) -> String {
        pipelineDigest(
            runs: report.runs.map { ($0.id, $0.status, $0.startedAt) }, models: report.models.map { ($0.id, $0.status) },
            deployed: report.models.first(where: \.deployed)?.id)
    }

    /// The one rule of a pipeline's stamp: how many runs, the latest run and its status, the
    /// deployed model, every model and its status.
    static func pipelineDigest(runs: [(id: String, status: String, startedAt: Date)], models: [(id: String, status: String)], deployed: String?)
        -> String
    {
        let latest = runs.max { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
        return digest("\(runs.count) \(latest.map { "\($0.id) \($0.status)" } ?? "-") \(deployed ?? "-") "
            + models.map { "\($0.id):\($0.status)" }.sorted().joined(separator: ","))
    }

    /// The one rule of the registry's stamp: pipelines, models, tested or rejected models, and
    /// the deployed models.
    static func registryDigest(pipelines: Int, models: Int, tested: Int, deployed: [String]) -> String {
        digest("\(pipelines) \(models) \(tested) " + deployed.sorted().joined(separator: ","))
    }

    /// The SHA-256 of `text`'s UTF-8 bytes, in hex: short enough for a URL.
    static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }
}
