import Foundation

/// Files that must survive a power cut once written: fsync the file, rename it into place,
/// fsync the directory that now names it.
public enum DurableFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    public static func sync(_ path: String) throws {
        let fd = try SystemCall.check("open", path) { open(path, O_RDONLY) }
        defer { close(fd) }
        try SystemCall.check("fsync", path) { fsync(fd) }
    }

    /// Writes `data` under a temporary name, then renames it to `path`.
    public static func write(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw WriteError(path: temporary, reason: "cannot create the file")
        }
        try sync(temporary)
        try move(temporary, to: path)
    }

    /// Renames `from` over `to` (atomic on one file system) and makes the rename durable.
    public static func move(_ from: String, to path: String) throws {
        try SystemCall.check("rename \(from) to", path) { rename(from, path) }
        try sync((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
    }
}
