import Foundation

/// The serial console's conversation: PIN login with a lockout, then a shell whose commands go
/// to the box's control socket. Input bytes in, text out; the TTY and the socket are injected,
/// so tests drive it directly or over a pty.
package final class ConsoleSession {
    package struct Lockout: Codable {
        package var failures = 0
        package var lockedUntil = 0.0
    }

    private enum State {
        case pin
        case shell
        case confirming(String)
        case done
    }

    private var editor = LineEditor()
    private var state = State.pin
    private let pinHash: String
    private let lockoutAfter: Int
    private let lockoutSeconds: Int
    private let lockoutFile: String
    private let write: (String) -> Void
    private let ask: (String) -> String
    private let now: () -> Double
    package static let prompt = "hotline> "

    package init(pinHash: String, lockoutAfter: Int, lockoutSeconds: Int, lockoutFile: String, now: @escaping () -> Double = { Date().timeIntervalSince1970 },
         write: @escaping (String) -> Void, ask: @escaping (String) -> String) {
        self.pinHash = pinHash
        self.lockoutAfter = lockoutAfter
        self.lockoutSeconds = lockoutSeconds
        self.lockoutFile = lockoutFile
        self.write = write
        self.ask = ask
        self.now = now
    }

    package var finished: Bool { if case .done = state { true } else { false } }

    package func start() {
        write("\r\n12345 hotline node — technician console\r\n")
        askPIN()
    }

    package func feed(_ byte: UInt8) {
        for output in editor.feed(byte) {
            switch output {
            case .echo(let text): if !text.isEmpty { write(text) }
            case .line(let line): handle(line)
            case .endOfInput: logout()
            }
        }
    }

    private func askPIN() {
        editor.echoes = false
        state = .pin
        write("PIN: ")
    }

    private func handle(_ line: String) {
        switch state {
        case .pin: login(line)
        case .shell: command(line.trimmingCharacters(in: .whitespaces))
        case .confirming(let command):
            if line.trimmingCharacters(in: .whitespaces) == "yes" {
                show(ask("\(command) confirm"))
            } else {
                write("not done\r\n")
            }
            state = .shell
            write(Self.prompt)
        case .done: break
        }
    }

    private func login(_ pin: String) {
        var lock = loadLockout()
        let t = now()
        if lock.lockedUntil > t {
            write("locked after \(lockoutAfter) wrong PINs; try again in \(Int(lock.lockedUntil - t) + 1) s\r\n")
            return askPIN()
        }
        if PINHash.verify(pin, against: pinHash) {
            saveLockout(Lockout())
            editor.echoes = true
            state = .shell
            write("logged in; type help\r\n" + Self.prompt)
            return
        }
        lock.failures += 1
        if lock.failures >= lockoutAfter {
            lock = Lockout(failures: 0, lockedUntil: t + Double(lockoutSeconds))
            write("wrong PIN; console locked for \(lockoutSeconds) s\r\n")
        } else {
            write("wrong PIN\r\n")
        }
        saveLockout(lock)
        askPIN()
    }

    private func command(_ line: String) {
        switch line {
        case "":
            break
        case "help":
            show(ask("help") + "\nlogout                      end the session")
        case "logout", "exit", "quit":
            return logout()
        case "reboot", "shutdown":
            state = .confirming(line)
            write("\(line) the box? type yes to confirm: ")
            return
        default:
            show(ask(line))
        }
        write(Self.prompt)
    }

    private func show(_ text: String) {
        let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
        if !body.isEmpty { write(body.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n") }
    }

    private func logout() {
        write("bye\r\n")
        state = .done
    }

    private func loadLockout() -> Lockout {
        (try? Data(contentsOf: URL(fileURLWithPath: lockoutFile))).flatMap { try? JSONDecoder().decode(Lockout.self, from: $0) } ?? Lockout()
    }

    private func saveLockout(_ lock: Lockout) {
        try? JSONEncoder().encode(lock).write(to: URL(fileURLWithPath: lockoutFile), options: .atomic)
    }
}
