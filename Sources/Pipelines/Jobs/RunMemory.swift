import Foundation
import Synchronization
import Tabular

/// What the jobs of one run share, so that a run reads and decodes each thing once: the
/// datasets (as dataset generation left them, or as the first job that needed them read
/// them) and the models the training job trained (testing and deployment use them without
/// decoding their artifacts).
///
/// Safe because a run holds its pipeline's lease: nothing else changes the pipeline's
/// datasets while it runs (``Pipeline/resetDatasets()`` and other runs wait for the lease).
/// The training rows are dropped once the training job has encoded them, so the run does
/// not keep the raw table and the design matrix at once.
final class RunMemory: Sendable {
    /// Datasets as loaded: the ledger, and the tables read so far (nil: not read).
    struct Datasets: Sendable {
        var generation: Int
        var ledger: DatasetLedger
        var training: Table?
        var testing: Table?
    }

    private struct State {
        var sources: SourceTables
        var datasets: Datasets?
        var models: [ModelID: LoadedModel] = [:]
    }

    private let state: Mutex<State>

    /// The memory of a run whose check read `sources` (empty when it read none).
    init(sources: SourceTables = SourceTables()) {
        state = Mutex(State(sources: sources))
    }

    /// The sources as the run's check read them, handed over once (dataset generation
    /// takes them; the run keeps no reference afterwards).
    func takeSources() -> SourceTables {
        state.withLock { state in
            defer { state.sources = SourceTables() }
            return state.sources
        }
    }

    /// The datasets remembered, if any.
    var datasets: Datasets? { state.withLock { $0.datasets } }

    /// Remembers datasets (replacing what was remembered).
    func remember(_ datasets: Datasets) { state.withLock { $0.datasets = datasets } }

    /// Forgets the training rows (the ledger and testing rows stay).
    func dropTrainingRows() { state.withLock { $0.datasets?.training = nil } }

    /// Remembers a model trained in this run.
    func remember(_ model: LoadedModel) { state.withLock { $0.models[model.id] = model } }

    /// A model trained in this run.
    func model(_ id: ModelID) -> LoadedModel? { state.withLock { $0.models[id] } }
}

/// Times the phases of one job (see ``JobPhase``); repeated phases add up.
final class PhaseClock: Sendable {
    private let phases = Mutex<[JobPhase]>([])

    /// The phases so far, in the order they first happened.
    var recorded: [JobPhase] { phases.withLock { $0 } }

    /// Runs `body` and adds its wall-clock time to phase `name`.
    func time<T, E: Error>(_ name: String, _ body: () async throws(E) -> T) async throws(E) -> T {
        let start = ContinuousClock.now
        defer { add(name, seconds: Self.seconds(since: start)) }
        return try await body()
    }

    /// Adds `seconds` to phase `name`.
    func add(_ name: String, seconds: Double) {
        phases.withLock { phases in
            if let index = phases.firstIndex(where: { $0.name == name }) {
                phases[index].seconds += seconds
            } else {
                phases.append(JobPhase(name: name, seconds: seconds))
            }
        }
    }

    /// Seconds since `start`.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

/// The datasets as the training job reads them (``JobContext/trainingDatasets(withTesting:)``).
struct TrainingDatasets: Sendable {
    /// The ledger and testing rows; the training rows when this run holds them decoded.
    var datasets: RunMemory.Datasets
    /// The stored training part ("MLTB"), undecoded, when ``datasets`` has no training rows.
    var storedTraining: ChunkedBytes?
}

extension ChunkedBytes {
    /// Runs `body` on the table encoding in these bytes, read in place (a column that
    /// crosses chunks is gathered, see ``Tabular/TableEncodingView``).
    ///
    /// - Throws: ``PipelineError/data(_:)`` for a corrupt encoding; what `body` throws.
    func withTableView<T>(_ body: (TableEncodingView) throws(PipelineError) -> T) throws(PipelineError) -> T {
        try withSegments { (segments) throws(PipelineError) -> T in
            let view: TableEncodingView
            do throws(TabularError) { view = try TableEncodingView(segments: segments) } catch { throw .data(error) }
            return try body(view)
        }
    }
}

extension JobContext {
    /// The pipeline's datasets with at least the `rows` asked for: from this run's memory
    /// when it holds them, else read from the store (only the parts missing) and decoded
    /// — once per run. Nil when no generation ever succeeded.
    ///
    /// - Parameters:
    ///   - rows: The row parts needed.
    ///   - identities: Whether the ledger's identities are needed (dataset generation).
    /// - Throws: ``PipelineError/store(_:)``, ``PipelineError/data(_:)`` for a corrupt part.
    func datasets(rows: DatasetRows, identities: Bool = false) async throws(PipelineError) -> RunMemory.Datasets? {
        if var known = memory.datasets, !identities || known.ledger.hasIdentities {
            var missing: DatasetRows = []
            if rows.contains(.training) && known.training == nil { missing.insert(.training) }
            if rows.contains(.testing) && known.testing == nil { missing.insert(.testing) }
            guard !missing.isEmpty else { return known }
            guard let snapshot = try await storage({ try await store.datasets(of: pipeline.id, rows: missing) }),
                  snapshot.generation == known.generation
            else { return try await read(rows: rows, identities: identities) }
            let decoded = try await offload { () throws(PipelineError) -> (Table?, Table?) in
                (try snapshot.readTraining(), try snapshot.readTesting())
            }
            known.training = known.training ?? decoded.0
            known.testing = known.testing ?? decoded.1
            memory.remember(known)
            return known
        }
        return try await read(rows: rows, identities: identities)
    }

