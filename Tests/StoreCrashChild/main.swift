// A child process for the crash test (Tests/PipelinesTests/ReliabilityTests.swift): it
// saves models and deploys them on a store as fast as it can, printing "committed <model id>"
// after each save returns, until it is killed with SIGKILL.
//
//   StoreCrashChild <store: an SQLite path or a postgres:// URL> <pipeline id> <seed>
import Crypto
import Foundation
import Pipelines
import PipelinesPostgres
import PipelinesSQLite
import Tabular

/// The artifact of a model: 4 KiB derived from its id, so the parent can check it intact.
func artifact(for id: ModelID) -> Data {
    var bytes = Data()
    var block = Data(SHA256.hash(data: Data(id.rawValue.utf8)))
    while bytes.count < 4_096 {
        bytes.append(block)
        block = Data(SHA256.hash(data: block))
    }
    return bytes
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let seed = UInt64(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: StoreCrashChild <SQLite path or postgres:// URL> <pipeline id> <seed>\n".utf8))
    exit(2)
}
let pipelineID = PipelineID(arguments[2])
let schema = FeatureSchema(features: [Schema.Field(name: "x", type: .numeric)], label: "y", labelType: .numeric, classes: nil)

do {
    let location = arguments[1]
    let store: any PipelineStorage = location.hasPrefix("postgres://")
        ? try await PostgresStore(url: location) : try SQLiteStore(path: location)
    var counter = seed &* 1_000_000
    while true {
        counter += 1
        let record = ModelRecord(
            origin: .pipeline(pipelineID), repositoryID: nil, version: 1, estimator: "Ridge", task: .regression,
            hyperParameters: ["alpha": .double(Double(counter))], status: .saved, validationScore: nil, trainingSeconds: 0,
            meanPredictionSeconds: nil, schema: schema, lineage: nil, createdAt: Date())
        try await store.insertModel(record, artifact: artifact(for: record.id))
        FileHandle.standardOutput.write(Data("committed \(record.id.rawValue)\n".utf8))  // unbuffered write(2)
        let current = try await store.deployment(in: .pipeline(pipelineID))?.modelID
        _ = try await store.swapDeployment(in: .pipeline(pipelineID), to: record.id, expecting: .current(current))
        FileHandle.standardOutput.write(Data("deployed \(record.id.rawValue)\n".utf8))
    }
} catch {
    FileHandle.standardError.write(Data("StoreCrashChild: \(error)\n".utf8))
    exit(1)
}
