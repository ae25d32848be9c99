import ArgumentParser
import HotlineModel
import SystemSupport
import UplinkWire

/// `hotline-central`: what the central office runs against its district's boxes.
@main
package struct HotlineCentral: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "hotline-central",
        abstract: "The 12345 hotline's central office: pull boxes' cases, calls and media into PostgreSQL; keep the inventory of boxes.",
        version: FirmwareVersion.current,
        subcommands: [PullCommand.self, BoxCommand.self, PushCommand.self, ServeCommand.self, DeskCommand.self, CertificateCommand.self])

    package static func main() { CommandFailure.main(as: Self.self) }
}
