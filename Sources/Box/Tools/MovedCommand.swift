import ArgumentParser
import Foundation
import SystemSupport

/// Where a command that the docs once taught under `appliance` lives now.
package protocol CommandMove {
    /// The old subcommand's name.
    static var name: String { get }
    /// The executable and subcommands it moved to.
    static var destination: [String] { get }
}

/// The commands that left `appliance`: the central office's puller and the lab tools.
package enum Moved {
    package enum Pull: CommandMove {
        package static let name = "pull"
        package static let destination = ["hotline-central", "pull"]
    }
    package enum Simulate: CommandMove {
        package static let name = "simulate"
        package static let destination = ["hotline-lab", "simulate"]
    }
    package enum Exchange: CommandMove {
        package static let name = "exchange"
        package static let destination = ["hotline-lab", "exchange"]
    }
    package enum BenchLines: CommandMove {
        package static let name = "lines"
        package static let destination = ["hotline-lab", "bench", "lines"]
    }
    package enum BenchUplink: CommandMove {
        package static let name = "uplink"
        package static let destination = ["hotline-lab", "bench", "uplink"]
    }
    package enum Characterise: CommandMove {
        package static let name = "characterise"
        package static let destination = ["hotline-lab", "characterise"]
    }
}

/// An old command name kept working: it says where the command moved and, when that
/// executable is installed beside this one or on PATH, runs it there with the same arguments.
/// The firmware does not link the moved code (the central office's HTTP client, the lab tools).
package struct MovedCommand<Move: CommandMove>: ParsableCommand {
    package static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Move.name, abstract: "Moved: now `\(Move.destination.joined(separator: " "))`.", shouldDisplay: false)
    }

    @Argument(parsing: .allUnrecognized, help: "Passed on unchanged.") package var arguments: [String] = []

    package init() {}

    package func run() throws {
        let target = Move.destination.joined(separator: " ")
        FileHandle.standardError.write(Data("note: this command has moved to `\(target)`\n".utf8))
        guard let executable = Self.locate(Move.destination[0]) else {
            throw CommandFailure("\(Move.destination[0]) is not installed beside this program or on PATH; run `\(target) \(arguments.joined(separator: " "))` where it is")
        }
        let argv = [executable] + Move.destination.dropFirst() + arguments
        var cArgs = argv.map { strdup($0) } + [nil]
        execv(executable, &cArgs)
        throw CommandFailure("\(SystemError.last("execv", executable))")
    }

    /// The named executable in this program's directory, else on PATH.
    package static func locate(_ name: String) -> String? {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map { ($0 as NSString).deletingLastPathComponent }
        let path = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map(String.init) ?? []
        return ([own].compactMap { $0 } + path).map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// `appliance bench`: the technician's hardware bench; the lab's benchmarks moved to hotline-lab.
package struct ApplianceBenchCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the configured line hardware (docs/HARDWARE.md); the lab benchmarks are `hotline-lab bench`.",
        subcommands: [HardwareBench.self, MovedCommand<Moved.BenchLines>.self, MovedCommand<Moved.BenchUplink>.self])

}
