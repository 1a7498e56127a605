import Estimators
import Foundation
import LinearAlgebra
import Tabular

/// One batch: the model taken once, the input's columns resolved against its features, then
/// chunk after chunk predicted into the output (rows that cannot be predicted into the
/// rejects output, or the batch stopped, per ``BadRowPolicy``).
struct BatchRun: Sendable {
    /// A model feature and the input column it is read from.
    struct FeatureInput: Sendable {
        var name: String
        var type: ColumnType
        var column: Int
    }

    let model: LoadedModel
    let version: Int
    let source: any BatchTableSource
    let options: BatchOptions
    let features: [FeatureInput]
    /// Keys then pass-through columns: output name and input column.
    let copied: [(name: String, column: Int)]
    let classNames: [String]?

    /// The name of the output's prediction column.
    static let predictionColumn = "prediction"
    /// The prefix of a classifier's probability columns (`probability_<class>`).
    static let probabilityPrefix = "probability_"
    /// Rows parsed, encoded and predicted together.
    static let sliceRows = 8_192

    /// Resolves the input's columns.
    ///
    /// - Throws: ``PipelineError/invalidBatch(_:)`` naming the missing column or the contradiction.
    init(model: LoadedModel, version: Int, source: any BatchTableSource, options: BatchOptions) throws(PipelineError) {
        guard options.chunkRows > 0 else { throw .invalidBatch("chunkRows must be positive (it is \(options.chunkRows))") }
        let header = source.columnNames
        let name = source.name
        func column(_ input: String, for purpose: String) throws(PipelineError) -> Int {
            guard let index = header.firstIndex(of: input) else {
                throw .invalidBatch("\(name) has no column '\(input)' (\(purpose)); its columns: \(header.joined(separator: ", "))")
            }
            return index
        }
        let schema = model.bundle.schema
        let featureNames = Set(schema.features.map(\.name))
        var mappedTo: [String: String] = [:]  // feature → input column
        for (input, feature) in options.columnMapping.sorted(by: { $0.key < $1.key }) {
            guard featureNames.contains(feature) else {
                throw .invalidBatch("columnMapping maps '\(input)' to '\(feature)', which is not a feature of the model (features: \(schema.features.map(\.name).joined(separator: ", ")))")
            }
            if let other = mappedTo[feature] { throw .invalidBatch("columnMapping maps both '\(other)' and '\(input)' to feature '\(feature)'") }
            _ = try column(input, for: "mapped to feature '\(feature)'")
            mappedTo[feature] = input
        }
        var features: [FeatureInput] = []
        for field in schema.features {
            let input = mappedTo[field.name] ?? field.name
            if mappedTo[field.name] == nil, let other = options.columnMapping[input] {
                throw .invalidBatch("feature '\(field.name)' has no column: '\(input)' is mapped to feature '\(other)'; map a column to '\(field.name)'")
            }
            features.append(FeatureInput(name: field.name, type: field.type, column: try column(input, for: "feature '\(field.name)'")))
        }
        var copied: [(name: String, column: Int)] = []
        for input in options.keys + options.passThrough {
            guard !copied.contains(where: { $0.name == input }) else { throw .invalidBatch("column '\(input)' is listed twice in keys and passThrough") }
            copied.append((input, try column(input, for: options.keys.contains(input) ? "a key" : "passed through")))
        }
        let classNames = schema.classes?.map(\.description)
        let generated = [Self.predictionColumn] + (classNames ?? []).map { Self.probabilityPrefix + $0 }
        if let clash = copied.first(where: { generated.contains($0.name) }) {
            throw .invalidBatch("the copied column '\(clash.name)' has the name of an output column the batch writes")
        }
        self.model = model
        self.version = version
        self.source = source
        self.options = options
        self.features = features
        self.copied = copied
        self.classNames = classNames
    }

    /// The output's columns: keys, pass-through, `prediction`, then `probability_<class>`.
    var outputColumns: [String] {
        copied.map(\.name) + [Self.predictionColumn] + (classNames ?? []).map { Self.probabilityPrefix + $0 }
    }

