public import Prometheus

/// The limits and options of a ``PredictionServer``.
///
/// ```swift
/// var configuration = ServerConfiguration()
/// configuration.bodyLimit = 1 << 20        // 1 MiB
/// configuration.metrics = .prometheus(PrometheusCollectorRegistry())   // and serve GET /metrics
/// let server = PredictionServer(workspace: workspace, configuration: configuration)
/// ```
public struct ServerConfiguration: Sendable {
    /// The largest request body read, in bytes (default 10 MB); a larger one is answered
    /// 413 `body_too_large`.
    public var bodyLimit: Int
    /// The most records one prediction request may hold (default 10,000); more are
    /// answered 413 `batch_too_large`.
    public var batchLimit: Int
    /// Where request counts and latencies go.
    public var metrics: ServerMetricsBackend
    /// How often an open report page's event stream looks for changes (default 1 s).
    public var reportRefresh: Duration = .seconds(1)
    /// How long one report event stream lasts before the server ends it (default 5 min;
    /// browsers reconnect on their own), so that open pages never hold a shutdown back long.
    public var reportStreamLimit: Duration = .seconds(300)

    /// A configuration.
    ///
    /// - Parameters:
    ///   - bodyLimit: The largest request body, in bytes (at least 1).
    ///   - batchLimit: The most records per prediction request (at least 1).
    ///   - metrics: Where request metrics go (swift-metrics' bootstrapped system by default).
    public init(bodyLimit: Int = 10_000_000, batchLimit: Int = 10_000, metrics: ServerMetricsBackend = .system) {
        self.bodyLimit = max(bodyLimit, 1)
        self.batchLimit = max(batchLimit, 1)
        self.metrics = metrics
    }
}

/// Where a ``PredictionServer`` records its request metrics: a counter
/// `mlpipe_requests_total` (dimensions `endpoint`, `status`) and a timer
/// `mlpipe_request_duration_seconds` (dimension `endpoint`). Requests without a valid token
/// are counted under the endpoint `-`, so that guessed names never become dimensions.
public enum ServerMetricsBackend: Sendable {
    /// swift-metrics' global `MetricsSystem` (a no-op until the host bootstraps one).
    case system
    /// A Prometheus registry, which the server also serves as text at `GET /metrics`.
    case prometheus(PrometheusCollectorRegistry)
}
