import Foundation
import SystemSupport

/// Where the uplink listens when the technician set it at the console (`uplink listen`), the
/// image's config having no `uplink:` section: kept in the data directory, as the node prefix
/// is, so it survives updates of a read-only root and needs no editor on a box without a shell.
/// A config with an `uplink:` section wins.
extension BoxConfig {
    package static func uplinkListenFile(in dataDirectory: String) -> String { "\(dataDirectory)/uplink-listen" }

    /// Serves the uplink where the console said, unless the config has its own section.
    package mutating func adoptStoredUplinkListen() {
        guard !uplink.enabled,
              let text = try? String(contentsOfFile: Self.uplinkListenFile(in: dataDirectory), encoding: .utf8),
              let (host, port) = UplinkConfig.listenAddress(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
        let kept = uplink
        uplink = UplinkConfig(enabled: true, host: host, port: port, certificate: kept.certificate, key: kept.key, trust: kept.trust,
                              retentionDays: kept.retentionDays)
        uplink.bounds = kept.bounds
        uplink.setAtConsole = true
    }

    /// Keeps `address` (HOST:PORT) for the next start, durably.
    package func storeUplinkListen(_ address: String) throws {
        try DurableFile.write(Data((address + "\n").utf8), to: Self.uplinkListenFile(in: dataDirectory))
    }
}
