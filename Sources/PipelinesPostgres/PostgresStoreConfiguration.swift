public import Foundation
import NIOSSL
import Pipelines
import PostgresNIO

/// Where a ``PostgresStore`` connects and how: server, credentials, TLS, pool size and
/// timeouts. Made from a `postgres://` URL, or field by field.
///
/// ```swift
/// let configuration = try PostgresStoreConfiguration(url: "postgres://ml@db.internal:5432/registry?sslmode=require&pool=10")
/// ```
///
/// The password comes from the URL or, when the URL has none, from `PGPASSWORD`; it is never
/// part of ``description`` or of any error.
public struct PostgresStoreConfiguration: Sendable, CustomStringConvertible {
    /// How the connection is protected.
    public enum TLSMode: String, Sendable, Hashable {
        /// No TLS (loopback, a Unix socket, a private network you trust).
        case disable
        /// TLS when the server offers it (postgres-nio's default).
        case prefer
        /// TLS or no connection; the server's certificate is verified.
        case require
    }

    /// The server's host name or address (ignored with ``unixSocketPath``).
    public var host: String
    /// Its port.
    public var port: Int
    /// The folder of the server's Unix socket, or the socket file itself, instead of TCP.
    public var unixSocketPath: String?
    /// The role to log in as.
    public var username: String
    /// Its password, if it needs one (never printed).
    public var password: String?
    /// The database.
    public var database: String
    /// The schema (namespace) the store's tables live in, created when missing (nil: the
    /// role's default, `public`). Several registries can share one database this way.
    public var schema: String?
    /// TLS: ``TLSMode/prefer`` by default.
    public var tls: TLSMode
    /// The most connections the pool opens (default 10).
    public var maximumConnections: Int
    /// How long opening a connection may take (default 10 s).
    public var connectTimeout: Duration
    /// How many times a transaction the server could not serialize is tried in all
    /// (default 20), with a short random pause growing with each try.
    public var maximumAttempts: Int

    /// A configuration, field by field.
    public init(
        host: String = "127.0.0.1", port: Int = 5432, unixSocketPath: String? = nil, username: String, password: String? = nil,
        database: String, schema: String? = nil, tls: TLSMode = .prefer, maximumConnections: Int = 10, connectTimeout: Duration = .seconds(10),
        maximumAttempts: Int = 20
    ) {
        self.host = host
        self.port = port
        self.unixSocketPath = unixSocketPath
        self.username = username
        self.password = password
        self.database = database
        self.schema = schema
        self.tls = tls
        self.maximumConnections = maximumConnections
        self.connectTimeout = connectTimeout
        self.maximumAttempts = maximumAttempts
    }

    /// A configuration from a URL: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?OPTIONS]`
    /// (`postgresql://` too). Options: `sslmode=disable|prefer|require` (`verify-full` is
    /// `require`), `pool=N` (maximum connections), `connect_timeout=SECONDS`, `host=/socket/dir`
    /// (a Unix socket instead of TCP, as libpq reads it), `schema=NAME` (``schema``).
    ///
    /// - Parameter environment: Where `PGPASSWORD` is read when the URL has no password.
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` saying what is wrong with the URL (the
    ///   password is never repeated).
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql"
        else {
            throw StoreError.backend("not a postgres:// URL: \(Self.redacted(text))")
        }
        guard let username = components.user?.removingPercentEncoding, !username.isEmpty else {
            throw StoreError.backend("the URL \(Self.redacted(text)) names no user (postgres://USER@HOST/DATABASE)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else {
            throw StoreError.backend("the URL \(Self.redacted(text)) names no database (postgres://USER@HOST/DATABASE)")
        }
        self.init(host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: username,
                  password: components.password?.removingPercentEncoding ?? environment["PGPASSWORD"],
                  database: database.removingPercentEncoding ?? database)
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                switch value {
                case "disable", "allow": tls = .disable
                case "prefer": tls = .prefer
                case "require", "verify-ca", "verify-full": tls = .require
                default: throw StoreError.backend("sslmode '\(value)' is not one of disable, prefer, require, verify-full")
                }
            case "pool":
                guard let size = Int(value), size >= 1 else { throw StoreError.backend("pool must be a positive number of connections, not '\(value)'") }
                maximumConnections = size
            case "connect_timeout":
                guard let seconds = Double(value), seconds > 0 else { throw StoreError.backend("connect_timeout must be a positive number of seconds, not '\(value)'") }
                connectTimeout = .milliseconds(Int64(seconds * 1_000))
            case "host":
                unixSocketPath = value
            case "schema":
                guard Self.isPlainName(value) else {
                    throw StoreError.backend("schema must be letters, digits and '_', starting with a letter, not '\(value)'")
                }
                schema = value
            default:
                throw StoreError.backend("unknown option '\(item.name)' in the URL (sslmode, pool, connect_timeout, host, schema)")
            }
        }
    }

    /// `postgres://USER@HOST:PORT/DATABASE` (never the password).
    public var description: String {
        let place = unixSocketPath.map { "socket \($0)" } ?? "\(host):\(port)"
        return "postgres://\(username)@\(place)/\(database)" + (schema.map { "?schema=\($0)" } ?? "")
    }

    /// Whether `name` can name a schema without quoting: a letter, then letters, digits, `_`.
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= 63, first.properties.isAlphabetic, first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    /// A URL with its password replaced by `***`.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "(a URL)"
    }

    /// postgres-nio's client configuration.
    func clientConfiguration() -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let unixSocketPath {
            // libpq's `host=/dir` names the folder; the socket in it is named after the port.
            var isFolder: ObjCBool = false
            let socket = FileManager.default.fileExists(atPath: unixSocketPath, isDirectory: &isFolder) && isFolder.boolValue
                ? URL(fileURLWithPath: unixSocketPath).appendingPathComponent(".s.PGSQL.\(port)").path : unixSocketPath
            configuration = PostgresClient.Configuration(unixSocketPath: socket, username: username, password: password, database: database)
        } else {
            let mode: PostgresClient.Configuration.TLS
            switch tls {
            case .disable: mode = .disable
            case .prefer: mode = .prefer(.makeClientConfiguration())
            case .require: mode = .require(.makeClientConfiguration())
            }
            configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: mode)
        }
        configuration.options.maximumConnections = maximumConnections
        if let schema { configuration.options.additionalStartupParameters = [("search_path", schema)] }
        configuration.options.connectTimeout = connectTimeout
        return configuration
    }
}
