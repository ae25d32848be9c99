import Foundation

/// The bytes an unprivileged writer may still use on a file system (statvfs's f_bavail: what
/// the box's own user can fill, not the root-reserved blocks it never gets).
public enum DiskSpace {
    /// nil when the path's file system cannot be asked (gone, or not mounted yet).
    public static func freeBytes(_ path: String) -> Int? {
        var fs = statvfs()
        return statvfs(path, &fs) == 0 ? Int(fs.f_bavail) * Int(fs.f_frsize) : nil
    }
}
