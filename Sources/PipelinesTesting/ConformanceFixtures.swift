import Estimators
import Foundation
import Pipelines
import Tabular

/// Deterministic records for the checks: UUID-shaped identifiers (a store may keep them in
/// UUID columns), dates with sub-millisecond fractions (so rounding shows), and values that
/// catch lossy encodings (`1.0` as a double, all 256 byte values in blobs, non-ASCII text).
enum Fixture {
    /// 2026-01-01T00:00:00.1234567Z: the origin of record dates.
    static let epoch = Date(timeIntervalSinceReferenceDate: 788_918_400.123_456_7)
    /// 2026-01-02T00:00:00.9876543Z: where each check's store clock starts.
    static let clockStart = Date(timeIntervalSinceReferenceDate: 788_918_400 + 86_400.987_654_3)

    /// `epoch` + `seconds`.
    static func date(_ seconds: TimeInterval) -> Date { epoch.addingTimeInterval(seconds) }

    // MARK: Identifiers

    private static func uuid(_ prefix: String, _ number: Int) -> String {
        let digits = String(number)
        return "\(prefix)0000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    static func repositoryID(_ number: Int) -> RepositoryID { RepositoryID(uuid("a", number)) }
    static func pipelineID(_ number: Int) -> PipelineID { PipelineID(uuid("b", number)) }
    static func modelID(_ number: Int) -> ModelID { ModelID(uuid("c", number)) }
    static func runID(_ number: Int) -> RunID { RunID(uuid("d", number)) }
    static func triggerID(_ number: Int) -> TriggerID { TriggerID(uuid("e", number)) }

    // MARK: Repositories and pipelines

    static func repository(_ number: Int, name: String, git: Bool = false) -> RepositoryRecord {
        RepositoryRecord(
            id: repositoryID(number), name: name, description: "Repository \(name) — «données» \(number)",
            git: git ? GitConnection(workingTree: URL(fileURLWithPath: "/srv/ml/\(name)", isDirectory: true),
                                     subdirectory: "ml/pipelines", executable: "/usr/bin/git") : nil,
            createdAt: date(Double(number)), updatedAt: date(Double(number) + 0.5))
    }

    static func pipeline(_ number: Int, in repository: RepositoryID, name: String) -> PipelineRecord {
        PipelineRecord(id: pipelineID(number), repositoryID: repository, name: name,
                       createdAt: date(100 + Double(number)))
    }

    /// A configuration using every step, different for each version.
    static func configuration(of pipeline: PipelineID, version: Int, savedAt: Date? = nil) -> ConfigurationRecord {
        let configuration = PipelineConfiguration(
            dataset: DatasetStep(
                training: .csv(path: "data/train-v\(version).csv"), testing: .csv(path: "data/test.csv"),
                split: RandomSplit(testFraction: 0.15, seed: 27_062_020), label: "churned",
                features: .all(excluding: ["customer_id"]), keys: ["customer_id", "month"]),
            training: TrainingStep(
                estimator: "RandomForestClassifier", validation: .kFold(folds: 5, seed: UInt64(version)),
                scores: [ScoreSetting("accuracy", threshold: 0.8, primary: true), ScoreSetting("f1", threshold: nil)]),
            tuning: TuningStep([
                "max_depth": .multiple([.int(5), .int(7 + version), .none]), "criterion": .single(.string("gini")),
                "bootstrap": .single(.bool(true)), "max_features": .single(.double(1.0)),
            ]),
            selection: SelectionStep(autoDeploy: .bestTestingScore(window: 0.01)),
            deployment: DeploymentStep(consumers: [.inProcess]),
            preferences: Preferences(description: "version \(version) — été", tags: ["churn", "β"],
                                     timeouts: [.training: 3_600.5, .testing: 60], threads: [.training: 4]))
        return ConfigurationRecord(
            pipelineID: pipeline, version: version, configuration: configuration,
            hash: String(repeating: String(version % 10), count: 64), savedAt: savedAt ?? date(200 + Double(version)))
    }

    // MARK: Models

    /// A pipeline model with every field set: the hyper-parameters of each type, testing
    /// scores, a schema with mixed classes, a lineage and sub-second dates.
    static func model(_ number: Int, of pipeline: PipelineRecord, status: ModelStatus = .tested,
                      createdAt: Date? = nil) -> ModelRecord {
        ModelRecord(
            id: modelID(number), origin: .pipeline(pipeline.id), repositoryID: pipeline.repositoryID, version: 2,
            estimator: "RandomForestClassifier", task: .classification,
            hyperParameters: [
                "min_impurity_decrease": .double(1.0), "n_estimators": .int(5), "criterion": .string("gini"),
                "bootstrap": .bool(true), "max_depth": .none,
            ],
            status: status, validationScore: ScoreValue(name: "accuracy", value: 0.912_345_678_901_234_5),
            testingScores: status == .saved ? [] : testingScores,
            trainingSeconds: 12.345_678_9, meanPredictionSeconds: 0.000_012_345,
            schema: FeatureSchema(
                features: [
                    Schema.Field(name: "age", type: .integer), Schema.Field(name: "income", type: .numeric),
                    Schema.Field(name: "city", type: .categorical), Schema.Field(name: "member", type: .boolean),
                ],
                label: "churned", labelType: .categorical, classes: [.categorical("a"), .integer(2)]),
            lineage: ModelLineage(datasetGeneration: 3, trainingRows: 800, validationRows: 160, testingRows: 200,
                                  configurationHash: String(repeating: "2", count: 64)),
            createdAt: createdAt ?? date(300 + Double(number)),
            testedAt: status == .saved ? nil : date(400 + Double(number) + 0.000_3))
    }

    /// The testing scores of tested fixture models: in the configured order (primary
    /// first), which is not alphabetical, so a store keeping them by name shows.
    static let testingScores = [
        ScoreValue(name: "accuracy", value: 0.9), ScoreValue(name: "log_loss", value: 0.312_5),
        ScoreValue(name: "f1", value: 0.875_123_456_789),
    ]

    /// An imported (standalone) model with every other optional field nil, in the line of
    /// model `line` (its own line, as the first version, by default) at `version`, imported
    /// under `name` ("legacy-<line>" by default).
    static func importedModel(_ number: Int, line: Int? = nil, version: Int = 1, name: String? = nil,
                              createdAt: Date? = nil) -> ModelRecord {
        ModelRecord(
            id: modelID(number), origin: .imported(name: name ?? "legacy-\(line ?? number)"), repositoryID: nil, version: version,
            estimator: "LinearRegression", task: .regression, hyperParameters: [:], status: .tested,
            validationScore: nil, trainingSeconds: 0, meanPredictionSeconds: nil,
            schema: FeatureSchema(features: [Schema.Field(name: "x", type: .numeric)], label: "y", labelType: .numeric,
                                  classes: nil),
            lineage: nil, createdAt: createdAt ?? date(300 + Double(number)), lineID: modelID(line ?? number))
    }

    /// The suite's orphaning rule, passed to every deletion: the core's shape (orphaned
    /// from the pipeline, without repository, its own line) with a name no store would make
    /// up — it carries the pipeline's name and configuration version as the store handed
    /// them over — so a store that applies its own rule, skips a model, or hands over a
    /// stale model or pipeline shows.
    static let orphaning: ModelOrphaning = { model, pipeline in
        var orphan = model
        orphan.origin = .orphaned(formerPipeline: pipeline.id,
                                  name: "\(pipeline.name) (deleted at configuration v\(pipeline.configurationVersion))")
        orphan.repositoryID = nil
        orphan.lineID = model.id
        return orphan
    }

    /// A blob with every byte value, distinct per `number`.
    static func artifact(_ number: Int) -> Data {
        Data((0...255).map { UInt8($0) } + Array("artifact \(number)".utf8) + [0, 0, 0xFF])
    }

    // MARK: Datasets, runs and triggers

    /// Three distinct parts, each with every byte value (stores treat them as opaque).
    static func datasets(of pipeline: PipelineID, generation: Int) -> DatasetSnapshot {
        func part(_ name: String) -> Data { Data(Array(name.utf8) + (0...255).map { UInt8($0) } + [UInt8(generation)]) }
        return DatasetSnapshot(pipelineID: pipeline, generation: generation, ledger: part("MLDL"), training: part("MLTB training"),
                               testing: part("MLTB testing"), savedAt: date(500 + Double(generation)))
    }

    /// A finished run with every field set: trigger origin, outcomes, combinations, models.
    static func finishedRun(_ number: Int, of pipeline: PipelineID, startedAt: Date) -> RunRecord {
        RunRecord(
            id: runID(number), pipelineID: pipeline, configurationVersion: 2,
            origin: .trigger(triggerID(number), scheduledAt: startedAt.addingTimeInterval(-0.25)),
            jobs: [.datasetGeneration, .training, .testing], status: .failed, startedAt: startedAt,
            finishedAt: startedAt.addingTimeInterval(61.000_5),
            outcomes: [
                JobOutcome(job: .datasetGeneration, status: .succeeded, startedAt: startedAt,
                           finishedAt: startedAt.addingTimeInterval(1.5), summary: "312 training rows"),
                JobOutcome(job: .training, status: .failed, startedAt: startedAt.addingTimeInterval(1.5),
                           finishedAt: startedAt.addingTimeInterval(61.000_5), error: "fit failed: «NaN»", summary: ""),
                JobOutcome(job: .testing, status: .skipped, startedAt: nil, finishedAt: nil),
            ],
            combinations: [
                CombinationScore(hyperParameters: ["max_depth": .int(5), "max_features": .double(1.0)], score: 0.81,
                                 foldScores: [0.8, 0.82]),
                CombinationScore(hyperParameters: ["max_depth": .none, "bootstrap": .bool(false)], score: nil,
                                 foldScores: [], error: "did not converge"),
            ],
            savedModels: [modelID(number), modelID(number + 1)], error: "training failed")
    }

    /// A run still in progress, manual.
    static func runningRun(_ number: Int, of pipeline: PipelineID, startedAt: Date) -> RunRecord {
        RunRecord(id: runID(number), pipelineID: pipeline, configurationVersion: 1, origin: .manual,
                  jobs: JobKind.allCases, status: .running, startedAt: startedAt)
    }

    /// A cron trigger in a named time zone.
    static func cronTrigger(_ number: Int, of pipeline: PipelineID, createdAt: Date) throws -> TriggerRecord {
        TriggerRecord(
            id: triggerID(number), pipelineID: pipeline,
            schedule: .cron(try CronExpression("0 3 * * MON-FRI"), timeZone: TimeZone(identifier: "Europe/Paris") ?? .gmt),
            jobs: JobKind.allCases, createdAt: createdAt)
    }

    /// An interval trigger anchored on a whole minute (schedules keep anchors to the
    /// millisecond only, as their JSON does).
    static func intervalTrigger(_ number: Int, of pipeline: PipelineID, createdAt: Date) -> TriggerRecord {
        TriggerRecord(
            id: triggerID(number), pipelineID: pipeline,
            schedule: .everyDays(14, startingAt: Date(timeIntervalSince1970: 1_767_225_600)),
            jobs: [.datasetGeneration, .training], createdAt: createdAt)
    }
}
