import Foundation

/// The far end of a pseudo-terminal as the tests read it: a console under test, or the
/// scripted technician typing to one.
public enum PseudoTerminalReader {
    /// Appends what `master` gives to `seen` until `seen` holds `text`, the far end closes, or
    /// `seconds` pass.
    public static func read(_ master: Int32, into seen: inout String, until text: String, within seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while !seen.contains(text) && Date() < deadline {
            var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&fds, 1, 100) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { Glibc.read(master, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            seen += String(decoding: buffer[..<n], as: UTF8.self)
        }
    }
}
