import Foundation
import SystemSupport

/// Pulled files, content-addressed: ROOT/sha256/AB/ABCDEF…, named by the SHA-256 of their
/// bytes (the box's ETag for a medium), so a file is stored once however many boxes or pulls
/// bring it, and its name proves its content. A fax also gets its PDF, by the PDF's own digest.
/// Downloads in progress wait in ROOT/staging/NODE/.
package struct MediaStore: Sendable {
    package let root: String

    /// What the store holds for one medium: its file, and for a fax its PDF or why there is none.
    package struct Stored: Codable, Sendable, Equatable {
        package var sha256: String
        package var size: Int
        package var contentType: String
        package var pdf: PDF?
        package var pdfError: String?

        package struct PDF: Codable, Sendable, Equatable {
            package var sha256: String
            package var size: Int
        }
    }

    package init(root: String) { self.root = root }

    package func path(sha256: String) -> String { "\(root)/sha256/\(sha256.prefix(2))/\(sha256)" }

    package func staging(node: String) throws -> String {
        let dir = "\(root)/staging/\(node)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Takes a checked download (`file`, whose digest is `sha256`) into the store; a fax is
    /// converted to PDF as it goes in. The file is gone from where it was afterwards.
    package func put(file: String, sha256: String, size: Int, contentType: String) throws -> Stored {
        try place(file, sha256: sha256)
        var stored = Stored(sha256: sha256, size: size, contentType: contentType)
        if contentType == MediaContentType.tiff {
            do { stored.pdf = try pdf(of: path(sha256: sha256), scratch: file + ".pdf") } catch {
                stored.pdfError = "\(error)"
            }
        }
        return stored
    }

    private func place(_ file: String, sha256: String) throws {
        let target = path(sha256: sha256)
        if FileManager.default.fileExists(atPath: target) {
            try FileManager.default.removeItem(atPath: file)
            return
        }
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try DurableFile.move(file, to: target)
    }

    /// tiff2pdf (libtiff-tools), bounded in time: a TIFF that makes it spin is a fax without a
    /// PDF, never a stuck pull.
    private func pdf(of tiff: String, scratch: String) throws -> Stored.PDF {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try ToolRun.run("/usr/bin/tiff2pdf", ["-o", scratch, tiff], limit: 60, errorFile: scratch + ".err")
        let (size, digest) = try ContentDigest.sha256Hex(file: scratch)
        guard size > 0 else { throw ToolRun.Failure(description: "tiff2pdf wrote an empty PDF") }
        try place(scratch, sha256: digest)
        return .init(sha256: digest, size: size)
    }
}
