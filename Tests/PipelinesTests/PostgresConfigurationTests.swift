import Foundation
import Pipelines
import PipelinesPostgres
import Testing

@Suite("PostgreSQL store: connection settings from a URL")
struct PostgresConfigurationTests {
    @Test("a URL's user, password, host, port, database and options; the password never shows")
    func fromURL() throws {
        let configuration = try PostgresStoreConfiguration(
            url: "postgres://ml:s%40cret@db.internal:6543/registry?sslmode=require&pool=7&connect_timeout=2.5&schema=team_a", environment: [:])
        #expect(configuration.username == "ml")
        #expect(configuration.password == "s@cret")
        #expect(configuration.host == "db.internal" && configuration.port == 6543)
        #expect(configuration.database == "registry" && configuration.schema == "team_a")
        #expect(configuration.tls == .require && configuration.maximumConnections == 7)
        #expect(configuration.connectTimeout == .milliseconds(2_500))
        #expect(configuration.description == "postgres://ml@db.internal:6543/registry?schema=team_a")
        #expect(!configuration.description.contains("cret"))
    }

    @Test("defaults: port 5432, TLS preferred, 10 connections; the password from PGPASSWORD when the URL has none; a socket folder")
    func defaults() throws {
        let configuration = try PostgresStoreConfiguration(url: "postgresql://ml@localhost/registry", environment: ["PGPASSWORD": "from-env"])
        #expect(configuration.port == 5432 && configuration.tls == .prefer && configuration.maximumConnections == 10)
        #expect(configuration.password == "from-env")
        let socket = try PostgresStoreConfiguration(url: "postgres://ml@localhost:5433/registry?host=/var/run/postgresql", environment: [:])
        #expect(socket.unixSocketPath == "/var/run/postgresql")
        #expect(socket.description == "postgres://ml@socket /var/run/postgresql/registry")
    }

    @Test("bad URLs are refused with what is wrong, never repeating the password")
    func badURLs() {
        let cases: [(String, String)] = [
            ("mysql://ml:pw@h/db", "not a postgres:// URL: mysql://ml:***@h/db"),
            ("postgres://h/db", "names no user"),
            ("postgres://ml:pw@h/", "names no database"),
            ("postgres://ml@h/db?sslmode=sometimes", "sslmode 'sometimes'"),
            ("postgres://ml@h/db?pool=0", "pool must be a positive number"),
            ("postgres://ml@h/db?schema=a;drop", "schema must be letters"),
            ("postgres://ml@h/db?colour=blue", "unknown option 'colour'"),
        ]
        for (url, expected) in cases {
            do {
                _ = try PostgresStoreConfiguration(url: url, environment: [:])
                Issue.record("\(url) was accepted")
            } catch {
                let text = "\(error)"
                #expect(text.contains(expected), "\(url): \(text)")
                #expect(!text.contains(":pw@"), "\(url): the password shows in \(text)")
            }
        }
    }
}
