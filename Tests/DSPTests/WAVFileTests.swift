import DSP
import Foundation
import TestSupport
import Testing

@Suite(.tags(.unit)) struct WAVFileTests {
    let scratch: ScratchDirectory

    init() throws { scratch = try ScratchDirectory() }

    func path(_ name: String) -> String { scratch.path(name) }

    func sox(_ args: [String]) throws { try TestSignals.run("/usr/bin/sox", args) }

    @Test func roundTrip() throws {
        let tone = TestSignals.tones([(440, -10)], ms: 500)
        try WAVFile.write(tone, to: path("t.wav"))
        #expect(try WAVFile.read(path("t.wav")) == tone)
    }

    @Test func readsWhatSoxWrites() throws {
        try sox(["-n", "-r", "8000", "-c", "1", "-b", "16", path("s.wav"), "synth", "0.25", "sine", "1000"])
        let samples = try WAVFile.read(path("s.wav"))
        #expect(samples.count == 2000)
        #expect(Level.dBm0(of: samples) > -10)
    }

    @Test(arguments: [
        (["-r", "16000", "-c", "1", "-b", "16"], "16000 Hz, 1 channel, 16-bit PCM"),
        (["-r", "8000", "-c", "2", "-b", "16"], "8000 Hz, 2 channels, 16-bit PCM"),
        (["-r", "8000", "-c", "1", "-b", "8"], "8000 Hz, 1 channel, 8-bit PCM"),
        (["-r", "8000", "-c", "1", "-e", "u-law"], "8000 Hz, 1 channel, 8-bit µ-law"),
        (["-r", "8000", "-c", "1", "-e", "floating-point", "-b", "32"], "8000 Hz, 1 channel, 32-bit IEEE float"),
    ] as [([String], String)])
    func otherFormatsAreNamedInTheError(options: [String], found: String) throws {
        try sox(["-n"] + options + [path("x.wav"), "synth", "0.1", "sine", "500"])
        let error = #expect(throws: WAVError.self) { try WAVFile.read(path("x.wav")) }
        #expect(error?.description.contains(found) == true, "\(String(describing: error))")
        #expect(error?.description.contains(path("x.wav")) == true)
    }

    @Test func aTextFileIsNotAWAV() throws {
        try "RIFF? no, a shopping list".write(toFile: path("list.wav"), atomically: true, encoding: .utf8)
        #expect(throws: WAVError.notWAV(path: path("list.wav"), found: "\"RIFF? no, a \"")) { try WAVFile.read(path("list.wav")) }
    }

    @Test func anEmptyFileAndAMissingFileAreNamed() throws {
        FileManager.default.createFile(atPath: path("empty.wav"), contents: Data())
        #expect(throws: WAVError.notWAV(path: path("empty.wav"), found: "nothing: the file is empty")) { try WAVFile.read(path("empty.wav")) }
        #expect(throws: WAVError.unreadable(path: path("none.wav"), reason: "no such file")) { try WAVFile.read(path("none.wav")) }
    }

    @Test func aTruncatedFileSaysHowMuchIsMissing() throws {
        try WAVFile.write(TestSignals.tones([(440, -10)], ms: 100), to: path("full.wav"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path("full.wav")))
        try bytes.prefix(1044).write(to: URL(fileURLWithPath: path("cut.wav")))
        #expect(throws: WAVError.truncated(path: path("cut.wav"), declaredBytes: 1600, presentBytes: 1000)) { try WAVFile.read(path("cut.wav")) }
        try bytes.prefix(30).write(to: URL(fileURLWithPath: path("head.wav")))
        #expect(throws: WAVError.self) { try WAVFile.read(path("head.wav")) }
    }

    /// A writer that dies between syncs leaves a valid file holding everything synced.
    @Test func aWriterThatNeverClosesLeavesAPlayableFile() throws {
        let writer = try WAVWriter(path: path("live.wav"))
        let second = TestSignals.tones([(600, -15)], ms: 1000)
        second.withUnsafeBufferPointer { writer.append($0) }
        try writer.sync()
        second.withUnsafeBufferPointer { writer.append($0) }  // not synced: lost in a crash
        #expect(try WAVFile.read(path("live.wav")) == second)
        try writer.sync()
        #expect(try WAVFile.read(path("live.wav")).count == 2 * second.count)
    }

    /// A power cut can leave a header that claims audio the disk never got; recovery cuts the
    /// file to the whole frames present (on 429158c such a file was thrown away), keeps a whole
    /// file as it is, and removes one with no audio, so no empty file is left behind.
    @Test(arguments: [(1, 1044, 1000), (2, 1046, 1000), (1, 3244, 3200)])
    func repairCutsAFileToItsAudio(channels: Int, keep: Int, audio: Int) throws {
        let samples = TestSignals.tones([(440, -10)], ms: 200 * channels)
        try WAVFile.write(samples, to: path("full.wav"), channels: channels)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path("full.wav")))
        try bytes.prefix(keep).write(to: URL(fileURLWithPath: path("cut.wav")))
        let repair = try WAVFile.repair(path("cut.wav"), channels: channels)
        let whole = audio == bytes.count - 44
        #expect(repair == (whole ? .intact(samples: audio / 2) : .cut(samples: audio / 2, declared: samples.count)))
        #expect(try WAVFile.read(path("cut.wav"), channels: channels) == Array(samples.prefix(audio / 2)))
    }

    /// A writer that cannot even write its header (a full disk: the file is created, the
    /// header's block is not there) throws and leaves no file; the disk campaign found 72 such
    /// empty recordings.
    @Test(.enabled(if: FullDisk.canMount, "mounts a tmpfs: needs root"))
    func aWriterOnAFullDiskLeavesNoFile() throws {
        let full = try FullDisk(in: scratch, kib: 64)
        defer { full.unmount() }
        full.fill("filler")
        #expect(throws: WAVError.self) { try WAVWriter(path: "\(full.path)/call.wav", channels: 2) }
        #expect(!FileManager.default.fileExists(atPath: "\(full.path)/call.wav"))
    }

    @Test func repairRemovesAFileWithNoAudio() throws {
        let writer = try WAVWriter(path: path("empty.wav"))
        try writer.sync()
        #expect(try WAVFile.repair(path("empty.wav"), channels: 1) == .removed)
        #expect(!FileManager.default.fileExists(atPath: path("empty.wav")))
        try Data().write(to: URL(fileURLWithPath: path("zero.wav")))
        #expect(try WAVFile.repair(path("zero.wav"), channels: 1) == .removed)
    }
}
