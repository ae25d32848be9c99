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
        print(try Self.enrol(pemFile: certificate, into: settings.uplink.trustDirectory(data: settings.dataDirectory)))
    }

    /// Puts the PEM certificate at `pemFile` into `directory`, the uplink's trust (the CLI, and
    /// the console's `uplink enrol` from a USB stick); what was enrolled, or why not.
    package static func enrol(pemFile: String, into directory: String) throws(CommandFailure) -> String {
        guard let text = try? String(contentsOfFile: pemFile, encoding: .utf8) else { throw CommandFailure("\(pemFile): cannot read") }
        let parsed: Certificate
        do { parsed = try Certificate(pemEncoded: text) } catch { throw CommandFailure("\(pemFile): not a PEM certificate: \(error)") }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let name = (pemFile as NSString).lastPathComponent
            try DurableFile.write(Data(text.utf8), to: "\(directory)/\(name)")
            return "enrolled \(parsed.subject) (sha256 \(try UplinkCertificate.fingerprint(parsed))) in \(directory)"
        } catch { throw CommandFailure("cannot enrol \(pemFile) in \(directory): \(error)") }
    }
}
