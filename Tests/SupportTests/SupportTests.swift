import Foundation
import SystemPackage
import SystemSupport
import Testing
import TestSupport
import UplinkWire

@Suite(.tags(.unit)) struct SystemErrorTests {
    @Test func aFailedCallNamesTheOperationTheSubjectAndErrno() throws {
        let path = "/nonexistent/\(UUID().uuidString)"
        let error = #expect(throws: SystemError.self) { try SystemCall.check("open", path) { open(path, O_RDONLY) } }
        #expect(error?.errno == .noSuchFileOrDirectory)
        #expect(error?.description == "\(path): open: No such file or directory")
    }

    @Test func aDurableWriteIntoAMissingDirectoryIsASystemError() {
        #expect(throws: (any Error).self) { try DurableFile.write(Data("x".utf8), to: "/nonexistent/dir/file") }
    }
}

@Suite(.tags(.unit)) struct LoopbackAddressTests {
    @Test(arguments: ["127.0.0.1", "127.255.0.9", "localhost", "::1", "[::1]"])
    func loopback(host: String) { #expect(LoopbackAddress.contains(host)) }

    /// Text that merely starts with 127. is a host name, not loopback.
    @Test(arguments: ["127.example.com", "127.0.0.1.nip.io", "0.0.0.0", "10.0.0.1", "::", "128.0.0.1", "", "127"])
    func notLoopback(host: String) { #expect(!LoopbackAddress.contains(host)) }
}

@Suite(.tags(.unit)) struct PeriodicTimerTests {
    @Test func firesOncePerIntervalOnTheMonotonicClock() {
        let start = ContinuousClock.now
        var timer = PeriodicTimer(every: .seconds(1), now: start)
        let fired = [start, start + .milliseconds(999), start + .seconds(1)].map { timer.due(now: $0) }
        #expect(fired == [true, false, true])
        var later = PeriodicTimer(every: .seconds(2), immediately: false, now: start)
        let laterFired = [start + .seconds(1), start + .seconds(2)].map { later.due(now: $0) }
        #expect(laterFired == [false, true])
    }
}

@Suite(.tags(.unit)) struct WireJSONTests {
    @Test(arguments: [
        (#"{"seq": 3}"#, nil),
        (#"{"seq": true}"#, "$.seq: must be an integer"),
        (#"{"seq": 1e300}"#, "$.seq: must be a whole number within range"),
        (#"{"seq": null}"#, "$.seq: must be an integer, not null"),
        (#"{"sequence": 3}"#, "$.seq: missing"),
        (#""3""#, "$: must be an object"),
        ("", "$: not valid JSON"),
    ] as [(String, String?)])
    func anAckBody(body: String, problem: String?) {
        do {
            let ack = try WireJSON.decode(AckRequest.self, from: Data(body.utf8))
            #expect(problem == nil && ack.seq == 3)
        } catch {
            #expect(problem.map { error.description.hasPrefix($0) } == true, "\(error)")
        }
    }

    @Test func aChangeRoundTripsWithItsSnapshot() throws {
        let change = Change(seq: 7, entity: .faxResult, id: 2, change: .created, at: "2026-12-01T00:00:00.000Z",
                            data: .object(["pages": .integer(2), "success": .bool(true), "reason": .null, "rate": .number(9.6), "document": .string("policy")]))
        let text = String(decoding: WireJSON.encode(change), as: UTF8.self)
        #expect(text.hasPrefix(#"{"at":"2026-12-01T00:00:00.000Z","change":"created","data":{"document":"policy","pages":2,"#))
        #expect(try WireJSON.decode(Change.self, from: Data(text.utf8)) == change)
    }
}

/// Digests and replies read files a chunk at a time (on 429158c whole files and ranges were
/// read into memory); the chunked digest is the whole file's.
@Suite(.tags(.unit)) struct FileReaderTests {
    @Test(arguments: [0, 1, FileReader.chunkSize - 1, FileReader.chunkSize, FileReader.chunkSize + 1, 3 * FileReader.chunkSize + 17])
    func aChunkedDigestIsTheWholeFilesDigest(size: Int) throws {
        let scratch = try ScratchDirectory()
        let data = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try data.write(to: URL(fileURLWithPath: scratch.path("f")))
        let (counted, digest) = try ContentDigest.sha256Hex(file: scratch.path("f"))
        #expect(counted == size && digest == ContentDigest.sha256Hex(data))
        let reader = try FileReader(scratch.path("f"))
        #expect(try reader.read(at: max(0, size - 5), upTo: 100) == Array(data.suffix(min(5, size))))
        #expect(try reader.read(at: size, upTo: 10).isEmpty)
    }

    @Test func aMissingFileIsASystemError() {
        #expect(throws: SystemError.self) { try ContentDigest.sha256Hex(file: "/nonexistent/f") }
    }
}
