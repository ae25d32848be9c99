import Glibc

/// A file open for reading at any offset (pread), for streaming replies and digests a chunk at
/// a time. Unchecked Sendable: the descriptor never changes and pread keeps no shared position.
public final class FileReader: @unchecked Sendable {
    public static let chunkSize = 64 << 10
    private let fd: Int32
    public let path: String

    public init(_ path: String) throws(SystemError) {
        self.path = path
        fd = try SystemCall.check("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
    }

    /// Up to `count` bytes from `offset`; empty at the end of the file.
    public func read(at offset: Int, upTo count: Int) throws(SystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(0, count))
        let n = try SystemCall.check("read", path) { bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) } }
        bytes.removeLast(bytes.count - n)
        return bytes
    }

    deinit { close(fd) }
}
