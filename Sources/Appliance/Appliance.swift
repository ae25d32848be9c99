import ArgumentParser
import Foundation

@main
struct Appliance: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appliance",
        abstract: "District node of the 12345 citizen hotline.",
        subcommands: [RunCommand.self, ConsoleCommand.self, CtlCommand.self, SimulateCommand.self, SelfTestCommand.self, DSPCommand.self, BenchCommand.self,
                      CertificateCommand.self, PullCommand.self, ExchangeCommand.self]
    )

    /// Bad input (a file the user named, a value out of range) exits 2 with one clear line;
    /// everything else goes through ArgumentParser's usual handling.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
            Foundation.exit(2)
        } catch {
            exit(withError: error)
        }
    }
}
