import Pipelines

extension PostgresStore {
    /// STUB marker: remove this file once no method throws it.
    static var notBuilt: StoreError { StoreError.backend("not built yet") }
}
