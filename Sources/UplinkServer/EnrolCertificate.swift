import ArgumentParser
import Box
import Foundation
import SystemSupport
import UplinkWire
import X509

/// `appliance cert enrol`: trust a central office's certificate on this box.
package struct EnrolCertificate: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "enrol",
        abstract: "Trust a central office's certificate (PEM) for the uplink; takes effect at the next start.")
    @Argument(help: "The central office's certificate (PEM).") package var certificate: String
    @Option(help: "Config file (YAML); the certificate goes into its uplink trust directory.") package var config: String?

    package func run() throws {
        let settings = try BoxConfig.forCommand(config)
        guard let text = try? String(contentsOfFile: certificate, encoding: .utf8) else { throw CommandFailure("\(certificate): cannot read") }
        let parsed: Certificate
        do { parsed = try Certificate(pemEncoded: text) } catch { throw CommandFailure("\(certificate): not a PEM certificate: \(error)") }
        let directory = settings.uplink.trustDirectory(data: settings.dataDirectory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = (certificate as NSString).lastPathComponent
        try DurableFile.write(Data(text.utf8), to: "\(directory)/\(name)")
        print("enrolled \(parsed.subject) (sha256 \(try UplinkCertificate.fingerprint(parsed))) in \(directory)")
    }
}
