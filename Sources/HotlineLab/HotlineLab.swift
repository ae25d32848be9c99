import ArgumentParser
import Lab
import SystemSupport

/// `hotline-lab`: simulation and bench tools for development and CI; never shipped on a box.
@main
struct HotlineLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotline-lab",
        abstract: "Simulated callers, the test exchange, benchmarks and detector characterisation.",
        subcommands: [SimulateCommand.self, ExchangeCommand.self, BenchCommand.self, CampaignCommand.self, CharacteriseCommand.self, TerminalCommand.self])

    static func main() { CommandFailure.main(as: Self.self) }
}
