import DSP
import Foundation
import LineDriver
import LineSimulator
import Testing
import TestSupport

@Suite(.tags(.unit)) struct CallRecorderTests {
    /// A whole call recorded in stereo: the caller on the left, the box on the right.
    @Test func aCallIsRecordedCallerLeftBoxRight() throws {
        let scratch = try ScratchDirectory()
        let speech = try Speech.mandarinWAV(seconds: 3, in: scratch)
        let rig = LineRig()
        try rig.exchange.schedule(SimulatedCall(script: [.wait(ms: 1000), .play(wav: speech), .hangUp(.loopDrop)]), line: 0, atMs: 0)
        let recorder = CallRecorder()
        defer { recorder.shutdown() }
        rig.run(maxMs: 10_000) { $0.isAnswer }
        let recording = try recorder.start(path: scratch.path("call.wav"), stereo: true)
        rig.command(.record(recording.ring, stereo: true, tap: .call))
        rig.command(.play(PromptAudio(name: "beep", samples: DSPTestTone.beep), id: 1, bargeIn: false))
        rig.run(maxMs: 10_000) { event in
            if case .playbackFinished = event.kind { recorder.pass() }
            return event.isDisconnect
        }
        rig.command(.stopRecording(.call))
        #expect(rig.run(maxMs: 100) { if case .recordingStopped(.call) = $0.kind { true } else { false } } != nil)
        recorder.finish(recording)
        #expect(recording.lostSamples == 0)
        let stereo = try WAVFile.read(scratch.path("call.wav"), channels: 2)
        let left = stride(from: 0, to: stereo.count, by: 2).map { stereo[$0] }
        let right = stride(from: 1, to: stereo.count, by: 2).map { stereo[$0] }
        // About 4 s: the second of silence, three of speech, the 100 ms hang-up debounce.
        #expect(abs(SampleClock.ms(left.count) - 4100) <= 200)
        // The box's beep is at the start of the right channel; the caller's speech on the left.
        #expect(Level.dBm0(of: right.prefix(2400)) > -20)
        #expect(Level.dBm0(of: left.prefix(4000)) < -60)
        #expect(Level.dBm0(of: left[8000..<24000]) > -35)
    }

    /// The file on disk is valid while the call goes on, after every writer pass.
    @Test func theFileIsPlayableMidCall() throws {
        let scratch = try ScratchDirectory()
        let recorder = CallRecorder()
        defer { recorder.shutdown() }
        let recording = try recorder.start(path: scratch.path("live.wav"), stereo: false)
        for second in 1...3 {
            Signal.sines([(800, -20)], count: SampleClock.rate).withUnsafeBufferPointer { recording.ring.write($0) }
            recorder.pass()
            #expect(try WAVFile.read(scratch.path("live.wav")).count == second * SampleClock.rate)
        }
        recorder.finish(recording)
    }

    /// A writer that falls behind costs audio, counted, never a blocked frame thread.
    @Test func aFullRingDropsAndCountsRatherThanBlocking() {
        let ring = SampleRing(capacity: 8000)
        Signal.sines([(800, -20)], count: ring.capacity - 100).withUnsafeBufferPointer { ring.write($0) }
        Signal.sines([(800, -20)], count: 160).withUnsafeBufferPointer { ring.write($0) }
        #expect(ring.lostSamples == 160)
        var drained = 0
        ring.drain { drained += $0.count }
        #expect(drained == ring.capacity - 100)
    }

    /// On a really full file system (a 1 MiB tmpfs) the recorder says once that it cannot
    /// write, not at every write a few freed KiB let through (the disk campaign saw two lines a
    /// second per line), and once that it writes again, after a second of audio has gone down.
    @Test(.enabled(if: FullDisk.canMount, "mounts a tmpfs: needs root"))
    func aFullDiskIsReportedOnceEachWay() throws {
        let scratch = try ScratchDirectory()
        let full = try FullDisk(in: scratch)
        defer { full.unmount() }
        let disk = full.path
        let recorder = CallRecorder()
        defer { recorder.shutdown() }
        let recording = try recorder.start(path: "\(disk)/call.wav", stereo: false)
        func speak(passes: Int) {
            for _ in 0..<passes {
                Signal.sines([(800, -20)], count: 800).withUnsafeBufferPointer { recording.ring.write($0) }
                recorder.pass()
            }
        }
        var reports: [String] = []
        func collect() { while let line = recorder.errors.pop() { reports.append(line) } }
        speak(passes: 10)
        let filler = full.fill("filler")
        speak(passes: 5)
        collect()
        #expect(reports.count == 1 && reports.first?.contains("call.wav: cannot write") == true, "\(reports)")
        // A few KiB come free and are taken again: two writes get through, then the disk is full.
        try #require(truncate(filler, off_t(try Self.size(filler) - 8192)) == 0)
        speak(passes: 2)
        full.fill("filler-2")
        speak(passes: 5)
        collect()
        #expect(reports.count == 1, "\(reports)")
        try FileManager.default.removeItem(atPath: filler)
        try FileManager.default.removeItem(atPath: "\(disk)/filler-2")
        speak(passes: 10)
        collect()
        #expect(reports.count == 2 && reports.last?.contains("call.wav: writing again") == true, "\(reports)")
        recorder.finish(recording)
        #expect(try WAVFile.read("\(disk)/call.wav").count >= 22 * 800)
    }

    static func size(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    @Test func anUnwritablePathIsAClearError() {
        let recorder = CallRecorder()
        defer { recorder.shutdown() }
        #expect(throws: WAVError.self) { try recorder.start(path: "/nonexistent/dir/x.wav", stereo: false) }
    }
}

enum DSPTestTone {
    /// 300 ms of 1 kHz at −10 dBm0.
    static let beep = Signal.sines([(1000, -10)], count: 2400)
}
