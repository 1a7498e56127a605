import Foundation
import Pipelines

/// A wall clock that runs `rate` times faster than real time from `origin` (where it reads
/// the real time): a test aid, so a `* * * * *` schedule fires every few real seconds.
/// `mlpipe scheduler` uses it when `MLPIPE_CLOCK_RATE` is set (and `MLPIPE_CLOCK_ORIGIN`,
/// seconds since 1970, when several processes must agree on the time; by default, now).
struct AcceleratedClock: WallClock {
    /// Where the accelerated time starts, equal to the real time there.
    let origin: Date
    /// How many seconds of this clock pass per real second.
    let rate: Double

    /// The accelerated time now.
    var now: Date { origin.addingTimeInterval(Date().timeIntervalSince(origin) * rate) }

    /// Sleeps until this clock reaches `deadline` (a `rate`-th of the time in real seconds).
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled.
    func sleep(until deadline: Date) async throws {
        try Task.checkCancellation()
        while true {
            let remaining = deadline.timeIntervalSince(now) / rate
            guard remaining > 0 else { return }
            try await Task.sleep(for: .seconds(min(remaining, 60)))
        }
    }

    /// The clock `MLPIPE_CLOCK_RATE` and `MLPIPE_CLOCK_ORIGIN` ask for, or nil when the rate
    /// is not set.
    ///
    /// - Throws: ``CommandFailure`` for a rate that is not a positive number or an origin
    ///   that is not a number of seconds.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AcceleratedClock? {
        guard let rateText = environment["MLPIPE_CLOCK_RATE"] else { return nil }
        guard let rate = Double(rateText), rate.isFinite, rate > 0 else {
            throw CommandFailure("MLPIPE_CLOCK_RATE must be a positive number, not '\(rateText)'")
        }
        guard let originText = environment["MLPIPE_CLOCK_ORIGIN"] else { return AcceleratedClock(origin: Date(), rate: rate) }
        guard let seconds = Double(originText), seconds.isFinite else {
            throw CommandFailure("MLPIPE_CLOCK_ORIGIN must be seconds since 1970, not '\(originText)'")
        }
        return AcceleratedClock(origin: Date(timeIntervalSince1970: seconds), rate: rate)
    }
}
