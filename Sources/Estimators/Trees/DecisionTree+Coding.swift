import Foundation

/// How a ``DecisionTree`` is stored in a model payload: its node arrays as base64 strings
/// of little-endian bytes (4 per `Int32`, the IEEE 754 bits of each `Double` in 8), so a
/// forest of 100 trees of 2,000 nodes encodes in a few milliseconds without a JSON number
/// per node — and without the tens of megabytes such an encoding holds while it runs.
///
/// Payloads written before (payload version 1: the node arrays as JSON arrays of numbers)
/// decode too. The bytes are exact: every threshold and value decodes to the same bits.
/// The node statistics (`impurity`, `weightedSampleCounts`) are written the same way when
/// the tree has them; payloads without them (written before they were stored) decode to a
/// tree whose statistics are `nil`.
extension DecisionTree {
    private enum CodingKeys: String, CodingKey {
        case feature, threshold, left, right, values, valueWidth, impurity, weightedSampleCounts
    }

    /// Decodes a tree written by ``encode(to:)`` or as JSON arrays of numbers.
    ///
    /// - Throws: `DecodingError` for a malformed array (a string that is not base64, or
    ///   whose length is not a whole number of elements). The structure is checked later by
    ///   ``validate(featureCount:valueWidth:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            feature: try Self.decodeArray(Int32.self, forKey: .feature, in: container),
            threshold: try Self.decodeArray(Double.self, forKey: .threshold, in: container),
            left: try Self.decodeArray(Int32.self, forKey: .left, in: container),
            right: try Self.decodeArray(Int32.self, forKey: .right, in: container),
            values: try Self.decodeArray(Double.self, forKey: .values, in: container),
            valueWidth: try container.decode(Int.self, forKey: .valueWidth),
            impurity: container.contains(.impurity) ? try Self.decodeArray(Double.self, forKey: .impurity, in: container) : nil,
            weightedSampleCounts: container.contains(.weightedSampleCounts)
                ? try Self.decodeArray(Double.self, forKey: .weightedSampleCounts, in: container) : nil)
    }

    /// Encodes the node arrays as base64 strings of little-endian bytes.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.packed(feature), forKey: .feature)
        try container.encode(Self.packed(threshold), forKey: .threshold)
        try container.encode(Self.packed(left), forKey: .left)
        try container.encode(Self.packed(right), forKey: .right)
        try container.encode(Self.packed(values), forKey: .values)
        try container.encode(valueWidth, forKey: .valueWidth)
        if let impurity { try container.encode(Self.packed(impurity), forKey: .impurity) }
        if let weightedSampleCounts { try container.encode(Self.packed(weightedSampleCounts), forKey: .weightedSampleCounts) }
    }

    private static func packed<Element: LittleEndianCodable>(_ elements: [Element]) -> String {
        var bytes = [UInt8](repeating: 0, count: elements.count * Element.byteWidth)
        bytes.withUnsafeMutableBytes { raw in
            for (index, element) in elements.enumerated() {
                raw.storeBytes(of: element.littleEndianBits, toByteOffset: index * Element.byteWidth, as: Element.Bits.self)
            }
        }
        return Data(bytes).base64EncodedString()
    }

    private static func decodeArray<Element: LittleEndianCodable & Decodable>(
        _ type: Element.Type, forKey key: CodingKeys, in container: KeyedDecodingContainer<CodingKeys>
    ) throws -> [Element] {
        guard let text = try? container.decode(String.self, forKey: key) else {
            // Payload version 1: a JSON array of numbers.
            return try container.decode([Element].self, forKey: key)
        }
        guard let data = Data(base64Encoded: text), data.count % Element.byteWidth == 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container,
                debugDescription: "'\(key.stringValue)' is not base64 of whole \(Element.byteWidth)-byte little-endian values")
        }
        let count = data.count / Element.byteWidth
        return data.withUnsafeBytes { raw in
            (0..<count).map { index in
                Element(littleEndianBits: raw.loadUnaligned(fromByteOffset: index * Element.byteWidth, as: Element.Bits.self))
            }
        }
    }
}

/// A fixed-width number stored as little-endian bits in a tree payload.
protocol LittleEndianCodable {
    associatedtype Bits: FixedWidthInteger
    static var byteWidth: Int { get }
    var littleEndianBits: Bits { get }
    init(littleEndianBits: Bits)
}

extension Int32: LittleEndianCodable {
    static var byteWidth: Int { 4 }
    var littleEndianBits: UInt32 { UInt32(bitPattern: littleEndian) }
    init(littleEndianBits: UInt32) { self = Int32(littleEndian: Int32(bitPattern: littleEndianBits)) }
}

extension Double: LittleEndianCodable {
    static var byteWidth: Int { 8 }
    var littleEndianBits: UInt64 { bitPattern.littleEndian }
    init(littleEndianBits: UInt64) { self = Double(bitPattern: UInt64(littleEndian: littleEndianBits)) }
}
