import ArgumentParser
import Foundation
import SystemSupport

package struct CtlCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Send one command to the running box over its control socket and print the answer (try: appliance ctl help).")

    @Option(help: "The control socket (default: from the config, or var/control.sock).") package var socket: String?
    @Option(help: "Config file, to find the control socket.") package var config: String?
    @Argument(parsing: .captureForPassthrough, help: "The command, e.g. status, lines, line test 0, cases show 10000012.") package var words: [String] = []

    package func run() throws {
        let path = try socket ?? BoxConfig.forCommand(config).controlSocketPath
        do { print(try ControlServer.ask(path, words.isEmpty ? "help" : words.joined(separator: " ")), terminator: "") } catch {
            throw CommandFailure("\(error)")
        }
    }
}
