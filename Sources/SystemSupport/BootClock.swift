import Glibc

/// Seconds since boot, counting suspend (CLOCK_BOOTTIME): a clock nobody can set, for
/// anything a wall-clock change must not move (retention, lockouts).
package enum BootClock {
    package static func seconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_BOOTTIME, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
