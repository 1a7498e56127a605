/// Why a cron expression or a trigger schedule could not be parsed, and where.
///
/// ```swift
/// do {
///     _ = try CronExpression("0 24 * * *")
/// } catch {
///     print(error)  // invalid cron expression '0 24 * * *': hour field, column 3: value 24 is out of range 0–23
/// }
/// ```
public struct CronError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// The text has no fields at all.
        case empty
        /// The expression does not have five fields.
        case wrongFieldCount(found: Int)
        /// An `@` word that is not one of the supported shortcuts.
        case unknownShortcut(String)
        /// Text after a shortcut.
        case unexpectedText(String)
        /// A value that is neither a number nor a name the field accepts.
        case invalidValue(String)
        /// A number outside the field's range.
        case outOfRange(value: Int, range: ClosedRange<Int>)
        /// A range whose start is after its end.
        case reversedRange(lower: Int, upper: Int)
        /// An empty element in a list, as in `1,,2` or `1,`.
        case emptyListItem
        /// A step that is not a number.
        case invalidStep(String)
        /// A step of zero.
        case stepMustBePositive
        /// An "every … days" schedule whose count is not a whole number.
        case invalidInterval(String)
        /// An "every N days" schedule with N below 1.
        case intervalMustBePositive

        /// The problem in words.
        public var description: String {
            switch self {
            case .empty: "the expression is empty"
            case .wrongFieldCount(let found): "expected 5 fields, found \(found)"
            case .unknownShortcut(let name): "unknown shortcut '\(name)'"
            case .unexpectedText(let text): "unexpected '\(text)' after the shortcut"
            case .invalidValue(let text): "'\(text)' is not a valid value"
            case .outOfRange(let value, let range):
                "value \(value) is out of range \(range.lowerBound)–\(range.upperBound)"
            case .reversedRange(let lower, let upper): "range \(lower)-\(upper) is reversed"
            case .emptyListItem: "empty list element"
            case .invalidStep(let text): "step '\(text)' is not a number"
            case .stepMustBePositive: "step must be ≥ 1"
            case .invalidInterval(let text):
                "'\(text)' is not a number of days (expected 'every day' or 'every N days')"
            case .intervalMustBePositive: "the interval must be ≥ 1 day"
            }
        }
    }

    /// The whole text that failed to parse.
    public let expression: String
    /// The field at fault, or `nil` for problems with the expression as a whole.
    public let field: CronExpression.Field?
    /// The 1-based column (in characters) where the problem starts in ``expression``.
    public let column: Int
    /// What is wrong.
    public let reason: Reason

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - expression: The whole text that failed to parse.
    ///   - field: The field at fault, or `nil`.
    ///   - column: The 1-based column where the problem starts.
    ///   - reason: What is wrong.
    public init(expression: String, field: CronExpression.Field?, column: Int, reason: Reason) {
        self.expression = expression
        self.field = field
        self.column = column
        self.reason = reason
    }

    /// E.g. `invalid cron expression '0 24 * * *': hour field, column 3: value 24 is out of range 0–23`.
    public var description: String {
        let kind: String
        switch reason {
        case .invalidInterval, .intervalMustBePositive: kind = "schedule"
        default: kind = "cron expression"
        }
        let place = field.map { "\($0.rawValue) field, column \(column)" } ?? "column \(column)"
        return "invalid \(kind) '\(expression)': \(place): \(reason)"
    }
}
