import ArgumentParser
import Foundation
import SystemSupport
import X509

/// Which end's `cert create` this is.
package protocol UplinkEnd {
    static var role: UplinkCertificate.Role { get }
}

package enum BoxEnd: UplinkEnd { package static let role = UplinkCertificate.Role.server }
package enum CentralEnd: UplinkEnd { package static let role = UplinkCertificate.Role.client }

/// `cert create`: a key and leaf certificate for one end of the uplink.
package struct CreateCertificate<End: UplinkEnd>: ParsableCommand {
    package init() {}

    package static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "create",
                             abstract: "Create a P-256 key (NAME.key, mode 0600) and a self-signed leaf certificate (NAME.crt) in DIR.")
    }
    @Option(help: "File name and certificate common name, e.g. box-0571 or central.") package var name: String
    @Option(help: "Directory to write into.") package var out: String
    @Option(name: .customLong("host"), help: "A DNS name or IP address the certificate is valid for (repeat). Default: localhost and 127.0.0.1.")
    package var hosts: [String] = []
    @Option(help: "Days the certificate is valid.") package var days = 3650

    package func run() throws {
        let made = try UplinkCertificate.create(name: name, hosts: hosts.isEmpty ? ["localhost", "127.0.0.1"] : hosts, days: days, role: End.role)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let key = "\(out)/\(name).key", crt = "\(out)/\(name).crt"
        for path in [key, crt] where FileManager.default.fileExists(atPath: path) {
            throw CommandFailure("\(path) exists; remove it first if a new identity is really wanted")
        }
        guard FileManager.default.createFile(atPath: key, contents: Data(made.keyPEM.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure("\(key): cannot write")
        }
        try made.certificatePEM.write(toFile: crt, atomically: true, encoding: .utf8)
        print("wrote \(key) and \(crt)\nfingerprint sha256 \(made.fingerprint)")
    }
}

/// `cert show`: what a certificate says of itself.
package struct ShowCertificate: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a certificate's subject, validity and SHA-256 fingerprint.")
    @Argument package var certificate: String

    package func run() throws {
        guard let text = try? String(contentsOfFile: certificate, encoding: .utf8),
              let parsed = try? Certificate(pemEncoded: text) else { throw CommandFailure("\(certificate): not a readable PEM certificate") }
        print("subject \(parsed.subject)\nvalid \(parsed.notValidBefore) to \(parsed.notValidAfter)\nsha256 \(try UplinkCertificate.fingerprint(parsed))")
    }
}
