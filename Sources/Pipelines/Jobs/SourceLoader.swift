import Foundation
import ImageDatasets
import Synchronization
import Tabular

/// Reads a ``DataSource`` into a table.
enum SourceLoader {
    /// The source's rows; a relative CSV path is resolved against `baseDirectory`, and read
    /// with `options` (the pipeline's missing-value tokens and infinity rule).
    ///
    /// With the datasets' `schema` (fixed by their first generation), a CSV source is read
    /// with its columns' types as overrides, so a cell that is not of its column's type is
    /// an error naming file, line, column, value and type (instead of the column being
    /// inferred as another type). An integer column may hold numbers (it widens).
    ///
    /// - Throws: ``PipelineError/data(_:)`` with the CSV error (file, line, column).
    static func load(_ source: DataSource, baseDirectory: URL, options: CSVOptions, schema: Schema? = nil) throws(PipelineError) -> Table {
        try loadWithNotes(source, baseDirectory: baseDirectory, options: options, schema: schema).table
    }

    /// As ``load(_:baseDirectory:options:schema:)``, with what the user must be told about
    /// the reading: an image folder's files left out (``ImageFolderSource/unreadable`` is
    /// `skip`), each with its reason.
    ///
    /// - Throws: ``PipelineError/data(_:)`` with the CSV error; ``PipelineError/images(_:)``
    ///   for an image folder that cannot be read (or, under `fail`, its unreadable files).
    static func loadWithNotes(
        _ source: DataSource, baseDirectory: URL, options: CSVOptions, schema: Schema? = nil
    ) throws(PipelineError) -> (table: Table, notes: [String]) {
        switch source {
        case .table(let table):
            return (table, [])
        case .images(let images):
            let read: ImageFolderRead
            do {
                read = try ImageFolder.read(
                    root: url(of: images.folder, baseDirectory: baseDirectory), preprocessing: images.preprocessing,
                    unreadable: images.unreadable)
            } catch {
                throw .images(error)
            }
            return (read.table, read.unreadable.isEmpty ? [] : [Self.note(leftOut: read.unreadable)])
        case .csv(let path):
            let url = url(of: path, baseDirectory: baseDirectory)
            readLog.withLock { log in log?[url.path, default: 0] += 1 }
            do throws(TabularError) {
                var typed = Self.options(options, schema: schema)
                let table = try CSV.read(contentsOf: url, options: typed)
                guard let schema else { return (table, []) }
                let strayed = schema.columns.filter { field in
                    field.type == .integer && table[field.name].map { $0.type != .integer && $0.type != .numeric } == true
                }
                guard !strayed.isEmpty else { return (table, []) }
                for field in strayed { typed.schema[field.name] = .numeric }
                do throws(TabularError) {
                    _ = try CSV.read(contentsOf: url, options: typed)
                } catch {
                    // The column's type is integer: say so (a value that is not a number is not an integer).
                    guard case .csv(var located) = error, case let .invalidValue(value, column, .numeric) = located.kind else { throw error }
                    located.kind = .invalidValue(value: value, columnName: column, expected: .integer)
                    throw .csv(located)
                }
                return (table, [])
            } catch {
                throw .data(error)
            }
        }
    }

    /// "2 image files left out: 3/a.png: …; 7/b.jpg: …" (the first five, then how many more).
    static func note(leftOut unreadable: [UnreadableImage]) -> String {
        let shown = unreadable.prefix(5).map(\.description).joined(separator: "; ")
        let more = unreadable.count > 5 ? "; and \(unreadable.count - 5) more" : ""
        return "\(unreadable.count) image file(s) left out: \(shown)\(more)"
    }

    /// The options a CSV source is read with: `options` with the datasets' `schema` imposing
    /// each column's type — except integer columns, which are inferred (they may widen to
    /// numeric; one that reads as something else is read again as numeric, for the cell's
    /// place).
    static func options(_ options: CSVOptions, schema: Schema?) -> CSVOptions {
        var typed = options
        for field in schema?.columns ?? [] where field.type != .integer { typed.schema[field.name] = field.type }
        return typed
    }

    /// How many times each CSV file was parsed, by absolute path, once counting was started
    /// (nil: not counting). A hook for tests: every parse of a source goes through ``load``.
    private static let readLog = Mutex<[String: Int]?>(nil)

    /// Starts counting parses of CSV files (for tests; counts already made stay).
    static func startCountingReads() {
        readLog.withLock { log in if log == nil { log = [:] } }
    }

    /// How many times the CSV file at `path` (absolute) was parsed since counting started.
    static func reads(ofFileAt path: String) -> Int {
        readLog.withLock { $0?[path] ?? 0 }
    }

    /// The file URL of a CSV path.
    static func url(of path: String, baseDirectory: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
    }
}

/// The dataset step's sources as read when a run's configuration was checked.
struct SourceTables: Sendable {
    /// The training (or only) source.
    var training: Table?
    /// The separate testing source.
    var testing: Table?
    /// The seconds spent parsing them, by the run's check or by the configuration check
    /// whose tables the run took (the generation job's `read` phase).
    var readSeconds: Double = 0
    /// What reading them left out, to say in the generation's summary (image files).
    var notes: [String] = []
}
