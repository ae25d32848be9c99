import CSpanDSP
import Foundation

public enum FaxDocumentError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notTIFF(path: String, found: String)
    case badPage(path: String, page: Int, reason: String)
    case unwritable(path: String, reason: String)
    case tooManyPages(path: String, limit: Int)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): "\(p): cannot read: \(r)"
        case .notTIFF(let p, let f): "\(p): not a TIFF file (starts with \(f))"
        case .badPage(let p, let n, let r): "\(p): page \(n): \(r)"
        case .unwritable(let p, let r): "\(p): cannot write: \(r)"
        case .tooManyPages(let p, let limit): "\(p): more than \(limit) pages"
        }
    }
}

/// One bilevel fax page: rows of packed bits, most significant bit first, 1 = black.
public struct FaxPage: Equatable, Sendable {
    public static let standardWidth = 1728
    public var width: Int
    public var rows: [[UInt8]]
    /// Vertical resolution in lines per inch (98 standard, 196 fine).
    public var linesPerInch: Int

    public init(width: Int = FaxPage.standardWidth, rows: [[UInt8]], linesPerInch: Int = 196) {
        self.width = width
        self.rows = rows
        self.linesPerInch = linesPerInch
    }

    public var bytesPerRow: Int { (width + 7) / 8 }
}

/// TIFF-F documents through libtiff: checked before a fax session uses them (SpanDSP would
/// otherwise fail late and vaguely), decoded for comparison, and written for test pages and
/// generated fax-back documents.
public enum FaxDocument {
    /// Widths SpanDSP's T.4 coder accepts (A4, B4, A3 at 8 pixels/mm).
    public static let validWidths: Set<Int> = [1728, 2048, 2432]

    /// Reads every page, checking that it is something a fax machine can send. Beyond
    /// `maxPages` it stops before decoding the next page, so a file of thousands of pages costs
    /// no more than the limit.
    public static func read(_ path: String, maxPages: Int = .max) throws(FaxDocumentError) -> [FaxPage] {
        _ = spanDSPTablesReady
        try checkMagic(path)
        guard let tiff = TIFFOpen(path, "r") else { throw .unreadable(path: path, reason: "libtiff cannot open it") }
        defer { TIFFClose(tiff) }
        var pages: [FaxPage] = []
        repeat {
            let number = pages.count + 1
            guard number <= maxPages else { throw .tooManyPages(path: path, limit: maxPages) }
            var width: UInt32 = 0, length: UInt32 = 0, bits: UInt16 = 1, samples: UInt16 = 1, photometric: UInt16 = 0
            var yres: Float = 0, unit: UInt16 = 2
            guard cspandsp_tiff_get_u32(tiff, UInt32(TIFFTAG_IMAGEWIDTH), &width) == 1,
                  cspandsp_tiff_get_u32(tiff, UInt32(TIFFTAG_IMAGELENGTH), &length) == 1 else {
                throw .badPage(path: path, page: number, reason: "no image width or length")
            }
            _ = cspandsp_tiff_get_u16(tiff, UInt32(TIFFTAG_BITSPERSAMPLE), &bits)
            _ = cspandsp_tiff_get_u16(tiff, UInt32(TIFFTAG_SAMPLESPERPIXEL), &samples)
            _ = cspandsp_tiff_get_u16(tiff, UInt32(TIFFTAG_PHOTOMETRIC), &photometric)
            guard bits == 1, samples == 1 else {
                throw .badPage(path: path, page: number, reason: "\(bits)-bit, \(samples)-sample image; fax needs 1-bit black and white")
            }
            guard validWidths.contains(Int(width)) else {
                throw .badPage(path: path, page: number, reason: "width \(width) pixels; fax needs 1728, 2048 or 2432")
            }
            guard length > 0, length <= 20_000 else { throw .badPage(path: path, page: number, reason: "length \(length) rows") }
            if cspandsp_tiff_get_float(tiff, UInt32(TIFFTAG_YRESOLUTION), &yres) != 1 {
                throw .badPage(path: path, page: number, reason: "no vertical resolution")
            }
            _ = cspandsp_tiff_get_u16(tiff, UInt32(TIFFTAG_RESOLUTIONUNIT), &unit)
            let lpi = unit == UInt16(RESUNIT_CENTIMETER) ? Int((yres * 2.54).rounded()) : Int(yres.rounded())
            let rowBytes = (Int(width) + 7) / 8
            var buffer = [UInt8](repeating: 0, count: max(rowBytes, Int(TIFFScanlineSize(tiff))))
            var rows: [[UInt8]] = []
            rows.reserveCapacity(Int(length))
            for row in 0..<length {
                let ok = buffer.withUnsafeMutableBytes { TIFFReadScanline(tiff, $0.baseAddress, row, 0) }
                guard ok == 1 else { throw .badPage(path: path, page: number, reason: "row \(row) cannot be decoded") }
                // Normalise to 1 = black whatever the file's photometric convention.
                rows.append(photometric == UInt16(PHOTOMETRIC_MINISBLACK)
                            ? buffer[0..<rowBytes].map { ~$0 } : Array(buffer[0..<rowBytes]))
            }
            pages.append(FaxPage(width: Int(width), rows: rows, linesPerInch: lpi))
        } while TIFFReadDirectory(tiff) == 1
        return pages
    }

