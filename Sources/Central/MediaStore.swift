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

/// An external tool run to completion within a time limit; what it said on stderr (kept in a
/// file beside its output, the first 4 kB) is the failure.
package enum ToolRun {
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package static func run(_ tool: String, _ arguments: [String], limit seconds: Double, errorFile: String) throws {
        let name = (tool as NSString).lastPathComponent
        FileManager.default.createFile(atPath: errorFile, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorFile))
        process.standardOutput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch { throw Failure(description: "cannot run \(tool): \(error)") }
        if finished.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            finished.wait()
            throw Failure(description: "\(name) took longer than \(Int(seconds)) s")
        }
        guard process.terminationStatus == 0 else {
            let said = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: errorFile)).read(upToCount: 4096)) ?? nil
            let words = String(decoding: said ?? Data(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: "\(name) failed (status \(process.terminationStatus)): \(words)")
        }
    }
}
