import Tabular

/// The body of `POST /v1/endpoints/{name}/predictions`: `{"records": [{feature: value}, …]}`
/// or `{"record": {feature: value}}` (one record, answered as a batch of one).
///
/// Reading never throws a parser's error for the records: it throws a ``ServerError``
/// naming the record (and the feature) at fault, so the client hears where.
enum PredictionRequest {
    /// The records of a body.
    ///
    /// - Throws: `malformed_json` when the body is not JSON (checked first, for the whole
    ///   body), `invalid_request` when it is not a list of records (naming the record, and
    ///   the feature of a repeated one), `invalid_input` naming the record and feature of a
    ///   value that is no feature value (a list, an object, a number out of range).
    /// - Complexity: O(n) in the body's length.
    static func records(in body: UnsafeRawBufferPointer) throws(ServerError) -> [[String: Value]] {
        let document: JSONValue
        do {
            document = try JSONReader.value(in: body)
        } catch {
            throw .malformedJSON("\(error.message) (at byte \(error.offset))")
        }
        guard case .object(let members) = document else {
            throw ServerError.invalidRequest(#"the body must be an object: {"records": [{feature: value, …}]} or {"record": {…}}"#)
        }
        if let unknown = members.map(\.key).sorted().first(where: { $0 != "records" && $0 != "record" }) {
            throw ServerError.invalidRequest("unknown key '\(unknown)': the body holds \"records\" (a list) or \"record\" (one)")
        }
        let lists = members.filter { $0.key == "records" }
        let singles = members.filter { $0.key == "record" }
        switch (lists.count, singles.count) {
        case (1, 0):
            guard case .array(let elements) = lists[0].value else {
                throw ServerError.invalidRequest("\"records\" must be a list of objects")
            }
            guard !elements.isEmpty else { throw ServerError.invalidRequest("\"records\" is empty: send at least one record") }
            var records: [[String: Value]] = []
            records.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                records.append(try record(element, at: index))
            }
            return records
        case (0, 1):
            return [try record(singles[0].value, at: 0)]
        case (0, 0):
            throw ServerError.invalidRequest(#"missing "records": the body is {"records": [{feature: value, …}]} or {"record": {…}}"#)
        case (let list, let single) where list > 1 || single > 1:
            throw ServerError.invalidRequest("the body repeats the key \"\(list > 1 ? "records" : "record")\"")
        default:
            throw ServerError.invalidRequest("send either \"records\" or \"record\", not both")
        }
    }

    /// Record `index` as feature values.
    private static func record(_ element: JSONValue, at index: Int) throws(ServerError) -> [String: Value] {
        guard case .object(let fields) = element else {
            throw ServerError.invalidRequest("record \(index) must be an object of feature names to values", record: index)
        }
        var values: [String: Value] = [:]
        values.reserveCapacity(fields.count)
        for member in fields {
            let (feature, field) = (member.key, member.value)
            let value: Value
            switch field {
            case .null: value = .missing
            case .boolean(let flag): value = .boolean(flag)
            case .integer(let integer): value = .integer(integer)
            case .number(let number) where number.isFinite: value = .numeric(number)
            case .string(let text): value = .categorical(text)
            case .number, .array, .object:
                let kind = switch field {
                case .array: "a list"
                case .object: "an object"
                default: "a number out of range"
                }
                throw ServerError(
                    status: .unprocessableContent, code: "invalid_input",
                    message: "record \(index), feature '\(feature)': \(kind) is not a feature value (a number, string, boolean or null)",
                    record: index, feature: feature)
            }
            guard values.updateValue(value, forKey: feature) == nil else {
                throw ServerError.invalidRequest(
                    "record \(index) gives feature '\(feature)' more than once", record: index, feature: feature)
            }
        }
        return values
    }
}
