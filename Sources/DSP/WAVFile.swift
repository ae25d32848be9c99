import Foundation

/// What a WAV file's `fmt ` chunk says, for error messages.
public struct WAVFormat: Sendable, Equatable, CustomStringConvertible {
    public var formatTag: UInt16
    public var channels: Int
    public var sampleRate: Int
    public var bitsPerSample: Int

    public var description: String {
        let kind: String = switch formatTag {
        case 1: "PCM"
        case 3: "IEEE float"
        case 6: "A-law"
        case 7: "µ-law"
        case 0x11: "IMA ADPCM"
        case 0xFFFE: "extensible"
        default: "format \(formatTag)"
        }
        return "\(sampleRate) Hz, \(channels) channel\(channels == 1 ? "" : "s"), \(bitsPerSample)-bit \(kind)"
    }

    /// The only format the box reads: what its lines carry.
    public static let line = WAVFormat(formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16)
}

public enum WAVError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notWAV(path: String, found: String)
    case missingChunk(path: String, chunk: String)
    case unsupportedFormat(path: String, found: WAVFormat, wanted: WAVFormat)
    case truncated(path: String, declaredBytes: Int, presentBytes: Int)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): "\(p): cannot read: \(r)"
        case .notWAV(let p, let f): "\(p): not a WAV file (starts with \(f))"
        case .missingChunk(let p, let c): "\(p): WAV file has no \"\(c)\" chunk"
        case .unsupportedFormat(let p, let f, let w): "\(p): \(f); the box needs \(w) (convert with: sox IN -r \(w.sampleRate) -c \(w.channels) -b 16 OUT.wav)"
        case .truncated(let p, let d, let n): "\(p): truncated: header declares \(d) bytes of audio, the file holds \(n)"
        case .unwritable(let p, let r): "\(p): cannot write: \(r)"
        }
    }
}

/// 8 kHz mono 16-bit PCM WAV files: prompts, test signals and recordings.
public enum WAVFile {
    /// Reads 16-bit PCM with `channels` channels (interleaved when 2: whole-call recordings) at
    /// `sampleRate` (8 kHz but for speech to be resampled); anything else is refused with the
    /// format found.
    public static func read(_ path: String, channels: Int = 1, sampleRate: Int = SampleClock.rate) throws(WAVError) -> [Int16] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file")
        }
        return try decode(data, path: path, channels: channels, sampleRate: sampleRate)
    }

    public static func decode(_ data: Data, path: String, channels: Int = 1, sampleRate: Int = SampleClock.rate) throws(WAVError) -> [Int16] {
        var wanted = WAVFormat.line
        wanted.channels = channels
        wanted.sampleRate = sampleRate
        let bytes = [UInt8](data)
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func tag(_ at: Int) -> String { String(decoding: bytes[at..<(at + 4)], as: UTF8.self) }

        guard bytes.count >= 12, tag(0) == "RIFF", tag(8) == "WAVE" else {
            let head = bytes.prefix(12)
            let shown = head.isEmpty ? "nothing: the file is empty"
                : head.allSatisfy({ (0x20..<0x7F).contains($0) }) ? "\"\(String(decoding: head, as: UTF8.self))\""
                : head.map { String(format: "%02x", $0) }.joined(separator: " ")
            throw .notWAV(path: path, found: shown)
        }
        var format: WAVFormat?
        var at = 12
        while at + 8 <= bytes.count {
            let id = tag(at)
            let size = u32(at + 4)
            let body = at + 8
            if id == "fmt " {
                guard size >= 16, body + 16 <= bytes.count else { throw .truncated(path: path, declaredBytes: size, presentBytes: bytes.count - body) }
                format = WAVFormat(formatTag: UInt16(u16(body)), channels: u16(body + 2), sampleRate: u32(body + 4), bitsPerSample: u16(body + 14))
                if format?.formatTag == 0xFFFE, size >= 26, body + 26 <= bytes.count { format?.formatTag = UInt16(u16(body + 24)) }
            } else if id == "data" {
                guard let format else { throw .missingChunk(path: path, chunk: "fmt ") }
                guard format == wanted else { throw .unsupportedFormat(path: path, found: format, wanted: wanted) }
                let present = bytes.count - body
                guard size <= present else { throw .truncated(path: path, declaredBytes: size, presentBytes: present) }
                return stride(from: body, to: body + size - 1, by: 2).map { Int16(bitPattern: UInt16(u16($0))) }
            }
            at = body + size + (size & 1)
        }
        throw .missingChunk(path: path, chunk: format == nil ? "fmt " : "data")
    }

    public static func write(_ samples: [Int16], to path: String, channels: Int = 1) throws(WAVError) {
        let writer = try WAVWriter(path: path, channels: channels)
        samples.withUnsafeBufferPointer { writer.append($0) }
        try writer.close()
    }
}

extension WAVFile {
    /// What `repair` did to a recording found after a crash.
    public enum Repair: Equatable, Sendable {
        /// Whole and valid as it was.
        case intact(samples: Int)
        /// Its header claimed more audio than the file holds: cut to the whole frames present.
        case cut(samples: Int, declared: Int)
        /// No audio at all: removed.
        case removed
    }

