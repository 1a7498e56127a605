public import Foundation
public import Pipelines
import PostgresNIO

// STUB: replace every method with its implementation (see the SQLiteStore file of the same name).
extension PostgresStore {

    public func setEndpoints(_ names: Set<String>, of scope: DeploymentScope, at date: Date) async throws { throw Self.notBuilt }
    public func endpoint(named name: String) async throws -> EndpointRecord? { throw Self.notBuilt }
    public func endpoints() async throws -> [EndpointRecord] { throw Self.notBuilt }
    public func insertToken(_ token: TokenRecord) async throws { throw Self.notBuilt }
    public func tokens(of endpoint: String?) async throws -> [TokenRecord] { throw Self.notBuilt }
    public func token(_ id: TokenID) async throws -> TokenRecord? { throw Self.notBuilt }
    @discardableResult
    public func revokeToken(_ id: TokenID, at date: Date) async throws -> TokenRecord { throw Self.notBuilt }
}