    /// The datasets for the training job: the training rows decoded when this run holds
    /// them (dataset generation's), else their stored part as read, undecoded, for the
    /// design matrix to be encoded from it in place. The ledger and the testing rows (for
    /// a classifier's classes) are decoded and remembered for the run's later jobs.
    ///
    /// - Parameter withTesting: Whether the testing rows are needed too.
    /// - Throws: as ``datasets(rows:identities:)``.
    func trainingDatasets(withTesting: Bool) async throws(PipelineError) -> TrainingDatasets? {
        if let known = memory.datasets, known.training != nil {
            guard let datasets = try await datasets(rows: withTesting ? .all : .training) else { return nil }
            return TrainingDatasets(datasets: datasets, storedTraining: nil)
        }
        var rows: DatasetRows = .training
        if withTesting && memory.datasets?.testing == nil { rows.insert(.testing) }
        guard let snapshot = try await storage({ try await store.datasets(of: pipeline.id, rows: rows) }) else { return nil }
        let known = memory.datasets.flatMap { $0.generation == snapshot.generation ? $0 : nil }
        let datasets = try await offload { () throws(PipelineError) -> RunMemory.Datasets in
            let ledger: DatasetLedger
            if let known { ledger = known.ledger } else { ledger = try snapshot.decodedLedger(identities: false) }
            var testing = known?.testing
            if testing == nil { testing = try snapshot.readTesting() }
            return RunMemory.Datasets(generation: snapshot.generation, ledger: ledger, training: nil, testing: testing)
        }
        memory.remember(datasets)
        return TrainingDatasets(datasets: datasets, storedTraining: snapshot.training)
    }

    private func read(rows: DatasetRows, identities: Bool) async throws(PipelineError) -> RunMemory.Datasets? {
        guard let snapshot = try await storage({ try await store.datasets(of: pipeline.id, rows: rows) }) else { return nil }
        let loaded = try await offload { () throws(PipelineError) -> RunMemory.Datasets in
            RunMemory.Datasets(
                generation: snapshot.generation, ledger: try snapshot.decodedLedger(identities: identities),
                training: try snapshot.readTraining(), testing: try snapshot.readTesting())
        }
        memory.remember(loaded)
        return loaded
    }
}

extension DatasetSnapshot {
    /// The ledger, decoded in place (with its identities when asked for).
    ///
    /// - Throws: ``PipelineError/data(_:)`` for a corrupt ledger.
    func decodedLedger(identities: Bool) throws(PipelineError) -> DatasetLedger {
        do throws(TabularError) { return try DatasetLedger(binaryEncoded: ledger, identities: identities) } catch { throw .data(error) }
    }

    /// The training rows, decoded in place; nil when not read.
    ///
    /// - Throws: ``PipelineError/data(_:)`` for a corrupt part.
    func readTraining() throws(PipelineError) -> Table? {
        try training.map(Self.decodedTable)
    }

    /// The testing rows, decoded in place.
    ///
    /// - Throws: ``PipelineError/data(_:)`` for a corrupt part or one not read.
    func decodedTesting() throws(PipelineError) -> Table {
        guard let table = try readTesting() else {
            throw .data(.corruptEncoding("the testing rows of the dataset snapshot were not read"))
        }
        return table
    }

    /// The testing rows, decoded in place; nil when not read.
    func readTesting() throws(PipelineError) -> Table? {
        try testing.map(Self.decodedTable)
    }

    /// A row part, decoded chunk by chunk.
    ///
    /// - Throws: ``PipelineError/data(_:)`` for a corrupt part.
    private static func decodedTable(_ part: ChunkedBytes) throws(PipelineError) -> Table {
        do throws(TabularError) { return try Table(binaryEncoded: part) } catch { throw .data(error) }
    }
}
