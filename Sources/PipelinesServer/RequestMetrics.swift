import CoreMetrics
import Prometheus
import Synchronization

/// Per-endpoint request counts (by status) and latencies, through swift-metrics.
final class RequestMetrics: Sendable {
    private let factory: any MetricsFactory
    private let counters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let timers = Mutex<[String: CoreMetrics.Timer]>([:])

    /// The name of the endpoint dimension for requests without a valid token.
    static let unauthorizedEndpoint = "-"

    init(_ backend: ServerMetricsBackend) {
        switch backend {
        case .system: factory = MetricsSystem.factory
        case .prometheus(let registry): factory = PrometheusMetricsFactory(registry: registry)
        }
    }

    /// Counts one request to `endpoint` answered with `status`, which took `nanoseconds`.
    func record(endpoint: String, status: Int, nanoseconds: Int64) {
        let key = "\(endpoint)\u{0}\(status)"
        let counter = counters.withLock { counters in
            if let known = counters[key] { return known }
            let made = CoreMetrics.Counter(
                label: "mlpipe_requests_total", dimensions: [("endpoint", endpoint), ("status", String(status))], factory: factory)
            counters[key] = made
            return made
        }
        counter.increment()
        let timer = timers.withLock { timers in
            if let known = timers[endpoint] { return known }
            let made = CoreMetrics.Timer(label: "mlpipe_request_duration_seconds", dimensions: [("endpoint", endpoint)], factory: factory)
            timers[endpoint] = made
            return made
        }
        timer.recordNanoseconds(nanoseconds)
    }
}
