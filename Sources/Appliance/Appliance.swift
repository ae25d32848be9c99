import ArgumentParser
import Box
import Foundation
import HotlineModel
import SystemSupport
import UplinkWire

/// `appliance`: what ships on the box. The daemon, the technician's console and tools, and the
/// box's uplink certificate; the central office's puller and the lab tools are other executables
/// (their old names here say where they went).
@main
struct Appliance: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appliance",
        abstract: "District node of the 12345 citizen hotline.",
        version: FirmwareVersion.current,
        subcommands: [RunCommand.self, ConsoleCommand.self, CtlCommand.self, SelfTestCommand.self, DSPCommand.self, ApplianceBenchCommand.self,
                      CertificateCommand.self,
                      MovedCommand<Moved.Pull>.self, MovedCommand<Moved.Simulate>.self, MovedCommand<Moved.Exchange>.self]
    )

    static func main() { CommandFailure.main(as: Self.self) }
}
