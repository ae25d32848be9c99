import ArgumentParser
import Box
import Foundation
import SystemSupport

/// `hotline-lab terminal`: a technician's terminal on the far end of a serial line, driven by a
/// script, so the VM stage can log in to the real console unit over a real UART. The script
/// has one step per line: `send TEXT` types TEXT and Enter; `expect TEXT` waits until TEXT has
/// come back since the last match. Everything received is copied to standard output.
package struct TerminalCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "terminal",
        abstract: "Type a script of send/expect steps into a serial line (a technician at the console).")

    @Option(help: "Serial device of the technician's end.") var tty: String
    @Option(help: "Line speed.") var baud = 115_200
    @Option(help: "Seconds each expect waits.") var timeout = 60
    @Option(help: "Create this file once the line is open and emptied: start the far end only then, or its first words are lost.") var ready: String?
    @Argument(help: "The script: `send TEXT` and `expect TEXT` lines; # starts a comment.") var script: String

    enum Step: Equatable {
        case send(String)
        case expect(String)
    }

    static func steps(_ text: String, file: String) throws -> [Step] {
        try text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { return nil }
            let (verb, rest) = (line.prefix { $0 != " " }, line.drop { $0 != " " }.dropFirst())
            switch verb {
            case "send": return .send(String(rest))
            case "expect" where !rest.isEmpty: return .expect(String(rest))
            default: throw CommandFailure("\(file):\(index + 1): expected `send TEXT` or `expect TEXT`, found \"\(line)\"")
            }
        }
    }

    package func run() throws {
        guard let text = try? String(contentsOfFile: script, encoding: .utf8) else { throw CommandFailure("\(script): cannot read the script") }
        let steps = try Self.steps(text, file: script)
        guard let speed = ConsoleCommand.speeds[baud] else { throw CommandFailure("unsupported baud rate \(baud)") }
        let fd = open(tty, O_RDWR | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw CommandFailure("\(SystemError.last("open", tty))") }
        defer { close(fd) }
        var mode = termios()
        if tcgetattr(fd, &mode) == 0 {
            cfmakeraw(&mode)
            cfsetispeed(&mode, speed)
            cfsetospeed(&mode, speed)
            tcsetattr(fd, TCSANOW, &mode)
        }
        // What the line held before this session (an earlier session's prompt) is not its answer.
        tcflush(fd, TCIFLUSH)
        if let ready, !FileManager.default.createFile(atPath: ready, contents: nil) { throw CommandFailure("\(ready): cannot create the ready file") }
        var heard = [UInt8]()
        for step in steps {
            switch step {
            case .send(let text):
                let bytes = Array((text + "\r").utf8)
                // Typed a key at a time, as a person (or a terminal's paste) sends them.
                for byte in bytes {
                    var b = byte
                    while write(fd, &b, 1) != 1 {
                        guard errno == EAGAIN || errno == EINTR else { throw CommandFailure("\(SystemError.last("write", tty))") }
                        _ = poll(fd, events: Int16(POLLOUT), ms: 100)
                    }
                }
            case .expect(let text):
                let wanted = Array(text.utf8)
                let deadline = ContinuousClock.now + .seconds(timeout)
                while true {
                    if let match = heard.firstRange(of: wanted) {
                        heard.removeSubrange(..<match.upperBound)
                        break
                    }
                    guard ContinuousClock.now < deadline else {
                        throw CommandFailure("\(tty): \"\(text)\" did not come within \(timeout) s; since the last match came \(Self.shown(heard.suffix(240)))")
                    }
                    guard poll(fd, events: Int16(POLLIN), ms: 200) else { continue }
                    var chunk = [UInt8](repeating: 0, count: 512)
                    let n = read(fd, &chunk, chunk.count)
                    if n > 0 {
                        heard += chunk[..<n]
                        FileHandle.standardOutput.write(Data(chunk[..<n]))
                    }
                }
            }
        }
    }

    /// Received bytes as one line of text, control characters escaped, for an error.
    static func shown(_ bytes: ArraySlice<UInt8>) -> String {
        if bytes.isEmpty { return "nothing" }
        let text = String(decoding: bytes, as: UTF8.self).unicodeScalars.map { scalar in
            switch scalar {
            case "\r": "\\r"
            case "\n": "\\n"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: String(scalar)
            }
        }.joined()
        return "\"\(text)\""
    }

    private func poll(_ fd: Int32, events: Int16, ms: Int32) -> Bool {
        var p = pollfd(fd: fd, events: events, revents: 0)
        return Glibc.poll(&p, 1, ms) > 0
    }
}
