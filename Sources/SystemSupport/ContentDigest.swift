import Crypto
import Foundation

/// SHA-256 as lowercase hex: how the store, the uplink's ETags and the puller name a file's
/// content, so all three compare equal text.
public enum ContentDigest {
    public static func sha256Hex(_ data: some DataProtocol) -> String {
        hex(SHA256.hash(data: data))
    }

    /// A file's size and digest, read a chunk at a time: memory stays flat whatever its size.
    public static func sha256Hex(file path: String) throws(SystemError) -> (size: Int, sha256: String) {
        let reader = try FileReader(path)
        var hasher = SHA256()
        var size = 0
        while true {
            let chunk = try reader.read(at: size, upTo: FileReader.chunkSize)
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
            size += chunk.count
        }
        return (size, hex(hasher.finalize()))
    }

    /// Bytes as lowercase hex, the form every digest here is written in.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}

extension Data {
    /// The bytes of hex text (a digest as ContentDigest writes it); pairs that are not hex are skipped.
    public init(hexString: String) {
        var bytes: [UInt8] = []
        var index = hexString.startIndex
        while let next = hexString.index(index, offsetBy: 2, limitedBy: hexString.endIndex), index != next {
            if let b = UInt8(hexString[index..<next], radix: 16) { bytes.append(b) }
            index = next
        }
        self.init(bytes)
    }
}
