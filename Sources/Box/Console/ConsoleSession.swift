import Foundation

/// The serial console's conversation: PIN login under the shared lockout (or, on a fresh box,
/// choosing the PIN), then a shell whose commands go to the box's control socket; reboot and
/// shutdown ask for the PIN again. Input bytes in, text out; the TTY and the socket are
/// injected, so tests drive it directly or over a pty.
package final class ConsoleSession {
    private enum State {
        case pin
        case choosing
        case repeating(String)
        case nodePrefix
        case shell
        case confirming(String)
        case done
    }

    private var editor = LineEditor()
    private var state = State.pin
    private let credentials: ConsoleCredentials
    private let lockout: ConsoleLockout
    private let write: (String) -> Void
    private let ask: (String) -> String
    package static let prompt = "hotline> "

    package init(credentials: ConsoleCredentials, lockout: ConsoleLockout, write: @escaping (String) -> Void, ask: @escaping (String) -> String) {
        self.credentials = credentials
        self.lockout = lockout
        self.write = write
        self.ask = ask
    }

    package var finished: Bool { if case .done = state { true } else { false } }

    package func start() {
        write("\r\n12345 hotline node — technician console\r\n")
        if credentials.current == nil {
            write("no console PIN is set on this box yet: choose one now.\r\n")
            secret(.choosing, "new PIN (\(PINHash.minimumDigits) or more digits): ")
        } else {
            secret(.pin, "PIN: ")
        }
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

    /// Asks for something typed without echo.
    private func secret(_ next: State, _ question: String) {
        editor.echoes = false
        state = next
        write(question)
    }

    private func shell(_ text: String = "") {
        editor.echoes = true
        state = .shell
        write(text + Self.prompt)
    }

    private func handle(_ line: String) {
        switch state {
        case .pin: login(line)
        case .choosing:
            if let problem = PINHash.problem(with: line) {
                write("\(problem)\r\n")
                return secret(.choosing, "new PIN: ")
            }
            secret(.repeating(line), "the same PIN again: ")
        case .repeating(let first):
            guard line == first else {
                write("the two PINs differ\r\n")
                return secret(.choosing, "new PIN: ")
            }
            do {
                try credentials.save(try PINHash.make(line))
                write("PIN set\r\n")
                askNodePrefixIfUnset()
            } catch {
                write("the PIN cannot be saved (\(error)); ask for the console's state directory to be fixed\r\n")
                logout()
            }
        case .nodePrefix:
            let answer = ask("node prefix \(line.trimmingCharacters(in: .whitespaces))")
            guard answer.hasPrefix("node prefix set") else {
                show(answer)
                return write(Self.nodePrefixQuestion)
            }
            shell(answer + "\r\ntype help\r\n")
        case .shell: command(line.trimmingCharacters(in: .whitespaces))
        case .confirming(let command):
            if checkPIN(line) { show(ask("\(command) confirm")) } else if !finished { write("not done\r\n") }
            if !finished { shell() }
        case .done: break
        }
    }

    static let nodePrefixQuestion = "this box's node prefix (1-3 digits, from the central office's numbering plan): "

    /// The first login's second question, asked only while neither the config nor an earlier
    /// login has set the prefix (a box that does not answer is not asked: `node prefix N` later).
    private func askNodePrefixIfUnset() {
        guard ask("node").hasPrefix("node prefix not set") else { return shell("type help\r\n") }
        editor.echoes = true
        state = .nodePrefix
        write("acceptance numbers begin with this box's node prefix.\r\n" + Self.nodePrefixQuestion)
    }

    /// One PIN attempt under the lockout; says what happened, true when it was right.
    private func checkPIN(_ pin: String) -> Bool {
        guard let hash = credentials.current else { return false }
        switch lockout.attempt({ PINHash.verify(pin, against: hash) }) {
        case .admitted:
            if PINHash.needsRehash(hash), let upgraded = try? PINHash.make(pin), (try? credentials.save(upgraded)) != nil {
                write("(the stored PIN hash was upgraded to yescrypt)\r\n")
            }
            return true
        case .wrong(let left):
            write("wrong PIN (\(left) \(left == 1 ? "try" : "tries") before the console locks)\r\n")
        case .lockedNow(let seconds):
            write("wrong PIN; console locked for \(seconds) s\r\n")
        case .locked(let left):
            write("locked after \(lockout.after) wrong PINs; try again in \(left) s\r\n")
        case .unavailable(let problem):
            write("login refused: \(problem)\r\n")
        }
        return false
    }

    private func login(_ pin: String) {
        if checkPIN(pin) { shell("logged in; type help\r\n") } else { secret(.pin, "PIN: ") }
    }

    private func command(_ line: String) {
        switch line {
        case "":
            break
        case "help":
            show(ask("help") + "\nlogout                      end the session")
        case "logout", "exit", "quit":
            return logout()
        case "reboot", "shutdown", "reboot confirm", "shutdown confirm":
            let command = String(line.prefix { $0 != " " })
            return secret(.confirming(command), "PIN to \(command) the box: ")
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
}
