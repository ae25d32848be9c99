import ArgumentParser
import Box
import Foundation
import SystemSupport

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the box: answer calls on its lines, run the flows, keep cases. Without hardware, 4 simulated lines with demo callers.")

    @Option(help: "Config file (YAML, docs/CONFIG.md). Default: the embedded one (4 simulated lines, data in ./var, demo traffic).")
    var config: String?
    @Option(help: "Stop after this many seconds (default: run until SIGTERM or SIGINT).") var seconds: Double?
    @Flag(help: "Run line time as fast as the CPU allows (demos, tests) instead of in real time.") var virtual = false

    func validate() throws {
        if let seconds, !(seconds.isFinite && seconds > 0 && seconds <= 10 * 365 * 86400) {
            throw ValidationError("--seconds must be a number of seconds above 0")
        }
    }

    func run() throws {
        let daemon = try Daemon(configFile: config, virtual: virtual)
        if try daemon.run(for: seconds.map { .milliseconds(Int64($0 * 1000)) }) == .restartRequested {
            // systemd's Restart=always brings the box back after a requested restart.
            throw ExitCode(75)
        }
    }
}
