import ArgumentParser
import Foundation
import SystemSupport

package struct ConsoleCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The technician's shell on a serial line (raw termios, no ANSI needed): PIN login, then box commands.")

    @Option(help: "Serial device (default: this terminal).") package var tty: String?
    @Option(help: "Line speed.") package var baud = 115_200
    @Option(help: "Box config (for the PIN hash, lockout and control socket).") package var config: String?
    @Option(help: "Control socket (default: from the config).") package var socket: String?
    @Option(help: "Where the PIN and the lockout are kept (default: $STATE_DIRECTORY from systemd, else DATA_DIR/console).") package var state: String?
    @Flag(help: "Read a PIN (from the terminal without echo, twice, or one line of stdin), print its hash for console.pin_hash, and exit.")
    package var hashPin = false

    package func run() throws {
        if hashPin {
            let pin = try Self.readPIN()
            if let problem = PINHash.problem(with: pin) { throw CommandFailure(problem) }
            print(try PINHash.make(pin))
            return
        }
        let settings = try BoxConfig.forCommand(config)
        let directory = state ?? ProcessInfo.processInfo.environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init)
            ?? "\(settings.dataDirectory)/console"
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
            throw CommandFailure("\(directory): the console's state directory cannot be made: \(error)")
        }
        guard let speed = Self.speeds[baud] else { throw CommandFailure("unsupported baud rate \(baud) (use 9600, 19200, 38400, 57600 or 115200)") }
        let fd: Int32 = tty.map { open($0, O_RDWR | O_NOCTTY) } ?? STDIN_FILENO
        guard fd >= 0 else { throw CommandFailure("\(SystemError.last("open", tty ?? "stdin"))") }
        let output = tty == nil ? STDOUT_FILENO : fd
        var saved = termios()
        let isTerminal = tcgetattr(fd, &saved) == 0
        if isTerminal {
            var raw = saved
            cfmakeraw(&raw)
            cfsetispeed(&raw, speed)
            cfsetospeed(&raw, speed)
            tcsetattr(fd, TCSANOW, &raw)
        }
        defer { if isTerminal { tcsetattr(fd, TCSANOW, &saved) } }
        let path = socket ?? settings.controlSocketPath
        let session = ConsoleSession(
            credentials: ConsoleCredentials(file: "\(directory)/pin", configured: settings.consolePINHash),
            lockout: ConsoleLockout(file: "\(directory)/lockout.json", after: settings.consoleLockoutAfter, seconds: settings.consoleLockoutSeconds),
            write: { text in _ = Array(text.utf8).withUnsafeBytes { Glibc.write(output, $0.baseAddress, $0.count) } },
            ask: { command in
                do { return try ControlServer.ask(path, command) } catch { return "error: \(error)" }
            })
        session.start()
        var byte: UInt8 = 0
        while !session.finished {
            let n = read(fd, &byte, 1)
            if n == 1 { session.feed(byte) } else if n == 0 || (n < 0 && errno != EINTR) { break }
        }
    }

    /// The PIN from the terminal (echo off, asked twice) or from one line of standard input, so
    /// it never appears in `ps` or a shell's history.
    static func readPIN() throws -> String {
        func line() -> String { (Swift.readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespaces) }
        var saved = termios()
        guard isatty(STDIN_FILENO) == 1, tcgetattr(STDIN_FILENO, &saved) == 0 else { return line() }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        defer { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
        FileHandle.standardError.write(Data("PIN: ".utf8))
        let first = line()
        FileHandle.standardError.write(Data("\nthe same PIN again: ".utf8))
        let second = line()
        FileHandle.standardError.write(Data("\n".utf8))
        guard first == second else { throw CommandFailure("the two PINs differ") }
        return first
    }

    package static let speeds: [Int: speed_t] = [9600: speed_t(B9600), 19200: speed_t(B19200), 38400: speed_t(B38400), 57600: speed_t(B57600), 115_200: speed_t(B115200)]
}
