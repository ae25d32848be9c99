import Box
import DSP
import Foundation
import Testing
import TestSupport

/// Fax-back documents are drawn from the .hex font at every start, so its reader must take only
/// well-formed lines and lose none: not the last line without a newline, not a lower-case one.
@Suite(.tags(.unit)) struct FaxTextRendererTests {
    static let full = String(repeating: "F", count: 32), fullWide = String(repeating: "f", count: 64)

    static func blackPixels(_ pages: [FaxPage]) -> Int {
        pages.flatMap(\.rows).joined().reduce(0) { $0 + $1.nonzeroBitCount }
    }

    @Test(arguments: [
        // A narrow glyph and a wide one, the wide one last without a newline.
        ("0041:\(full)\n4e2d:\(fullWide)", "A中", (8 + 16) * 16 * 9),
        // Malformed lines around them are skipped, a glyph nobody asked for is not drawn.
        ("zz41:\(full)\n0041\n0041;\(full)\n\n0042:\(full)\n0041:\(full)\r\n", "A", 8 * 16 * 9),
        // A character the font lacks is drawn as U+FFFD, here one row of a narrow glyph.
        ("FFFD:FF\(String(repeating: "0", count: 30))\n", "Z", 8 * 9),
        // Odd trailing bits and a code point past 8 digits are dropped, not misread.
        ("000000041:\(full)\n0041:F", "A", 0),
    ])
    func glyphsComeOnlyFromWellFormedLines(font: String, text: String, black: Int) throws {
        let dir = try ScratchDirectory()
        let path = dir.path("font.hex")
        try font.write(toFile: path, atomically: true, encoding: .utf8)
        let pages = try FaxTextRenderer(for: text, font: path).pages(text)
        #expect(Self.blackPixels(pages) == black)
    }

    @Test func oneFontPassServesEveryDocument() throws {
        let dir = try ScratchDirectory()
        let path = dir.path("font.hex")
        try "0041:\(Self.full)\n4E2D:\(Self.fullWide)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let renderer = try FaxTextRenderer(for: ["A", "中"], font: path)
        #expect(Self.blackPixels(try renderer.pages("A")) == 8 * 16 * 9)
        #expect(Self.blackPixels(try renderer.pages("中")) == 16 * 16 * 9)
    }

    @Test func aMissingFontSaysHowToInstallIt() {
        let error = #expect(throws: FaxTextRenderer.FontMissing.self) { try FaxTextRenderer(for: "A", font: "/nonexistent/unifont.hex") }
        #expect(error?.description.contains("apt-get install unifont") == true)
    }
}
