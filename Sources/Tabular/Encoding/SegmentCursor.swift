/// A position in bytes kept in segments read or written one after another (the chunks of
/// ``ChunkedBytes``): the one walk over segments that ``ByteReader`` and
/// ``FixedByteWriter`` share. It knows the segments' lengths only; its owner holds the
/// pointers.
struct SegmentCursor {
    /// The segments' lengths, in order; none is zero.
    private let lengths: [Int]
    /// The segment at the cursor, and the position in it.
    private var segment = 0
    private var position = 0
    /// The bytes passed so far.
    private(set) var offset = 0
    /// The bytes in all segments.
    let count: Int

    /// A cursor at the start of segments of these lengths (zeros are not allowed: filter
    /// empty segments out first, see ``nonEmpty(_:)``).
    init(lengths: [Int]) {
        precondition(!lengths.contains { $0 <= 0 }, "a segment cursor was given an empty segment")
        self.lengths = lengths
        count = lengths.reduce(0, +)
    }

    /// The bytes not passed yet.
    var bytesLeft: Int { count - offset }

    /// The next `length` bytes (which must be left) as a segment and a position in it when
    /// they lie in one segment, moving past them; nil, without moving, when they cross
    /// segments.
    mutating func contiguous(_ length: Int) -> (segment: Int, position: Int)? {
        precondition(length > 0 && length <= bytesLeft, "a segment cursor moved past its end")
        if position == lengths[segment] {
            segment += 1
            position = 0
        }
        guard length <= lengths[segment] - position else { return nil }
        defer {
            position += length
            offset += length
        }
        return (segment, position)
    }

    /// The next run of bytes in one segment, at most `length` long (some must be left),
    /// moving past it: how a copy across segments proceeds, run by run.
    mutating func nextRun(upTo length: Int) -> (segment: Int, position: Int, length: Int) {
        precondition(length > 0 && bytesLeft > 0, "a segment cursor moved past its end")
        if position == lengths[segment] {
            segment += 1
            position = 0
        }
        let run = (segment: segment, position: position, length: min(length, lengths[segment] - position))
        position += run.length
        offset += run.length
        return run
    }

    /// The non-empty buffers of `segments`, in order.
    static func nonEmpty<Buffer: Collection>(_ segments: [Buffer]) -> [Buffer] { segments.filter { !$0.isEmpty } }
}