    /// Reads, predicts and writes every chunk, then commits both outputs.
    ///
    /// - Throws: ``PipelineError/badBatchRow(location:reason:)`` with ``BadRowPolicy/fail``;
    ///   ``PipelineError/cancelled(job:)`` once `cancellation` is set (checked before each
    ///   slice); the source's and sinks' errors. On any error both outputs are abandoned.
    /// - Complexity: O(rows × features) plus the model's prediction cost.
    func predict(to output: any BatchTableSink, rejects: (any BatchTableSink)?,
                 progress: (@Sendable (BatchProgress) -> Void)?, cancellation: FitCancellation) throws(PipelineError) -> BatchSummary {
        let start = ContinuousClock.now
        var read = 0, predicted = 0, rejected = 0
        do throws(PipelineError) {
            try output.begin(columns: outputColumns)
            try rejects?.begin(columns: ["line", "reason"] + options.keys)
            while let chunk = try source.nextChunk(maxRows: options.chunkRows) {
                // Parsed, encoded and predicted a slice at a time: a column of a few thousand
                // rows keeps their bytes in the processor's cache for the next column
                // (measured: 64k-row slices ran at half the speed of 8k-row ones).
                for start in stride(from: 0, to: chunk.rowCount, by: Self.sliceRows) {
                    if cancellation.isCancelled { throw PipelineError.cancelled(job: .deployment) }
                    let slice = start..<min(chunk.rowCount, start + Self.sliceRows)
                    let (predictedRows, rejectedRows) = try predict(chunk, rows: slice, into: output, rejects: rejects)
                    predicted += predictedRows
                    rejected += rejectedRows
                }
                read += chunk.rowCount
                let seconds = PhaseClock.seconds(since: start)
                progress?(BatchProgress(rowsDone: read, rowsPerSecond: seconds > 0 ? Double(read) / seconds : 0, fractionDone: source.fractionRead))
            }
            try output.commit()
            try rejects?.commit()
        } catch {
            output.abandon()
            rejects?.abandon()
            throw error
        }
        return BatchSummary(rowsRead: read, rowsPredicted: predicted, rowsRejected: rejected, model: model.id, modelVersion: version,
                            seconds: PhaseClock.seconds(since: start))
    }

    /// A table of `columns`, or the data error saying why not.
    private static func table(_ columns: [Column]) throws(PipelineError) -> Table {
        do { return try Table(columns) } catch { throw .data(error) }
    }