    /// Writes pages as TIFF-F (T.4 one-dimensional, 204 dpi across, fill order LSB first).
    public static func write(_ pages: [FaxPage], to path: String) throws(FaxDocumentError) {
        _ = spanDSPTablesReady
        guard let tiff = TIFFOpen(path, "w") else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
        defer { TIFFClose(tiff) }
        for (index, page) in pages.enumerated() {
            guard validWidths.contains(page.width) else {
                throw .badPage(path: path, page: index + 1, reason: "width \(page.width) pixels; fax needs 1728, 2048 or 2432")
            }
            _ = cspandsp_tiff_set_u32(tiff, UInt32(TIFFTAG_SUBFILETYPE), UInt32(FILETYPE_PAGE))
            _ = cspandsp_tiff_set_u32(tiff, UInt32(TIFFTAG_IMAGEWIDTH), UInt32(page.width))
            _ = cspandsp_tiff_set_u32(tiff, UInt32(TIFFTAG_IMAGELENGTH), UInt32(page.rows.count))
            _ = cspandsp_tiff_set_u16(tiff, UInt32(TIFFTAG_BITSPERSAMPLE), 1)
            _ = cspandsp_tiff_set_u16(tiff, UInt32(TIFFTAG_SAMPLESPERPIXEL), 1)
            _ = cspandsp_tiff_set_u16(tiff, UInt32(TIFFTAG_PLANARCONFIG), UInt16(PLANARCONFIG_CONTIG))
            _ = cspandsp_tiff_set_u16(tiff, UInt32(TIFFTAG_COMPRESSION), UInt16(COMPRESSION_CCITTFAX3))
            _ = cspandsp_tiff_set_u32(tiff, UInt32(TIFFTAG_GROUP3OPTIONS), 0)
            _ = cspandsp_tiff_set_u16(tiff, UInt32(TIFFTAG_PHOTOMETRIC), UInt16(PHOTOMETRIC_MINISWHITE))
            _ = cspandsp_tiff_set_u16(tiff, UInt32(TIFFTAG_FILLORDER), UInt16(FILLORDER_LSB2MSB))
            _ = cspandsp_tiff_set_float(tiff, UInt32(TIFFTAG_XRESOLUTION), 204)
            _ = cspandsp_tiff_set_float(tiff, UInt32(TIFFTAG_YRESOLUTION), Float(page.linesPerInch))
            _ = cspandsp_tiff_set_u16(tiff, UInt32(TIFFTAG_RESOLUTIONUNIT), UInt16(RESUNIT_INCH))
            _ = cspandsp_tiff_set_u32(tiff, UInt32(TIFFTAG_ROWSPERSTRIP), UInt32(page.rows.count))
            _ = cspandsp_tiff_set_pages(tiff, UInt16(index), UInt16(pages.count))
            for (r, row) in page.rows.enumerated() {
                var bytes = row
                if bytes.count != page.bytesPerRow { bytes = Array((bytes + [UInt8](repeating: 0, count: page.bytesPerRow)).prefix(page.bytesPerRow)) }
                let ok = bytes.withUnsafeMutableBytes { TIFFWriteScanline(tiff, $0.baseAddress, UInt32(r), 0) }
                guard ok == 1 else { throw .unwritable(path: path, reason: "page \(index + 1) row \(r)") }
            }
            guard TIFFWriteDirectory(tiff) == 1 else { throw .unwritable(path: path, reason: "page \(index + 1) directory") }
        }
    }

    private static func checkMagic(_ path: String) throws(FaxDocumentError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 4)) ?? Data())
        guard head == [0x49, 0x49, 0x2A, 0x00] || head == [0x4D, 0x4D, 0x00, 0x2A] else {
            throw .notTIFF(path: path, found: head.isEmpty ? "nothing: the file is empty" : head.map { String(format: "%02x", $0) }.joined(separator: " "))
        }
    }
}
