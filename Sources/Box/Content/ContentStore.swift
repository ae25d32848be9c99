import Foundation
import HotlineModel
import SystemSupport

/// Pushed content on disk, one directory per generation under DATA_DIR/content/KIND/, and a
/// `current` symlink naming the one in force. A push is staged beside the generations, checked,
/// renamed into a generation, and then `current` is swapped by rename: a crash at any point
/// leaves either the old or the new generation in force, never a mixture.
package struct ContentStore: Sendable {
    package let root: String

    package init(dataDirectory: String) { root = "\(dataDirectory)/content" }

    /// The generation in force and its directory, or nil while the config's content serves.
    package func active(_ kind: ContentKind) -> (generation: String, path: String)? {
        let link = "\(root)/\(kind.rawValue)/current"
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else { return nil }
        let path = "\(root)/\(kind.rawValue)/\(target)"
        return FileManager.default.fileExists(atPath: path) ? (target, path) : nil
    }

    /// A fresh, empty directory to unpack a push into.
    package func stage(_ kind: ContentKind) throws -> String {
        let path = "\(root)/\(kind.rawValue)/.staging-\(UUID().uuidString.lowercased())"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Makes a checked staging directory the generation in force; returns its name.
    package func commit(_ staged: String, kind: ContentKind) throws -> String {
        let directory = "\(root)/\(kind.rawValue)"
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let next = (existing.compactMap { $0.hasPrefix("g") ? Int($0.dropFirst()) : nil }.max() ?? 0) + 1
        let generation = "g\(next)"
        for file in (try? FileManager.default.contentsOfDirectory(atPath: staged)) ?? [] { try DurableFile.sync("\(staged)/\(file)") }
        try DurableFile.move(staged, to: "\(directory)/\(generation)")
        let link = "\(directory)/current.new"
        try? FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: generation)
        try DurableFile.move(link, to: "\(directory)/current")
        prune(kind, keeping: generation)
        return generation
    }

    package func discard(_ staged: String) { try? FileManager.default.removeItem(atPath: staged) }

    /// Keeps the generation in force and the one before it (for a technician to compare);
    /// removes older ones and abandoned staging directories.
    private func prune(_ kind: ContentKind, keeping current: String) {
        let directory = "\(root)/\(kind.rawValue)"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let generations = names.compactMap { $0.hasPrefix("g") ? Int($0.dropFirst()) : nil }.sorted()
        for old in generations.dropLast(2) where "g\(old)" != current { try? FileManager.default.removeItem(atPath: "\(directory)/g\(old)") }
        for staging in names where staging.hasPrefix(".staging-") { try? FileManager.default.removeItem(atPath: "\(directory)/\(staging)") }
    }
}