    /// The rows `rows` of a chunk: how many were predicted and how many rejected.
    private func predict(_ chunk: BatchChunk, rows: Range<Int>, into output: any BatchTableSink,
                         rejects: (any BatchTableSink)?) throws(PipelineError) -> (Int, Int) {
        // Row indices below are within the slice; `chunk` indices are `rows.lowerBound + i`.
        let offset = rows.lowerBound
        var bad: [Int: String] = [:]
        for (row, reason) in chunk.unreadable where rows.contains(row) { bad[row - offset] = reason }
        var columns: [Column] = []
        for (feature, (column, problems)) in zip(features, Self.parse(features, of: chunk, rows: rows)) {
            for (row, reason) in problems where bad[row - offset] == nil { bad[row - offset] = "feature '\(feature.name)': \(reason)" }
            columns.append(column)
        }
        let table = try Self.table(columns)

        // Encode the readable rows; a row the encoder refuses (missing without imputation,
        // an unknown category) is set aside and the rest encoded again, from that row on.
        var pieces: [(rows: [Int], x: Matrix)] = []
        var remaining = (0..<rows.count).filter { bad[$0] == nil }[...]
        while !remaining.isEmpty {
            do {
                pieces.append((Array(remaining), try model.bundle.featureEncoder.transform(table, rows: Array(remaining))))
                remaining = []
            } catch {
                guard let (row, reason) = Self.rowProblem(error), let position = remaining.firstIndex(of: row) else { throw .data(error) }
                bad[row] = reason
                let before = Array(remaining[..<position])
                if !before.isEmpty {
                    do { pieces.append((before, try model.bundle.featureEncoder.transform(table, rows: before))) } catch { throw .data(error) }
                }
                remaining = remaining[(position + 1)...]
            }
        }
        if options.badRows == .fail, let first = bad.keys.min(), let reason = bad[first] {
            throw .badBatchRow(location: "\(source.name):\(chunk.locations[offset + first])", reason: reason)
        }

        let copiedColumns = copied.map { chunk.column($0.column, .categorical, $0.name, rows).0 }
        var predictedRows = 0
        for piece in pieces {
            let predictions = try model.predict(matrix: piece.x, withProbabilities: classNames != nil)
            var result = copiedColumns.map { $0.selecting(piece.rows) }
            result.append(Self.predictionColumn(predictions.values))
            if let classNames, let probabilities = predictions.probabilities {
                for (index, name) in classNames.enumerated() {
                    result.append(Column(name: Self.probabilityPrefix + name, numeric: (0..<probabilities.rows).map { probabilities[$0, index] }))
                }
            }
            try output.write(try Self.table(result))
            predictedRows += piece.rows.count
        }
        if let rejects, !bad.isEmpty {
            let badRows = bad.keys.sorted()
            var result = [
                Column(name: "line", integer: badRows.map { chunk.locations[offset + $0] }),
                Column(name: "reason", categorical: badRows.map { bad[$0] }),
            ]
            for key in options.keys {
                guard let index = copied.firstIndex(where: { $0.name == key }) else { continue }
                result.append(copiedColumns[index].selecting(badRows))
            }
            try rejects.write(try Self.table(result))
        }
        return (predictedRows, bad.count)
    }

    /// The features' columns of a chunk, parsed on every core (one column per task: parsing
    /// numbers is most of a batch's time).
    private static func parse(_ features: [FeatureInput], of chunk: BatchChunk, rows: Range<Int>) -> [(Column, [Int: String])] {
        let results = ParsedColumns(count: features.count)
        let column = UncheckedSendable(chunk.column)
        DispatchQueue.concurrentPerform(iterations: features.count) { index in
            let feature = features[index]
            results.set(index, column.value(feature.column, feature.type, feature.name, rows))
        }
        return results.values
    }

    /// The row an encoder error names, and why, in words.
    private static func rowProblem(_ error: TabularError) -> (Int, String)? {
        switch error {
        case let .missingValue(feature, row): return (row, "feature '\(feature)': missing, and the model does not impute it")
        case let .unknownCategory(feature, category, row): return (row, "feature '\(feature)': unknown category '\(category)'")
        case let .invalidValue(feature, row, value, expected): return (row, "feature '\(feature)': expected a \(expected.rawValue) value, got \(value)")
        default: return nil
        }
    }

    /// The `prediction` column: labels in their original type, or numbers.
    static func predictionColumn(_ values: [Value]) -> Column {
        let name = predictionColumn
        switch values.first(where: { !$0.isMissing }) {
        case .integer?: return Column(name: name, integer: values.map { if case .integer(let v) = $0 { v } else { nil } })
        case .categorical?: return Column(name: name, categorical: values.map { if case .categorical(let v) = $0 { v } else { nil } })
        case .boolean?: return Column(name: name, boolean: values.map { if case .boolean(let v) = $0 { v } else { nil } })
        default: return Column(name: name, numeric: values.map(\.doubleValue))
        }
    }
}

/// Results of concurrent column parses, each written once by its own task.
private final class ParsedColumns: @unchecked Sendable {
    // Each slot is written by exactly one task, through the buffer (no access to a Swift
    // array from several threads), and read after all of them have finished.
    private let slots: UnsafeMutableBufferPointer<(Column, [Int: String])?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ index: Int, _ value: (Column, [Int: String])) { slots[index] = value }

    var values: [(Column, [Int: String])] { slots.compactMap { $0 } }
}

/// A value handed to concurrent tasks that only read it (``BatchChunk/column`` is safe to
/// call from several threads at once).
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
