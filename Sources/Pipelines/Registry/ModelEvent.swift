import Synchronization

/// Something that happened to a model, for hosts to react to (refresh a view, warm a
/// cache, alert). Read them from ``ModelRegistry/events()``.
public enum ModelEvent: Sendable, Hashable {
    /// A model was saved by training, or imported.
    case saved(ModelRecord)
    /// A model was scored on its testing set and kept.
    case scored(ModelRecord)
    /// A model failed a testing threshold and was rejected.
    case rejected(ModelRecord)
    /// A deployment switched (its ``DeploymentRecord/modelID`` is nil for an undeploy).
    case deployed(DeploymentRecord)
    /// A model was erased.
    case erased(ModelID)
}

/// Hands every event to every current subscriber.
final class EventBroadcaster<Event: Sendable>: Sendable {
    private struct Subscribers {
        var nextID = 0
        var continuations: [Int: AsyncStream<Event>.Continuation] = [:]
    }
    private let subscribers = Mutex(Subscribers())

    /// A new stream of the events published from now on; it ends when the consumer stops
    /// iterating (the subscription is then dropped).
    func subscribe() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(1_024))
        let id = subscribers.withLock { state -> Int in
            state.nextID += 1
            state.continuations[state.nextID] = continuation
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { _ = $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// Sends `event` to every subscriber.
    func publish(_ event: Event) {
        let current = subscribers.withLock { Array($0.continuations.values) }
        for continuation in current { continuation.yield(event) }
    }
}
