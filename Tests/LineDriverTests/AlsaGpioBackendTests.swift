import DSP
import Foundation
import LineDriver
import Testing
import TestSupport

/// The ALSA+GPIO backend through the real alsa-lib (its `file` plugin stands in for a codec: no
/// sound card exists here) and a GPIO chip that behaves as libgpiod does.
@Suite(.serialized, .tags(.system), .skippedInFastRun)
struct AlsaGpioBackendTests {
    @Test(arguments: [(25, false), (0, false), (0, true)])
    func ringBurstsFromEitherKindOfDetector(toggleHz: Int, activeLow: Bool) {
        var detector = RingDetector(activeLow: activeLow)
        var changes: [(RingDetector.Change, Int)] = []
        var level = activeLow
        // China's cadence: 1 s on, 4 s off, twice.
        for ms in stride(from: 0, to: 10_000, by: 20) {
            let ringing = ms % 5000 < 1000
            let active = ringing && (toggleHz == 0 || (ms / (500 / toggleHz)) % 2 == 0)
            let wanted = active != activeLow
            if wanted != level {
                level = wanted
                if let c = detector.edge(rising: wanted, at: ms) { changes.append((c, ms)) }
            }
            if let c = detector.tick(at: ms) { changes.append((c, ms)) }
        }
        #expect(changes.map(\.0) == [.started, .ended, .started, .ended])
        #expect(changes.map(\.1) == [0, 1140, 5000, 6140] || changes.map(\.1) == [0, 1160, 5000, 6160], "\(changes)")
    }

    /// Rings from GPIO edges, an answer that closes the hook relay, DTMF from the codec's capture,
    /// the box's audio into its playback, all through alsa-lib.
    @Test func aCallThroughAlsaLibAndGPIO() throws {
        let scratch = try ScratchDirectory()
        let answerFrame = 300
        var capture = [Int16](repeating: 0, count: (answerFrame + 100) * LineFrame.samples)
        let digits = DTMFGenerator()
        try digits.send("159#")
        var tail = [Int16](repeating: 0, count: 100 * LineFrame.samples)
        tail.withUnsafeMutableBufferPointer { _ = digits.generate(into: $0) }
        capture += tail
        try Self.writeRaw(capture, to: scratch.path("in.raw"))
        let alsa = try AlsaFilePlugin(infile: scratch.path("in.raw"), outfile: scratch.path("out.wav"))

        let gpio = FakeGPIO(names: ["HOOK0", "RING0", "LOOP0"])
        gpio.lines["LOOP0"]!.value = true
        let frames = capture.count / LineFrame.samples
        try Self.runCall(pcm: alsa.pcm, gpio: gpio, frames: frames)
        // Closing the PCM completes the WAV the file plugin writes.
        let played = try WAVFile.read(scratch.path("out.wav"))
        #expect(played.count == (frames + 50) * LineFrame.samples)
    }

    private static func runCall(pcm: String, gpio: FakeGPIO, frames: Int) throws {
        let line = AlsaGpioBackend.Line(capture: pcm, playback: pcm, hookRelay: "HOOK0", ringDetect: "RING0", loopSense: "LOOP0")
        let backend = try AlsaGpioBackend(lines: [line], gpio: gpio, pacedByDevice: false)
        let loop = FrameLoop(backend: backend, config: ChannelConfig())
        var events: [ChannelEvent.Kind] = []
        for f in 0..<frames {
            // Ringing: 25 Hz from the optocoupler, 1 s on, 4 s off.
            let ms = f * LineFrame.milliseconds
            gpio.lines["RING0"]!.drive(ms % 5000 < 1000 && (ms / 20) % 2 == 0 && ms < 10_000)
            loop.step()
            while let e = loop.channels[0].events.pop() { events.append(e.kind) }
        }
        #expect(events.filter { if case .ringing = $0 { true } else { false } }.count == 2)
        #expect(events.contains { if case .answered = $0 { true } else { false } })
        #expect(gpio.lines["HOOK0"]!.value, "the hook relay is closed after the answer")
        let heard = events.compactMap { if case .digit(let d) = $0 { d.digit } else { nil } }
        #expect(String(heard) == "159#")
        #expect(backend.xruns.load(ordering: .relaxed) == 0)
        // Loop current lost: the supervisor hangs up and the relay opens.
        gpio.lines["LOOP0"]!.drive(false)
        for _ in 0..<50 { loop.step() }
        #expect(!gpio.lines["HOOK0"]!.value)
    }

    static func writeRaw(_ samples: [Int16], to path: String) throws {
        try samples.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: path)) }
    }
}
