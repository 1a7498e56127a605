import Foundation
import Synchronization
import Tabular

/// What reading CSV sources taught a process, so that each source is parsed at most once
/// for a check, the configuration saved after it and the run that generates datasets from it.
///
/// A ``Workspace`` checks configurations through its cache: a check whose source has an
/// unchanged ``SourceFingerprint`` (here, or stored with the pipeline's configuration) does
/// not parse the file; a check that parses a source keeps the table read, and a run's
/// dataset generation takes it instead of parsing the file again. Workspaces may share one
/// cache (`mlpipe run` checks a spec on a scratch workspace, then configures and runs on the
/// real one).
///
/// ```swift
/// let sources = SourceCache()
/// let workspace = Workspace(store: try SQLiteStore(path: ".mlpipe/store.sqlite"), sourceCache: sources)
/// try await pipeline.configure { $0.preferences.description = "nightly" }  // parses stations.csv
/// let record = try await pipeline.run().result()                          // generates from that read
/// print(sources.statistics)                                               // 1 read, 0 hashes, 1 reuse
/// ```
///
/// **Memory.** A fingerprint is small (the header, a few numbers and strings) and kept per
/// file path. Tables are kept only when a check (`configure`, `problems(in:)`) parsed a
/// source, for the next run of it to take: at most ``tableLimit`` tables (the most recently
/// read; one per file), each dropped when a run takes it, when the file is read again or
/// by ``removeAll()``. A table takes about 8 bytes per numeric, integer or categorical
/// cell plus a bit per cell (200,000 × 51 numbers: about 82 MB). Runs never leave tables.
public final class SourceCache: Sendable {
    /// How much reading the cache saved.
    public struct Statistics: Sendable, Hashable, CustomStringConvertible {
        /// CSV sources parsed into tables.
        public var reads = 0
        /// Files hashed to confirm that a changed stamp hides unchanged content.
        public var hashes = 0
        /// Sources a check or run took from a fingerprint or a kept table without parsing.
        public var reuses = 0

        /// No reads yet.
        public init() {}

        /// `2 reads, 1 hash, 3 reuses`.
        public var description: String {
            "\(reads) read\(reads == 1 ? "" : "s"), \(hashes) hash\(hashes == 1 ? "" : "es"), \(reuses) reuse\(reuses == 1 ? "" : "s")"
        }
    }

    /// At most this many tables are kept for runs to take (0: none).
    public let tableLimit: Int
    /// How long after a file's last change its stamp is trusted without hashing. A write in
    /// the same tick of a coarse file-system clock as the stamp leaves the stamp unchanged, so
    /// a stamp taken sooner after the last change is confirmed by the file's SHA-256.
    public let settlingTime: Duration

    enum Event { case read, hash, reuse }

    private struct Kept {
        var fingerprint: SourceFingerprint
        var table: Table
        /// How long parsing it took (reported as the taking run's `read` phase).
        var readSeconds: Double
    }

    private struct State {
        var fingerprints: [String: SourceFingerprint] = [:]
        /// Oldest first.
        var tables: [Kept] = []
        var statistics = Statistics()
    }

    private let state = Mutex(State())

    /// An empty cache.
    ///
    /// - Parameters:
    ///   - tableLimit: How many parsed tables to keep for runs to take (default 2: a
    ///     training and a testing source); 0 keeps none (a run then parses its sources again).
    ///   - settlingTime: How long after a file's last change its stamp alone says it is
    ///     unchanged (default 2 s, above the coarsest file-system clocks).
    public init(tableLimit: Int = 2, settlingTime: Duration = .seconds(2)) {
        self.tableLimit = max(0, tableLimit)
        self.settlingTime = settlingTime
    }

    /// The reads, hashes and reuses so far.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// The latest fingerprint of the file at `path` (absolute), if one was taken.
    ///
    /// - Parameter path: The file's absolute path.
    public func fingerprint(ofFileAt path: String) -> SourceFingerprint? {
        state.withLock { $0.fingerprints[path] }
    }

    /// Forgets every fingerprint and drops every kept table (the statistics stay).
    public func removeAll() {
        state.withLock { state in
            state.fingerprints = [:]
            state.tables = []
        }
    }

    /// The number of tables kept now.
    var keptTables: Int { state.withLock { $0.tables.count } }

    func note(_ event: Event) {
        state.withLock { state in
            switch event {
            case .read: state.statistics.reads += 1
            case .hash: state.statistics.hashes += 1
            case .reuse: state.statistics.reuses += 1
            }
        }
    }

    /// Whether `fingerprint`'s stamp was taken long enough after the file's last change to
    /// be trusted without hashing.
    func isSettled(_ fingerprint: SourceFingerprint) -> Bool {
        let settling = settlingTime.components
        let nanoseconds = settling.seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue
            &+ settling.attoseconds / 1_000_000_000
        return fingerprint.stamp.lastChange &+ nanoseconds < fingerprint.stampedAt
    }

    /// Remembers `fingerprint` as its file's latest, with the `table` read (kept for a run to
    /// take, within ``tableLimit``). Without a table, a kept table of the file stays only if
    /// it holds the same content (its fingerprint is refreshed).
    func remember(_ fingerprint: SourceFingerprint, table: Table?, readSeconds: Double = 0) {
        state.withLock { state in
            state.fingerprints[fingerprint.path] = fingerprint
            let index = state.tables.firstIndex { $0.fingerprint.path == fingerprint.path }
            if let table {
                if let index { state.tables.remove(at: index) }
                guard tableLimit > 0 else { return }
                state.tables.append(Kept(fingerprint: fingerprint, table: table, readSeconds: readSeconds))
                if state.tables.count > tableLimit { state.tables.removeFirst(state.tables.count - tableLimit) }
            } else if let index {
                if state.tables[index].fingerprint.sha256 == fingerprint.sha256 && state.tables[index].fingerprint.reading == fingerprint.reading {
                    state.tables[index].fingerprint = fingerprint
                } else {
                    state.tables.remove(at: index)
                }
            }
        }
    }

    /// Removes and returns the kept table of the file at `path`, with its fingerprint and
    /// the seconds parsing it took.
    func takeTable(ofFileAt path: String) -> (fingerprint: SourceFingerprint, table: Table, readSeconds: Double)? {
        state.withLock { state in
            guard let index = state.tables.firstIndex(where: { $0.fingerprint.path == path }) else { return nil }
            let kept = state.tables.remove(at: index)
            return (kept.fingerprint, kept.table, kept.readSeconds)
        }
    }
}
