import Foundation
import HotlineModel
import SystemSupport

/// Where the box's node prefix comes from: the config (`node_prefix:`), or the technician at the
/// first console login, kept in the data directory so it survives updates of a read-only root
/// (the image's config is a conffile the technician may never edit). Until one of them sets
/// it, acceptance numbers use the default prefix and the console asks for it.
package enum NodePrefixSource: String, Sendable {
    case config
    case console
    case unset
}

extension BoxConfig {
    package static func nodePrefixFile(in dataDirectory: String) -> String { "\(dataDirectory)/node-prefix" }

    /// Takes the prefix set at the console unless the config names one.
    package mutating func adoptStoredNodePrefix() {
        guard nodePrefixSource != .config,
              let text = try? String(contentsOfFile: Self.nodePrefixFile(in: dataDirectory), encoding: .utf8),
              let stored = NodePrefix(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
        nodePrefix = stored
        nodePrefixSource = .console
    }

    /// Keeps `prefix` for the next start (durably: a power cut leaves the old file or the new one).
    package func storeNodePrefix(_ prefix: NodePrefix) throws {
        try DurableFile.write(Data((prefix.digits + "\n").utf8), to: Self.nodePrefixFile(in: dataDirectory))
    }
}
