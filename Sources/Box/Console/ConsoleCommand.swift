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
    @Option(help: "Print the hash of this PIN for console.pin_hash in the config, and exit.") package var hashPin: String?

    package func run() throws {
        if let pin = hashPin {
            guard pin.count >= 4 else { throw CommandFailure("a PIN has at least 4 characters") }
            print(PINHash.make(pin))
            return
        }
        let settings = try BoxConfig.forCommand(config)
        guard let hash = settings.consolePINHash else {
            throw CommandFailure("no console PIN is configured: put console.pin_hash in the config (make one with: appliance console --hash-pin PIN)")
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
            pinHash: hash, lockoutAfter: settings.consoleLockoutAfter, lockoutSeconds: settings.consoleLockoutSeconds,
            lockoutFile: "\(settings.dataDirectory)/console-lockout.json",
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

    package static let speeds: [Int: speed_t] = [9600: speed_t(B9600), 19200: speed_t(B19200), 38400: speed_t(B38400), 57600: speed_t(B57600), 115_200: speed_t(B115200)]
}
