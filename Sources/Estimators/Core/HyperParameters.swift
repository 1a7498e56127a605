/// A hyper-parameter value.
///
/// Encoded exactly, with its type, so that a stored `1.0` never comes back as the
/// integer `1`: `{"int": 5}`, `{"double": 0.5}`, `{"string": "gini"}`, `{"bool": true}`,
/// or `null` for ``none``.
public enum HyperParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)
    /// Python's `None`: allowed only for optional hyper-parameters.
    case none

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .string(let v): return "'\(v)'"
        case .bool(let v): return v ? "True" : "False"
        case .none: return "None"
        }
    }
}

extension HyperParameterValue {
    private enum CodingKeys: String, CodingKey { case int, double, string, bool }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), single.decodeNil() {
            self = .none
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "a hyper-parameter value is null or an object with one key: int, double, string or bool"))
        }
        switch key {
        case .int: self = .int(try container.decode(Int.self, forKey: key))
        case .double: self = .double(try container.decode(Double.self, forKey: key))
        case .string: self = .string(try container.decode(String.self, forKey: key))
        case .bool: self = .bool(try container.decode(Bool.self, forKey: key))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if case .none = self {
            var single = encoder.singleValueContainer()
            try single.encodeNil()
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .int(let v): try container.encode(v, forKey: .int)
        case .double(let v): try container.encode(v, forKey: .double)
        case .string(let v): try container.encode(v, forKey: .string)
        case .bool(let v): try container.encode(v, forKey: .bool)
        case .none: break
        }
    }
}

extension HyperParameterValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .none }
}

/// One hyper-parameter of an estimator: its name (scikit-learn's), type, default,
/// allowed values and a one-line description.
public struct HyperParameterSpec: Sendable, Hashable, Codable {
    /// The allowed values.
    public enum Kind: Sendable, Hashable, Codable {
        /// An integer in `minimum...maximum` (either bound optional).
        case int(minimum: Int?, maximum: Int?)
        /// A real number between the bounds, each inclusive or not.
        case double(minimum: Double?, minimumInclusive: Bool, maximum: Double?, maximumInclusive: Bool)
        /// One of the listed strings.
        case choice([String])
        /// `True` or `False`.
        case bool
        /// A list of integers, each at least `minimum` (scikit-learn's `hidden_layer_sizes`):
        /// one integer, or a string of integers separated by commas, optionally in
        /// parentheses or brackets — `100`, `"100,50"`, `"(100, 50)"`; `"()"` is the empty
        /// list. A string is normalized to its integers joined by commas (`"100,50"`).
        case integers(minimum: Int?)
        /// Any value one of `kinds` accepts, tried in order (scikit-learn's unions such as
        /// `batch_size`: `'auto'` or an integer).
        indirect case oneOf([Kind])
    }

    public let name: String
    public let kind: Kind
    /// Whether `None` is allowed.
    public let isOptional: Bool
    /// scikit-learn's default.
    public let defaultValue: HyperParameterValue
    /// One line saying what it does.
    public let summary: String

    public init(_ name: String, _ kind: Kind, default defaultValue: HyperParameterValue, optional: Bool = false, _ summary: String) {
        self.name = name
        self.kind = kind
        self.isOptional = optional
        self.defaultValue = defaultValue
        self.summary = summary
    }

    /// An integer hyper-parameter.
    public static func int(_ name: String, default value: Int?, min: Int? = nil, max: Int? = nil, optional: Bool = false, _ summary: String) -> HyperParameterSpec {
        HyperParameterSpec(name, .int(minimum: min, maximum: max), default: value.map(HyperParameterValue.int) ?? .none,
                           optional: optional || value == nil, summary)
    }

    /// A real hyper-parameter; bounds are inclusive unless stated.
    public static func double(
        _ name: String, default value: Double?, min: Double? = nil, minInclusive: Bool = true, max: Double? = nil,
        maxInclusive: Bool = true, optional: Bool = false, _ summary: String
    ) -> HyperParameterSpec {
        HyperParameterSpec(name, .double(minimum: min, minimumInclusive: minInclusive, maximum: max, maximumInclusive: maxInclusive),
                           default: value.map(HyperParameterValue.double) ?? .none, optional: optional || value == nil, summary)
    }

    /// A string choice.
    public static func choice(_ name: String, _ choices: [String], default value: String?, optional: Bool = false, _ summary: String) -> HyperParameterSpec {
        HyperParameterSpec(name, .choice(choices), default: value.map(HyperParameterValue.string) ?? .none,
                           optional: optional || value == nil, summary)
    }

