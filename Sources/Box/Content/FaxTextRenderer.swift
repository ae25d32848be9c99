import DSP
import Foundation

/// Renders text (Chinese included) onto fax pages with GNU Unifont's 16-pixel bitmap glyphs,
/// scaled for the page, so fax-back documents are made from committed text, not committed
/// images.
package struct FaxTextRenderer {
    private let glyphs: [UInt32: [UInt8]]
    package static let fontPath = "/usr/share/unifont/unifont.hex"

    package struct FontMissing: Error, CustomStringConvertible {
        package var description: String { "cannot read \(FaxTextRenderer.fontPath) (install it with: apt-get install unifont)" }
    }

    /// Reads only the glyphs `text` needs from the .hex font (CODEPOINT:HEXBITS per line).
    package init(for text: String, font: String = FaxTextRenderer.fontPath) throws {
        try self.init(for: [text], font: font)
    }

    /// One pass over the font for several texts: the box renders all its documents at start, and
    /// the font is 57,000 lines.
    package init(for texts: [String], font: String = FaxTextRenderer.fontPath) throws {
        guard let data = FileManager.default.contents(atPath: font) else { throw FontMissing() }
        // U+FFFD too: it is drawn for any character the font lacks.
        let wanted = Set(texts.flatMap { $0.unicodeScalars.map(\.value) } + [0xFFFD])
        glyphs = data.withUnsafeBytes { Self.glyphs(in: $0.bindMemory(to: UInt8.self), wanted: wanted) }
    }

    /// Scans the bytes in place, no line or string copies: a slow box reads the font at every
    /// start. A line whose code point or bits are not hex is skipped.
    private static func glyphs(in font: UnsafeBufferPointer<UInt8>, wanted: Set<UInt32>) -> [UInt32: [UInt8]] {
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var glyphs: [UInt32: [UInt8]] = [:]
        guard let start = font.baseAddress else { return glyphs }
        let base = UnsafeRawPointer(start)
        var i = 0
        while i < font.count {
            let end = memchr(base + i, Int32(UInt8(ascii: "\n")), font.count - i).map { UnsafeRawPointer($0) - base } ?? font.count
            defer { i = end + 1 }
            var code: UInt32 = 0, j = i
            while j < end, j - i < 8, let n = nibble(font[j]) { code = code << 4 | UInt32(n); j += 1 }
            guard j > i, j < end, font[j] == UInt8(ascii: ":"), wanted.contains(code) else { continue }
            var bits: [UInt8] = []
            j += 1
            while j + 1 < end, let high = nibble(font[j]), let low = nibble(font[j + 1]) { bits.append(high << 4 | low); j += 2 }
            glyphs[code] = bits
        }
        return glyphs
    }

    package struct TooManyPages: Error, CustomStringConvertible {
        package let limit: Int
        package var description: String { "renders to more than \(limit) pages" }
    }

    /// Pages of `text`, one line per text line (wrapped at the page width), glyphs scaled 3×.
    /// Rendering stops at page `maxPages + 1`, before it is drawn: a few hundred bytes of
    /// newlines must not cost thousands of page bitmaps.
    package func pages(_ text: String, scale: Int = 3, linesPerPage: Int = 40, maxPages: Int = .max) throws(TooManyPages) -> [FaxPage] {
        let width = FaxPage.standardWidth, margin = 96, lineHeight = 16 * scale + 12
        var rows: [[UInt8]] = []
        var pages: [FaxPage] = []
        func flush() {
            if !rows.isEmpty { pages.append(FaxPage(width: width, rows: rows, linesPerInch: 196)) }
            rows = []
        }
        var textLines: [[Unicode.Scalar]] = []
        let (product, overflow) = maxPages.multipliedReportingOverflow(by: linesPerPage)
        let lineLimit = overflow ? Int.max : product
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var current: [Unicode.Scalar] = [], x = margin
            for s in line.unicodeScalars {
                let w = (glyphs[s.value].map { $0.count == 32 ? 16 : 8 } ?? 8) * scale
                if x + w > width - margin {
                    textLines.append(current); current = []; x = margin
                    guard textLines.count <= lineLimit else { throw TooManyPages(limit: maxPages) }
                }
                current.append(s)
                x += w
            }
            textLines.append(current)
            guard textLines.count <= lineLimit else { throw TooManyPages(limit: maxPages) }
        }
        rows += [[UInt8]](repeating: [UInt8](repeating: 0, count: width / 8), count: 120)
        for (i, line) in textLines.enumerated() {
            if i > 0 && i % linesPerPage == 0 { flush(); rows += [[UInt8]](repeating: [UInt8](repeating: 0, count: width / 8), count: 120) }
            var band = [[UInt8]](repeating: [UInt8](repeating: 0, count: width / 8), count: lineHeight)
            var x = margin
            for s in line {
                let bits = glyphs[s.value] ?? glyphs[0xFFFD] ?? []
                let wide = bits.count == 32
                let glyphWidth = wide ? 16 : 8
                for gy in 0..<16 where !bits.isEmpty {
                    for gx in 0..<glyphWidth {
                        let byte = wide ? bits[gy * 2 + gx / 8] : bits[gy]
                        guard byte & (0x80 >> UInt8(gx % 8)) != 0 else { continue }
                        for dy in 0..<scale { for dx in 0..<scale {
                            let px = x + gx * scale + dx
                            if px < width { band[gy * scale + dy][px / 8] |= 0x80 >> UInt8(px % 8) }
                        } }
                    }
                }
                x += glyphWidth * scale
            }
            rows += band
        }
        rows += [[UInt8]](repeating: [UInt8](repeating: 0, count: width / 8), count: 120)
        flush()
        return pages
    }

    /// Renders every documents/NAME.txt into `directory`/NAME.tif; returns name → TIFF path.
    package static func renderDocuments(from source: String, into directory: String) throws -> [String: String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: source)) ?? []).filter { $0.hasSuffix(".txt") }.map { String($0.dropLast(4)) }
        let texts = try names.map { try String(contentsOfFile: "\(source)/\($0).txt", encoding: .utf8) }
        guard !texts.isEmpty else { return [:] }
        let renderer = try FaxTextRenderer(for: texts)
        var out: [String: String] = [:]
        for (name, text) in zip(names, texts) {
            let tiff = "\(directory)/\(name).tif"
            try FaxDocument.write(try renderer.pages(text), to: tiff)
            out[name] = tiff
        }
        return out
    }
}
