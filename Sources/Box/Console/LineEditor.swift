/// Line editing for a dumb serial terminal: printable characters echo, backspace erases with
/// "\b \b", Ctrl-U clears the line, Ctrl-P/Ctrl-N (or the arrow keys, when the terminal sends
/// them) walk the history, Ctrl-C abandons the line, Ctrl-D on an empty line logs out. No other
/// escape sequences are sent, so it works on any terminal.
package struct LineEditor {
    package enum Output: Equatable {
        case echo(String)
        case line(String)
        case endOfInput
    }

    package private(set) var buffer: [Character] = []
    package private(set) var history: [String] = []
    private var recall: Int?
    private var escape: [UInt8] = []
    /// Echo characters (false while a PIN is typed).
    package var echoes = true

    package init() {}

    package mutating func feed(_ byte: UInt8) -> [Output] {
        if !escape.isEmpty || byte == 0x1B { return handleEscape(byte) }
        switch byte {
        case 0x0D, 0x0A:
            let line = String(buffer)
            buffer = []
            recall = nil
            if echoes && !line.trimmingCharacters(in: .whitespaces).isEmpty && history.last != line { history.append(line) }
            if history.count > 50 { history.removeFirst() }
            return [.echo("\r\n"), .line(line)]
        case 0x08, 0x7F:
            guard !buffer.isEmpty else { return [] }
            buffer.removeLast()
            return echoes ? [.echo("\u{8} \u{8}")] : []
        case 0x15:
            return replace(with: "")
        case 0x03:
            buffer = []
            recall = nil
            return [.echo("^C\r\n"), .line("")]
        case 0x04:
            return buffer.isEmpty ? [.endOfInput] : []
        case 0x10:
            return older()
        case 0x0E:
            return newer()
        case 0x20...0x7E:
            guard buffer.count < 200 else { return [] }
            let c = Character(Unicode.Scalar(byte))
            buffer.append(c)
            return [.echo(echoes ? String(c) : "")]
        default:
            return []
        }
    }

    private mutating func handleEscape(_ byte: UInt8) -> [Output] {
        escape.append(byte)
        guard escape.count >= 3 || (escape.count == 2 && byte != UInt8(ascii: "[")) else { return [] }
        defer { escape = [] }
        switch escape {
        case [0x1B, 0x5B, 0x41]: return older()
        case [0x1B, 0x5B, 0x42]: return newer()
        default: return []
        }
    }

    private mutating func older() -> [Output] {
        guard echoes, !history.isEmpty else { return [] }
        let i = max(0, (recall ?? history.count) - 1)
        recall = i
        return replace(with: history[i])
    }

    private mutating func newer() -> [Output] {
        guard echoes, let r = recall else { return [] }
        if r + 1 < history.count {
            recall = r + 1
            return replace(with: history[r + 1])
        }
        recall = nil
        return replace(with: "")
    }

    private mutating func replace(with text: String) -> [Output] {
        let erase = String(repeating: "\u{8} \u{8}", count: echoes ? buffer.count : 0)
        buffer = Array(text)
        return [.echo(erase + (echoes ? text : ""))]
    }
}
