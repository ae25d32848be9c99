import Foundation
import SystemSupport

/// The console's PIN lockout, shared by every session on the box: read, checked and written
/// under an exclusive lock on its file (flock), so parallel sessions cannot try more PINs than
/// the limit between them. Time is boot time (CLOCK_BOOTTIME), which setting the clock does not
/// move; across a reboot a lock keeps the time it had left.
package struct ConsoleLockout: Sendable {
    package struct State: Codable, Equatable, Sendable {
        package var failures = 0
        /// Boot seconds at which the lock lifts (0: not locked).
        package var lockedUntil = 0.0
        /// Boot seconds and boot when this was saved.
        package var savedAt = 0.0
        package var bootID = ""
    }

    package enum Outcome: Equatable, Sendable {
        case admitted
        case wrong(triesLeft: Int)
        /// This attempt was the last allowed one.
        case lockedNow(seconds: Int)
        case locked(secondsLeft: Int)
        /// The state cannot be read or saved: login is refused, with why.
        case unavailable(String)
    }

    package let file: String
    package let after: Int
    package let seconds: Int
    private let clock: @Sendable () -> (seconds: Double, bootID: String)

    package init(file: String, after: Int, seconds: Int,
                 clock: @escaping @Sendable () -> (seconds: Double, bootID: String) = { (BootClock.seconds(), ConsoleLockout.bootID) }) {
        self.file = file
        self.after = after
        self.seconds = seconds
        self.clock = clock
    }

    package static var bootID: String {
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
    }

    /// One PIN attempt: `check` (the slow hash) runs only when not locked, and inside the lock,
    /// so attempts from every session are counted in turn.
    package func attempt(_ check: () -> Bool) -> Outcome {
        let lockPath = file + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .unavailable("the lockout state cannot be opened (\(SystemError.last("open", lockPath))); login is refused until it can") }
        defer { close(fd) }
        guard SystemCall.result({ flock(fd, LOCK_EX) }) == 0 else { return .unavailable("the lockout state cannot be locked (\(SystemError.last("flock", lockPath)))") }
        defer { flock(fd, LOCK_UN) }
        var state: State
        switch load() {
        case .success(let s): state = s
        case .failure(let problem): return .unavailable(problem.description)
        }
        let now = clock()
        if state.bootID != now.bootID, state.lockedUntil > 0 {
            // Rebooted while locked: the lock keeps the time it had left.
            state.lockedUntil = now.seconds + max(0, state.lockedUntil - state.savedAt)
        }
        let outcome: Outcome
        if state.lockedUntil > now.seconds {
            // Saved too, so the time left is measured from now should the box reboot.
            outcome = .locked(secondsLeft: Int(state.lockedUntil - now.seconds) + 1)
        } else if check() {
            state = State()
            outcome = .admitted
        } else {
            state.failures += 1
            state.lockedUntil = 0
            if state.failures >= after {
                state = State(failures: 0, lockedUntil: now.seconds + Double(seconds))
                outcome = .lockedNow(seconds: seconds)
            } else {
                outcome = .wrong(triesLeft: after - state.failures)
            }
        }
        state.savedAt = now.seconds
        state.bootID = now.bootID
        if let problem = save(state) { return .unavailable(problem) }
        return outcome
    }

    private struct Unreadable: Error, CustomStringConvertible { let description: String }

    private func load() -> Result<State, Unreadable> {
        guard FileManager.default.fileExists(atPath: file) else { return .success(State()) }
        guard let data = FileManager.default.contents(atPath: file) else {
            return .failure(Unreadable(description: "the lockout state \(file) cannot be read; login is refused until it can (check its owner and mode)"))
        }
        do { return .success(try JSONDecoder().decode(State.self, from: data)) } catch {
            return .failure(Unreadable(description: "the lockout state \(file) is damaged; login is refused until root removes it"))
        }
    }

    private func save(_ state: State) -> String? {
        do {
            try DurableFile.write(try JSONEncoder().encode(state), to: file)
            return nil
        } catch {
            return "the lockout state cannot be saved (\(error)); login is refused until it can"
        }
    }
}
