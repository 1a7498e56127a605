/// The one rule for values a workspace caches from the store and re-reads every
/// ``Workspace/deploymentRefresh`` (the deployment predictions use, tokens and their
/// endpoints): when a value expires, **one** caller re-reads it while the others keep using
/// the value they have, for at most one more refresh interval.
///
/// Without it, every request arriving just after the expiry read the store at once (eight
/// concurrent reads under eight connections), which made the slowest one per cent of
/// requests several times slower than the rest.
struct RefreshGate<Key: Hashable & Sendable>: Sendable {
    /// What a caller does with a cached value.
    enum Decision: Equatable {
        /// Read within the refresh interval: use it.
        case fresh
        /// Expired, but another caller is re-reading it: use it meanwhile.
        case stale
        /// Read it from the store (then call ``finished(_:)``, whether the read succeeded or not).
        case read
    }

    private var reading: Set<Key> = []

    /// What to do with the value of `key` read at `readAt` (nil: none cached).
    mutating func decide(_ key: Key, readAt: ContinuousClock.Instant?, now: ContinuousClock.Instant, refresh: Duration) -> Decision {
        guard let readAt else { return .read }
        let age = now - readAt
        if age < refresh { return .fresh }
        if reading.contains(key), age < refresh * 2 { return .stale }
        reading.insert(key)
        return .read
    }

    /// The read that ``decide(_:readAt:now:refresh:)`` asked for is over.
    mutating func finished(_ key: Key) {
        reading.remove(key)
    }
}
