import Central
import Crypto
import Foundation
import SystemSupport
import Testing
import TestSupport

/// The central office's content-addressed media: a file is named by its digest and kept once,
/// and a fax's PDF comes from tiff2pdf, or a reason instead when the TIFF is not one.
@Suite(.tags(.unit))
struct MediaStoreTests {
    static func digest(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    @Test func aFileIsKeptOnceByItsDigest() throws {
        let scratch = try ScratchDirectory()
        let store = MediaStore(root: scratch.path("store"))
        let bytes = Data("OggS an opus recording".utf8), sha = Self.digest(bytes)
        for copy in 0..<2 {
            let file = scratch.path("download-\(copy)")
            try bytes.write(to: URL(fileURLWithPath: file))
            let stored = try store.put(file: file, sha256: sha, size: bytes.count, contentType: MediaContentType.opus)
            #expect(stored.sha256 == sha && stored.size == bytes.count && stored.contentType == MediaContentType.opus && stored.pdf == nil)
            #expect(!FileManager.default.fileExists(atPath: file))
        }
        #expect(store.path(sha256: sha) == scratch.path("store/sha256/\(sha.prefix(2))/\(sha)"))
        #expect(FileManager.default.contents(atPath: store.path(sha256: sha)) == bytes)
    }

    @Test func aFaxGetsItsPDFAndABrokenOneAReason() throws {
        let scratch = try ScratchDirectory()
        let store = MediaStore(root: scratch.path("store"))
        // A one-page G3 fax TIFF made by another tool than ours.
        try ToolRun.run("/bin/sh", ["-c", "pbmmake -gray 1728 200 | pamtotiff -g4 > '\(scratch.path("page.tif"))'"], limit: 60,
                        errorFile: scratch.path("err"))
        let tiff = try Data(contentsOf: URL(fileURLWithPath: scratch.path("page.tif")))
        let good = try store.put(file: scratch.path("page.tif"), sha256: Self.digest(tiff), size: tiff.count, contentType: MediaContentType.tiff)
        let pdf = try #require(good.pdf, "\(good.pdfError ?? "")")
        let pdfBytes = try #require(FileManager.default.contents(atPath: store.path(sha256: pdf.sha256)))
        #expect(pdfBytes.prefix(5) == Data("%PDF-".utf8) && Self.digest(pdfBytes) == pdf.sha256 && pdfBytes.count == pdf.size)

        let junk = Data("II*\u{0}not a fax at all".utf8)
        try junk.write(to: URL(fileURLWithPath: scratch.path("junk.tif")))
        let bad = try store.put(file: scratch.path("junk.tif"), sha256: Self.digest(junk), size: junk.count, contentType: MediaContentType.tiff)
        #expect(bad.pdf == nil)
        #expect(bad.pdfError?.contains("tiff2pdf failed") == true, "\(bad.pdfError ?? "")")
        #expect(FileManager.default.contents(atPath: store.path(sha256: Self.digest(junk))) == junk)
    }
}
