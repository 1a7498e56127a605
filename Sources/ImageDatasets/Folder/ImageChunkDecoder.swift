import Crypto
import Dispatch
import ImageDecoding
import Synchronization
import struct Foundation.Data

/// The rows one run of consecutive images gave.
struct DecodedChunk: Sendable {
    /// The features of the decoded images, row-major: `rowCount × featureCount` values.
    var features: [Double] = []
    /// The decoded images' indices in the listing, ascending.
    var imageIndices: [Int] = []
    /// The lowercase hex SHA-256 of each decoded image's file.
    var digests: [String] = []
    /// The images that could not be read or decoded, in listing order.
    var unreadable: [UnreadableImage] = []

    /// The number of rows.
    var rowCount: Int { imageIndices.count }
}

/// Reads, hashes, decodes and preprocesses the listed images on several threads: the
/// images are cut into runs of consecutive ones (chunks), and each worker takes the next
/// chunk not yet taken until none is left. Each chunk's rows are written straight into its
/// own row-major buffer; the chunks are kept by index, so the result is the same for any
/// number of threads.
struct ImageChunkDecoder: Sendable {
    let listing: ImageFolderListing
    let preprocessing: ImagePreprocessing
    let limits: ImageDecodingLimits

    /// The chunks' state shared by the workers: the next chunk to take and the results.
    /// A final class of `Sendable` members (an atomic and a mutex), so it is `Sendable`
    /// without `@unchecked`.
    private final class Work: Sendable {
        let next = Atomic<Int>(0)
        let results: Mutex<[DecodedChunk?]>

        init(chunkCount: Int) {
            results = Mutex([DecodedChunk?](repeating: nil, count: chunkCount))
        }
    }

    /// Every chunk, in listing order, decoded on `threads` threads (at least 1).
    func decodeAll(threads: Int) -> [DecodedChunk] {
        let imageCount = listing.images.count
        let workers = max(1, min(threads, imageCount))
        // Small chunks balance the load; 64 images keep the per-chunk cost negligible.
        let chunkSize = max(1, min(64, imageCount / (workers * 8)))
        let chunkCount = (imageCount + chunkSize - 1) / chunkSize
        let work = Work(chunkCount: chunkCount)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let chunk = work.next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard chunk < chunkCount else { return }
                let range = chunk * chunkSize..<min(imageCount, (chunk + 1) * chunkSize)
                let decoded = decode(range)
                work.results.withLock { $0[chunk] = decoded }
            }
        }
        return work.results.withLock { results in
            results.map { chunk in
                guard let chunk else { preconditionFailure("a chunk of the image folder was not decoded") }
                return chunk
            }
        }
    }

    /// The images at `range`, read and decoded one after the other.
    func decode(_ range: Range<Int>) -> DecodedChunk {
        let featureCount = preprocessing.featureCount
        var imageIndices: [Int] = [], digests: [String] = [], unreadable: [UnreadableImage] = []
        imageIndices.reserveCapacity(range.count)
        digests.reserveCapacity(range.count)
        let features = [Double](unsafeUninitializedCapacity: range.count * featureCount) { buffer, initialized in
            for index in range {
                let image = listing.images[index]
                switch load(image) {
                case .failure(let error):
                    unreadable.append(UnreadableImage(path: image.relativePath, error: error))
                case .success(let (decoded, digest)):
                    let start = imageIndices.count * featureCount
                    preprocessing.writeFeatures(
                        of: decoded, into: UnsafeMutableBufferPointer(rebasing: buffer[start..<start + featureCount]))
                    imageIndices.append(index)
                    digests.append(digest)
                }
            }
            initialized = imageIndices.count * featureCount
        }
        return DecodedChunk(features: features, imageIndices: imageIndices, digests: digests, unreadable: unreadable)
    }

    /// One image's file read, hashed and decoded; errors name the relative path.
    private func load(_ image: ImageFolderListing.Image) -> Result<(DecodedImage, String), ImageDecodingError> {
        let data: Data
        do {
            data = try FileBytes.contents(atPath: listing.path(of: image))
        } catch {
            return .failure(.unreadable(file: image.relativePath, reason: error.reason))
        }
        do {
            let decoded = try ImageDecoder.decode(data: data, name: image.relativePath, limits: limits)
            return .success((decoded, Self.hexDigest(of: data)))
        } catch {
            return .failure(error)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The lowercase hex SHA-256 of `data`.
    static func hexDigest(of data: Data) -> String {
        let digest = SHA256.hash(data: data)
        return String(unsafeUninitializedCapacity: 2 * SHA256.byteCount) { buffer in
            var position = 0
            for byte in digest {
                buffer[position] = hexDigits[Int(byte >> 4)]
                buffer[position + 1] = hexDigits[Int(byte & 0x0F)]
                position += 2
            }
            return position
        }
    }
}
