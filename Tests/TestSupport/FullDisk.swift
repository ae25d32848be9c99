import Foundation

/// A real full disk for a test: a small tmpfs of its own in a scratch directory, which the test
/// fills to the last byte. Mounting needs root (CI runs as root); `FullDisk.canMount` lets a
/// test say it was skipped elsewhere. The test unmounts it (`defer { disk.unmount() }`) before
/// its scratch directory goes: a local may be released right after its last use, so the
/// unmount is not left to a deinit.
public final class FullDisk {
    public static let canMount = getuid() == 0
    public let path: String

    public init(in scratch: ScratchDirectory, kib: Int = 1024) throws {
        path = scratch.path("disk")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("hotline-test", path, "tmpfs", 0, "size=\(kib)k") == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
        }
    }

    public func unmount() { umount(path) }

    /// Writes `name` until the file system refuses another byte; returns its path.
    @discardableResult public func fill(_ name: String) -> String {
        let file = "\(path)/\(name)"
        let fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x55, count: 64 << 10)
        var size = chunk.count
        while size > 0 {
            if chunk.withUnsafeBytes({ write(fd, $0.baseAddress, size) }) < size { size /= 2 }
        }
        return file
    }
}
