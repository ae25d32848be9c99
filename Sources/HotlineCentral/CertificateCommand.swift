import ArgumentParser
import UplinkWire

/// The central office's key and certificate for the uplink's mutual TLS.
struct CertificateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Create the central office's key and certificate; show a box's.",
        subcommands: [CreateCertificate<CentralEnd>.self, ShowCertificate.self])
}
