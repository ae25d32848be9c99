import Glibc

/// The process's own resource limits, for sizing pools and caps below them.
package enum ProcessLimits {
    /// The soft limit on open descriptors (systemd's LimitNOFILE), or nil when unknown.
    package static var openFiles: Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return Int(clamping: limit.rlim_cur)
    }
}
