// The one rule of what a restored deployment history may be
// (``DeploymentStore/restoreDeploymentHistory(_:in:)``): every store checks it with this
// function before its own, store-specific checks.

extension DeploymentRecord {
    /// Checks that `records` are a whole history a store could have written for `scope`,
    /// and returns the model it leaves deployed. Stores call it first in
    /// ``DeploymentStore/restoreDeploymentHistory(_:in:)``.
    ///
    /// The rules: every record is of `scope`; the first replaces nothing (its
    /// ``previousModelID`` is nil); each next one replaces the model the record before
    /// deployed; and each changes the deployed model (a swap to the model deployed already
    /// appends nothing). Dates are not compared: a history keeps the clock's dates as they
    /// were, even when the clock was set back.
    ///
    /// ```swift
    /// let deployed = try DeploymentRecord.validateRestoredHistory(records, in: .pipeline(id))
    /// ```
    ///
    /// - Parameters:
    ///   - records: The history, oldest first.
    ///   - scope: The scope it is restored into.
    /// - Returns: The last record's model (nil when the history ends undeployed, or is empty).
    /// - Throws: ``StoreError/invalidDeploymentHistory(scope:index:reason:)`` naming the
    ///   first record that breaks a rule, and which.
    public static func validateRestoredHistory(_ records: [DeploymentRecord], in scope: DeploymentScope) throws(StoreError) -> ModelID? {
        var deployed: ModelID?
        for (index, record) in records.enumerated() {
            func invalid(_ reason: String) -> StoreError { .invalidDeploymentHistory(scope: scope, index: index, reason: reason) }
            guard record.scope == scope else { throw invalid("it belongs to \(record.scope)") }
            guard record.previousModelID == deployed else {
                throw invalid("its previous model is \(name(record.previousModelID)), but \(name(deployed)) was deployed "
                    + (index == 0 ? "before the first record" : "by the record before"))
            }
            guard record.modelID != deployed else { throw invalid("it deploys \(name(deployed)), which was deployed already") }
            deployed = record.modelID
        }
        return deployed
    }

    /// A model's identifier, or "no model".
    private static func name(_ model: ModelID?) -> String { model.map { "model \($0)" } ?? "no model" }
}