    /// Makes a recording left by a crash or power cut valid: a header that claims more than
    /// the file holds is rewritten to the audio present (whole frames), a file with no audio is
    /// deleted, so nothing unplayable or empty is left behind.
    public static func repair(_ path: String, channels: Int) throws(WAVError) -> Repair {
        let frame = 2 * channels
        let size: Int
        do { size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        let present = max(0, size - 44) / frame * frame
        let declared: Int
        do { declared = try read(path, channels: channels).count * 2 } catch .truncated(_, let claimed, _) { declared = claimed } catch {
            if size <= 44 { return try remove(path) }
            throw error
        }
        guard present > 0, declared > 0 else { return try remove(path) }
        guard declared > present || size > 44 + declared else { return .intact(samples: declared / 2) }
        let kept = min(declared, present)
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let header = WAVWriter.header(dataBytes: kept, channels: channels)
        let written = header.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard written == header.count, ftruncate(fd, off_t(44 + kept)) == 0, fsync(fd) == 0 else {
            throw .unwritable(path: path, reason: String(cString: strerror(errno)))
        }
        return .cut(samples: kept / 2, declared: declared / 2)
    }

    private static func remove(_ path: String) throws(WAVError) -> Repair {
        guard unlink(path) == 0 || errno == ENOENT else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
        return .removed
    }
}

/// A streaming WAV writer whose file is valid at every moment it has been `sync`ed: the header
/// always declares a length no greater than the audio written, so a kill between syncs only
/// hides the most recent samples. A durable sync makes the audio reach the disk before the
/// header that declares it, so after a power cut the header never claims audio the disk lacks
/// unless the cut fell between two durable syncs, and `WAVFile.repair` cuts such a file to the
/// audio it holds.
public final class WAVWriter {
    public let path: String
    public let channels: Int
    private var fd: Int32
    private var dataBytes = 0
    private var buffer: [UInt8] = []
    /// Bytes of audio dropped because they could not be written (a full disk): the buffer is
    /// emptied either way, so a failing disk never makes it grow.
    public private(set) var droppedBytes = 0

    public init(path: String, channels: Int = 1) throws(WAVError) {
        guard channels == 1 || channels == 2 else { throw .unwritable(path: path, reason: "\(channels) channels; 1 or 2 supported") }
        self.path = path
        self.channels = channels
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
        buffer.reserveCapacity(64 * 1024)
        // On a full disk the file is created (an inode costs no data block) but its header
        // cannot be written: a recording that never started leaves no empty file behind.
        do { try put(header(), at: 0) } catch {
            Foundation.close(fd)
            fd = -1
            unlink(path)
            throw error
        }
    }

    deinit { if fd >= 0 { Foundation.close(fd) } }

    public var samplesWritten: Int { dataBytes / 2 / channels }

    /// Appends interleaved samples (buffered in memory until `sync`).
    public func append(_ samples: UnsafeBufferPointer<Int16>) {
        for s in samples {
            let u = UInt16(bitPattern: s)
            buffer.append(UInt8(u & 0xFF))
            buffer.append(UInt8(u >> 8))
        }
    }

    /// Writes buffered audio, then patches the header to cover it; when `durable`, the audio is
    /// flushed to the disk before the header is written, and the header after it.
    public func sync(durable: Bool = false) throws(WAVError) {
        if !buffer.isEmpty {
            defer { buffer.removeAll(keepingCapacity: true) }
            do { try put(buffer, at: 44 + dataBytes) } catch {
                droppedBytes += buffer.count
                throw error
            }
            dataBytes += buffer.count
        }
        if durable { try flush() }
        try put(header(), at: 0)
        if durable { try flush() }
    }

    private func flush() throws(WAVError) {
        if fdatasync(fd) != 0 { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
    }

    public func close() throws(WAVError) {
        guard fd >= 0 else { return }
        try sync(durable: true)
        Foundation.close(fd)
        fd = -1
    }

    private func header() -> [UInt8] { Self.header(dataBytes: dataBytes, channels: channels) }

    static func header(dataBytes: Int, channels: Int) -> [UInt8] {
        var h: [UInt8] = []
        func u32(_ v: Int) { for i in 0..<4 { h.append(UInt8((v >> (8 * i)) & 0xFF)) } }
        func u16(_ v: Int) { h.append(UInt8(v & 0xFF)); h.append(UInt8((v >> 8) & 0xFF)) }
        h += Array("RIFF".utf8); u32(36 + dataBytes); h += Array("WAVE".utf8)
        h += Array("fmt ".utf8); u32(16); u16(1); u16(channels); u32(SampleClock.rate)
        u32(SampleClock.rate * 2 * channels); u16(2 * channels); u16(16)
        h += Array("data".utf8); u32(dataBytes)
        return h
    }

    private func put(_ bytes: [UInt8], at offset: Int) throws(WAVError) {
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard written == bytes.count else { throw .unwritable(path: path, reason: written < 0 ? String(cString: strerror(errno)) : "short write") }
    }
}
