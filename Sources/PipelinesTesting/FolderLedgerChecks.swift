import Foundation
import Pipelines

// The folder consumers' ledger: one entry per (folder, name, size, SHA-256).
extension StorageConformance {
    private static let inbox = "/data/inbox"

    private static func ledgerEntry(
        _ name: String, size: Int64 = 120, digit: Character = "a", folder: String = inbox, owner: String = "host pid 1",
        takenAt: TimeInterval = 1_000.000_3
    ) -> FolderFileRecord {
        FolderFileRecord(folder: folder, name: name, size: size, sha256: String(repeating: digit, count: 64), state: .taken,
                         owner: owner, takenAt: Fixture.date(takenAt))
    }

    /// `takeFolderFile` stores an entry whose key is new and answers `taken` with it; the
    /// same key again (another owner, another state) answers `known` with the stored entry
    /// and changes nothing. The same name with other bytes (another digest, another size)
    /// or in another folder is another entry. `folderFiles(in:)` lists one folder's
    /// entries oldest first (ties by name, then digest), dates to the sub-millisecond.
    static func folderLedgerTakeOnce(_ t: CheckContext) async throws {
        let store = t.store
        let first = ledgerEntry("a.csv")
        t.expectEqual(try await store.takeFolderFile(first), .taken(first), "takeFolderFile(a.csv) the first time")
        var again = ledgerEntry("a.csv", owner: "host pid 2", takenAt: 2_000)
        again.state = .archived
        t.expectEqual(try await store.takeFolderFile(again), .known(first), "takeFolderFile(a.csv, same bytes) again")
        let others = [
            ledgerEntry("a.csv", digit: "b", takenAt: 1_500),  // new content under the same name
            ledgerEntry("a.csv", size: 121, takenAt: 1_500),  // same digest, another size
            ledgerEntry("b.csv", takenAt: 900),
            ledgerEntry("a.csv", folder: "/data/other", takenAt: 500),
        ]
        for entry in others {
            t.expectEqual(try await store.takeFolderFile(entry), .taken(entry), "takeFolderFile(\(entry.key))")
        }
        t.expectEqual(try await store.folderFiles(in: inbox, unfinishedOnly: false), [others[2], first, others[1], others[0]],
                      "folderFiles(in: \(inbox)), oldest first, ties by name then digest")
        t.expectEqual(try await store.folderFiles(in: "/data/other", unfinishedOnly: false), [others[3]], "folderFiles(in: /data/other)")
        t.expectEqual(try await store.folderFiles(in: "/data", unfinishedOnly: false), [], "folderFiles(in: /data), a parent folder")
    }

    /// `updateFolderFile` replaces the entry of its key exactly (state, model, counts,
    /// error, destination, dates); an unknown key is refused with `notFound` naming the key
    /// and nothing is stored. `unfinishedOnly` lists the `taken`, `predicted` and `failed`
    /// entries only.
    static func folderLedgerUpdate(_ t: CheckContext) async throws {
        let store = t.store
        let names = ["a.csv", "b.csv", "c.csv", "d.csv", "e.csv"]
        var entries = names.enumerated().map { ledgerEntry($1, takenAt: 1_000 + Double($0)) }
        for entry in entries { try await t.must("takeFolderFile(\(entry.name))") { try await store.takeFolderFile(entry) } }
        let states: [FolderFileState] = [.predicted, .failed, .archived, .abandoned, .taken]
        for index in entries.indices where states[index] != .taken {
            entries[index].state = states[index]
            entries[index].updatedAt = Fixture.date(3_000.000_7)
            entries[index].model = Fixture.modelID(index)
            entries[index].modelVersion = index + 1
            entries[index].rowsRead = 10
            entries[index].rowsPredicted = 9
            entries[index].rowsRejected = 1
            entries[index].error = states[index] == .failed ? "line 3: not a number" : nil
            entries[index].archivedAs = "processed/\(entries[index].name)"
            try await t.must("updateFolderFile(\(entries[index].name) → \(states[index]))") { try await store.updateFolderFile(entries[index]) }
        }
        t.expectEqual(try await store.folderFiles(in: inbox, unfinishedOnly: false), entries, "folderFiles(in:) after the updates")
        t.expectEqual(try await store.folderFiles(in: inbox, unfinishedOnly: true), [entries[0], entries[1], entries[4]],
                      "folderFiles(in:, unfinishedOnly: true): the predicted, failed and taken entries")
        let unknown = ledgerEntry("a.csv", digit: "f")
        await t.expectRefusal("updateFolderFile(an entry never taken)", .notFound(id: unknown.key.description)) {
            try await store.updateFolderFile(unknown)
        }
        t.expectEqual(try await store.folderFiles(in: inbox, unfinishedOnly: false), entries, "folderFiles(in:) after the refused update")
    }

    /// Of watchers taking one file at once, exactly one gets `taken`; every other gets
    /// `known` with the winner's entry.
    static func folderLedgerTakeRace(_ t: CheckContext) async throws {
        let store = t.store
        let gate = StartingGate(count: racers)
        let results = await withTaskGroup(of: Result<FolderFileTake, any Error>.self) { group in
            for racer in 0..<racers {
                group.addTask {
                    await gate.arrive()
                    do { return .success(try await store.takeFolderFile(ledgerEntry("race.csv", owner: "watcher \(racer)"))) } catch {
                        return .failure(error)
                    }
                }
            }
            var results: [Result<FolderFileTake, any Error>] = []
            for await result in group { results.append(result) }
            return results
        }
        let winners = results.compactMap { if case .success(.taken(let entry)) = $0 { return entry } else { return nil } }
        guard winners.count == 1, let winner = winners.first else {
            t.fail("racing takeFolderFile ×\(racers): expected exactly 1 taken, got \(winners.count) (\(winners.map(\.owner)))")
            throw CheckAborted()
        }
        for result in results {
            switch result {
            case .success(.taken): continue
            case .success(.known(let known)) where known == winner: continue
            case .success(let other): t.fail("racing takeFolderFile: got \(Difference.render(other)), expected .known(the winner's entry)")
            case .failure(let error): t.fail("racing takeFolderFile: expected success, got \(Difference.describe(error: error))")
            }
        }
        t.expectEqual(try await store.folderFiles(in: inbox, unfinishedOnly: false), [winner], "folderFiles(in:) after the race")
    }
}
