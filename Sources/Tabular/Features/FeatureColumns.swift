/// The columns a ``FeatureEncoder`` reads: a decoded ``Table``, or a stored table encoding
/// read in place (``TableEncodingView``), whose numbers the encoder copies straight into
/// the design matrix.
package protocol FeatureColumns {
    /// The number of rows.
    var rowCount: Int { get }
    /// The type of column `name`.
    ///
    /// - Throws: ``TabularError/unknownColumn(_:available:)``.
    func columnType(named name: String) throws(TabularError) -> ColumnType
    /// Column `name`, decoded.
    ///
    /// - Throws: ``TabularError/unknownColumn(_:available:)`` (or a decoding error).
    func column(named name: String) throws(TabularError) -> Column
    /// The values of numeric column `name` as little-endian IEEE 754 doubles, read in
    /// place, when it has no missing values and is stored that way; nil otherwise (the
    /// encoder then reads ``column(named:)``).
    func storedDoubles(named name: String) -> UnsafeRawBufferPointer?
}

extension Table: FeatureColumns {
    /// The type of column `name`.
    ///
    /// - Throws: ``TabularError/unknownColumn(_:available:)``.
    package func columnType(named name: String) throws(TabularError) -> ColumnType {
        try column(named: name).type
    }

    /// Nil: a table's columns are read through ``column(named:)``.
    package func storedDoubles(named name: String) -> UnsafeRawBufferPointer? { nil }
}
