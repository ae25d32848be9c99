import ArgumentParser
import UplinkServer
import UplinkWire

/// Keys and certificates for the uplink's mutual TLS: the box's own, and enrolling a central
/// office's certificate on the box.
struct CertificateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Create the box's key and certificate; enrol a central office's certificate on the box.",
        subcommands: [CreateCertificate<BoxEnd>.self, EnrolCertificate.self, ShowCertificate.self])
}
