import Foundation
import SystemSupport
import UplinkWire

/// The simplest target: per box, DIR/NODE/changes.jsonl (the journal is its own cursor) and
/// DIR/NODE/media/ID.opus|tif, or ID.gone for a medium the box no longer had.
package struct DirectoryTarget: PullTarget {
    package let directory: String

    package init(directory: String) { self.directory = directory }

    package func open(node: String, url: String) async throws -> any BoxSink {
        let box = "\(directory)/\(node)"
        try FileManager.default.createDirectory(atPath: "\(box)/media", withIntermediateDirectories: true)
        return Sink(journal: try ChangeJournal(path: "\(box)/changes.jsonl"), staging: "\(box)/media")
    }

    private final class Sink: BoxSink, @unchecked Sendable {
        let journal: ChangeJournal
        let staging: String

        init(journal: ChangeJournal, staging: String) {
            self.journal = journal
            self.staging = staging
        }

        func cursor() async throws -> Int { journal.lastSeq }

        func holds(media id: Int) async throws -> Bool {
            ((try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []).contains { $0.hasPrefix("\(id).") && !$0.contains(".part") }
        }

        func keep(media id: Int, file: String, contentType: String, sha256: String, size: Int) async throws {
            try DurableFile.move(file, to: "\(staging)/\(id).\(MediaContentType.fileExtension(contentType))")
        }

        func keepGone(media id: Int) async throws { try DurableFile.write(Data(), to: "\(staging)/\(id).gone") }

        func commit(_ changes: [Change]) async throws { try journal.append(changes) }
    }
}

/// The media types the uplink serves, and the file extensions they are kept under.
package enum MediaContentType {
    package static let tiff = "image/tiff"
    package static let opus = "audio/ogg"
    package static let pdf = "application/pdf"

    package static func fileExtension(_ contentType: String) -> String {
        switch contentType {
        case tiff: "tif"
        case pdf: "pdf"
        default: "opus"
        }
    }
}

/// The changes of one box, one JSON line each, appended and fsynced page by page. A line cut
/// short by a crash is dropped on open, so the journal always ends on a whole change.
package final class ChangeJournal {
    package let path: String
    package private(set) var lastSeq = 0

    package init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let whole = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        if whole < data.count {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.truncate(atOffset: UInt64(whole))
            try handle.synchronize()
            try handle.close()
        }
        if let lastLine = data[..<whole].split(separator: UInt8(ascii: "\n")).last {
            lastSeq = try WireJSON.decode(Change.self, from: Data(lastLine)).seq
        }
    }

    package func append(_ changes: [Change]) throws {
        var data = Data()
        for change in changes where change.seq > lastSeq {
            data += WireJSON.encode(change)
            data.append(UInt8(ascii: "\n"))
            lastSeq = change.seq
        }
        guard !data.isEmpty else { return }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
        try handle.synchronize()
    }
}
