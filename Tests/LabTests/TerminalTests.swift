import CPseudoTerminal
import Foundation
import Testing
import TestSupport

/// `hotline-lab terminal`, the VM stage's technician, on a pseudo-terminal: what the line held
/// before the session is not taken for an answer, and an expect that fails says what came.
@Suite(.tags(.system), .skippedInFastRun) struct TerminalTests {
    @Test func aStalePromptIsNotAnAnswerAndAFailureSaysWhatCame() throws {
        let scratch = try ScratchDirectory()
        var name = [CChar](repeating: 0, count: 128)
        let master = cpty_open_master(&name, name.count)
        try #require(master >= 0)
        defer { close(master) }
        // An earlier session's console left its prompt on the line before this terminal opened.
        type("PIN: ", to: master)
        try "send 246810\nexpect logged in\n".write(toFile: scratch.path("login.chat"), atomically: true, encoding: .utf8)

        let terminal = Process()
        terminal.executableURL = URL(fileURLWithPath: Tool.lab)
        terminal.arguments = ["terminal", "--tty", String(cString: name), "--timeout", "2", "--ready", scratch.path("ready"), scratch.path("login.chat")]
        let errors = Pipe()
        terminal.standardError = errors
        terminal.standardOutput = FileHandle.nullDevice
        try terminal.run()

        // The console answers the PIN it was typed, in two lines and with a control character.
        var typed = ""
        PseudoTerminalReader.read(master, into: &typed, until: "246810\r", within: 10)
        #expect(typed.hasSuffix("246810\r"))
        type("\u{7}wrong PIN\r\nPIN: ", to: master)
        terminal.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(terminal.terminationStatus != 0)
        #expect(FileManager.default.fileExists(atPath: scratch.path("ready")), "the far end is told when the line is open")
        #expect(message.contains("\"logged in\" did not come within 2 s"))
        #expect(message.contains("since the last match came \"\\x07wrong PIN\\r\\nPIN: \""), "\(message)")
    }

    private func type(_ text: String, to fd: Int32) {
        _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
