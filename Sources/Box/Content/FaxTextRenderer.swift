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
        guard let data = FileManager.default.contents(atPath: font) else { throw FontMissing() }
        let wanted = Set(text.unicodeScalars.map(\.value))
        var glyphs: [UInt32: [UInt8]] = [:]
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
                  let code = UInt32(String(decoding: line[line.startIndex..<colon], as: UTF8.self), radix: 16),
                  wanted.contains(code) else { continue }
            let hex = Array(line[(colon + 1)...])
            glyphs[code] = stride(from: 0, to: hex.count - 1, by: 2).compactMap { UInt8(String(decoding: hex[$0...$0 + 1], as: UTF8.self), radix: 16) }
        }
        self.glyphs = glyphs
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
        var out: [String: String] = [:]
        for file in (try? FileManager.default.contentsOfDirectory(atPath: source)) ?? [] where file.hasSuffix(".txt") {
            let name = String(file.dropLast(4))
            let text = try String(contentsOfFile: "\(source)/\(file)", encoding: .utf8)
            let tiff = "\(directory)/\(name).tif"
            try FaxDocument.write(try FaxTextRenderer(for: text).pages(text), to: tiff)
            out[name] = tiff
        }
        return out
    }
}