    /// A boolean.
    public static func bool(_ name: String, default value: Bool, _ summary: String) -> HyperParameterSpec {
        HyperParameterSpec(name, .bool, default: .bool(value), summary)
    }

    /// A list of integers, each at least `min` (see ``Kind/integers(minimum:)``).
    public static func integers(_ name: String, default value: HyperParameterValue, min: Int? = nil, _ summary: String) -> HyperParameterSpec {
        HyperParameterSpec(name, .integers(minimum: min), default: value, summary)
    }

    /// One of the given kinds, tried in order (see ``Kind/oneOf(_:)``).
    public static func oneOf(_ name: String, _ kinds: [Kind], default value: HyperParameterValue, optional: Bool = false, _ summary: String) -> HyperParameterSpec {
        HyperParameterSpec(name, .oneOf(kinds), default: value, optional: optional, summary)
    }

    /// The value checked and normalized (an integer given for a real becomes a real), or
    /// the reason it is refused.
    public func check(_ value: HyperParameterValue) -> Result<HyperParameterValue, Problem> {
        if case .none = value {
            return isOptional ? .success(.none) : .failure(Problem("\(name) must not be None"))
        }
        switch (kind, value) {
        case let (.int(minimum, maximum), .int(v)):
            if let minimum, v < minimum { return .failure(Problem("\(name) must be ≥ \(minimum), got \(v)")) }
            if let maximum, v > maximum { return .failure(Problem("\(name) must be ≤ \(maximum), got \(v)")) }
            return .success(value)
        case (.double, .int(let v)):
            return check(.double(Double(v)))
        case let (.double(minimum, minimumInclusive, maximum, maximumInclusive), .double(v)):
            guard v.isFinite else { return .failure(Problem("\(name) must be finite, got \(v)")) }
            if let minimum, minimumInclusive ? v < minimum : v <= minimum {
                return .failure(Problem("\(name) must be \(minimumInclusive ? "≥" : ">") \(minimum), got \(v)"))
            }
            if let maximum, maximumInclusive ? v > maximum : v >= maximum {
                return .failure(Problem("\(name) must be \(maximumInclusive ? "≤" : "<") \(maximum), got \(v)"))
            }
            return .success(value)
        case let (.choice(choices), .string(v)):
            return choices.contains(v) ? .success(value)
                : .failure(Problem("\(name) must be one of \(choices.map { "'\($0)'" }.joined(separator: ", ")), got '\(v)'"))
        case (.bool, .bool):
            return .success(value)
        case let (.integers(minimum), .int(v)):
            if let minimum, v < minimum { return .failure(Problem("\(name) must hold integers ≥ \(minimum), got \(v)")) }
            return .success(value)
        case let (.integers(minimum), .string(text)):
            guard let list = Self.integerList(text) else {
                return .failure(Problem("\(name) must be an integer or integers separated by commas such as '100,50', got '\(text)'"))
            }
            if let minimum, let low = list.first(where: { $0 < minimum }) {
                return .failure(Problem("\(name) must hold integers ≥ \(minimum), got \(low)"))
            }
            return .success(.string(list.map(String.init).joined(separator: ",")))
        case (.oneOf(let kinds), _):
            for kind in kinds {
                if case .success(let accepted) = HyperParameterSpec(name, kind, default: defaultValue, summary).check(value) {
                    return .success(accepted)
                }
            }
            return .failure(Problem("\(name) must be \(typeName), got \(value)"))
        default:
            return .failure(Problem("\(name) must be \(typeName), got \(value)"))
        }
    }

    var typeName: String {
        let base: String
        switch kind {
        case .int: base = "an integer"
        case .double: base = "a number"
        case .choice: base = "a string"
        case .bool: base = "True or False"
        case .integers: base = "an integer or integers separated by commas"
        case .oneOf(let kinds): base = kinds.map(Self.requirement).joined(separator: " or ")
        }
        return isOptional ? base + " or None" : base
    }

