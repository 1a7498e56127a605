import Foundation
public import Pipelines
import PostgresNIO

// STUB: replace every method with its implementation (see the SQLiteStore file of the same name).
extension PostgresStore {

    public func deployment(in scope: DeploymentScope) async throws -> DeploymentRecord? { throw Self.notBuilt }
    public func swapDeployment(in scope: DeploymentScope, to model: ModelID?, expecting expected: DeploymentExpectation) async throws -> DeploymentSwap { throw Self.notBuilt }
    public func deploymentHistory(in scope: DeploymentScope) async throws -> [DeploymentRecord] { throw Self.notBuilt }
}