    /// What a kind accepts, in words ("'auto'", "an integer ≥ 1"), for ``Kind/oneOf(_:)``.
    private static func requirement(_ kind: Kind) -> String {
        switch kind {
        case .int(let minimum, let maximum):
            switch (minimum, maximum) {
            case let (low?, high?): return "an integer in \(low)...\(high)"
            case let (low?, nil): return "an integer ≥ \(low)"
            case let (nil, high?): return "an integer ≤ \(high)"
            case (nil, nil): return "an integer"
            }
        case .double: return "a number"
        case .choice(let choices):
            return choices.count == 1 ? "'\(choices[0])'" : "one of " + choices.map { "'\($0)'" }.joined(separator: ", ")
        case .bool: return "True or False"
        case .integers: return "an integer or integers separated by commas"
        case .oneOf(let kinds): return kinds.map(requirement).joined(separator: " or ")
        }
    }

    /// The integers of `"100,50"`, `"(100, 50)"`, `"[100]"`, `"(100,)"` or `"()"`, or `nil`
    /// when the text is not such a list.
    static func integerList(_ text: String) -> [Int]? {
        var body = Substring(text.filter { !$0.isWhitespace })
        if let first = body.first, let last = body.last, body.count >= 2,
           (first == "(" && last == ")") || (first == "[" && last == "]") {
            body = body.dropFirst().dropLast()
        }
        var items = body.split(separator: ",", omittingEmptySubsequences: false)
        if items.last?.isEmpty == true { items.removeLast() }  // "100," and "()": Python's one-element and empty tuples
        var result: [Int] = []
        for item in items {
            guard let value = Int(item) else { return nil }
            result.append(value)
        }
        return result
    }

    /// Why a value was refused.
    public struct Problem: Error, Sendable, Hashable {
        public let message: String
        init(_ message: String) { self.message = message }
    }
}

/// An estimator's hyper-parameters: the declared specs, in order.
public struct HyperParameterSchema: Sendable, Hashable, Codable {
    public let parameters: [HyperParameterSpec]

    public init(_ parameters: [HyperParameterSpec]) { self.parameters = parameters }

    /// The spec called `name`.
    public subscript(name: String) -> HyperParameterSpec? { parameters.first { $0.name == name } }

    /// Checks `given` values, fills in defaults, and reports **every** problem at once:
    /// unknown names and invalid values.
    ///
    /// - Throws: ``EstimatorError/invalidHyperParameters(estimator:problems:)``.
    public func resolve(_ given: [String: HyperParameterValue], estimator: String) throws(EstimatorError) -> HyperParameters {
        var problems: [String] = []
        let known = Set(parameters.map(\.name))
        for name in given.keys.sorted() where !known.contains(name) {
            problems.append("unknown hyper-parameter '\(name)' (known: \(parameters.map(\.name).joined(separator: ", ")))")
        }
        var values: [String: HyperParameterValue] = [:]
        for spec in parameters {
            switch spec.check(given[spec.name] ?? spec.defaultValue) {
            case .success(let value): values[spec.name] = value
            case .failure(let problem): problems.append(problem.message)
            }
        }
        guard problems.isEmpty else { throw .invalidHyperParameters(estimator: estimator, problems: problems) }
        return HyperParameters(values: values)
    }
}

/// Checked hyper-parameter values with every default filled in.
///
/// Accessors assume the schema's types (they were checked by
/// ``HyperParameterSchema/resolve(_:estimator:)``).
public struct HyperParameters: Sendable, Hashable, Codable {
    /// Every value by name.
    public let values: [String: HyperParameterValue]

    init(values: [String: HyperParameterValue]) { self.values = values }

    public subscript(name: String) -> HyperParameterValue { values[name] ?? .none }

    /// An integer value, or `nil` for `None`.
    public func int(_ name: String) -> Int? {
        if case .int(let v) = self[name] { return v }
        return nil
    }

    /// A real value (an integer converts), or `nil` for `None`.
    public func double(_ name: String) -> Double? {
        switch self[name] {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: return nil
        }
    }

    /// A string value, or `nil` for `None`.
    public func string(_ name: String) -> String? {
        if case .string(let v) = self[name] { return v }
        return nil
    }

    /// A boolean value (`false` when absent).
    public func bool(_ name: String) -> Bool {
        if case .bool(let v) = self[name] { return v }
        return false
    }

    /// A list of integers (see ``HyperParameterSpec/Kind/integers(minimum:)``): one integer
    /// as a one-element list, a string as its integers, or `nil` for `None` or another type.
    public func integers(_ name: String) -> [Int]? {
        switch self[name] {
        case .int(let v): return [v]
        case .string(let text): return HyperParameterSpec.integerList(text)
        default: return nil
        }
    }
}
