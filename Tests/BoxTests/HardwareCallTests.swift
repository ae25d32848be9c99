import Box
import DSP
import Foundation
import HotlineModel
import LineDriver
import LocalDB
import SystemSupport
import SystemTestSupport
import Testing
import TestSupport

/// A whole call on the ALSA+GPIO backend: the box built from a config naming `alsa` hardware,
/// ring edges on the ring-detect GPIO, the caller's side of a real complaint (recorded from a
/// simulated call) in the codec's capture through alsa-lib, loop current dropped at the end.
@Suite(.serialized, .tags(.system), .skippedInFastRun)
struct HardwareCallTests {
    @Test func aComplaintOverAlsaAndGPIO() throws {
        // The caller's side of a complaint, as the simulated exchange played it to the box.
        let simulated = try SimulationRig.run(SimulationRig.call(SimulationRig.complaint + ", " + SimulationRig.hangUp))
        let original = try #require(simulated.report.calls.first)
        let stereo = try WAVFile.read(try #require(original.callRecording), channels: 2)
        let callerSide = stride(from: 0, to: stereo.count, by: 2).map { stereo[$0] }
        let answerMs = try #require(original.answeredMs) - original.startMs

        let scratch = try ScratchDirectory()
        let capture = [Int16](repeating: 0, count: SampleClock.samples(ms: answerMs)) + callerSide
        try capture.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: scratch.path("in.raw"))) }
        let alsa = try AlsaFilePlugin(infile: scratch.path("in.raw"), outfile: scratch.path("out.wav"))

        var config = try SimulationRig.config(data: scratch.path("box"))
        config.hardware = .alsa([AlsaGpioBackend.Line(capture: alsa.pcm, playback: alsa.pcm, hookRelay: "HOOK0",
                                                      ringDetect: "RING0", loopSense: "LOOP0")], pacedByDevice: false)
        config.lines = 1
        let gpio = FakeGPIO(names: ["HOOK0", "RING0", "LOOP0"])
        gpio.lines["LOOP0"]!.value = true
        let summary = try Self.run(config: config, gpio: gpio, hangUpAtMs: answerMs + callerSide.count / 8)

        #expect(summary.answeredAtMs.map { abs($0 - answerMs) <= 200 } == true, "answered at \(summary.answeredAtMs ?? -1) ms, the simulation at \(answerMs)")
        #expect(summary.path == original.path)
        let made = try #require(summary.cases.first)
        #expect(made.kind == "complaint" && made.complete)
        let store = try CaseStore(path: scratch.path("box/cases.sqlite"), prefix: config.nodePrefix)
        #expect(try store.lookup(AcceptanceNumber(validating: made.number))?.kind == .complaint)
        // The number was read back digit by digit.
        let read = summary.prompts.map(\.prompt).drop { $0 != "your_number_is" }.dropFirst().prefix { $0.hasPrefix("digit_") }
        #expect(String(read.map { $0.last! }) == made.number)
        #expect(summary.disconnectReason == .loopCurrentLost)
        #expect(!gpio.lines["HOOK0"]!.value, "the hook relay is open again")
        // What the box played went out through the codec's playback.
        let played = try WAVFile.read(scratch.path("out.wav"))
        let afterAnswer = played[SampleClock.samples(ms: answerMs + 500)...].prefix(SampleClock.samples(ms: 3000))
        #expect(afterAnswer.contains { abs(Int($0)) > 1000 }, "the welcome prompt reached the codec")
    }

    /// `bench hardware` on a codec: what the line hears (a 1 kHz tone at -20 dBFS peak in the
    /// capture) is measured at its level, and the bench's own tone reaches the playback.
    @Test func theHardwareBenchMeasuresWhatTheLineHears() throws {
        let scratch = try ScratchDirectory()
        let tone = (0..<(3 * SampleClock.rate)).map { Int16(3277 * sin(2 * Double.pi * Double($0) / 8)) }
        try tone.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: scratch.path("in.raw"))) }
        let alsa = try AlsaFilePlugin(infile: scratch.path("in.raw"), outfile: scratch.path("out.wav"))
        let gpio = FakeGPIO(names: ["HOOK0", "RING0"])
        let hardware = BoxConfig.LineHardware.alsa([AlsaGpioBackend.Line(capture: alsa.pcm, playback: alsa.pcm, hookRelay: "HOOK0", ringDetect: "RING0")],
                                                   pacedByDevice: false)
        var report: HardwareBench.Report?
        do {
            let backend = try #require(try BoxRuntime.openHardware(hardware, gpio: gpio, log: { _ in }))
            report = HardwareBench.measure(backend, seconds: 2, tone: true)
        }
        let measured = try #require(report)
        #expect(measured.frames == 100)
        #expect(measured.slips == 0)
        #expect(abs(measured.lines[0].rmsDBFS - (-23.0)) < 0.3, "\(measured.lines[0].rmsDBFS) dBFS")
        #expect(measured.lines[0].peak == 3277)
        #expect(!gpio.lines["HOOK0"]!.value, "the bench leaves the line on hook")
        let played = try WAVFile.read(scratch.path("out.wav"))
        #expect(played.count >= 100 * LineFrame.samples && played.prefix(100 * LineFrame.samples).contains(3277))
    }

    /// The hardware commands (the technician's bench, the lab's exchange) refuse bad invocations with exit status 2 and one line naming the
    /// problem.
    @Test(arguments: [
        (["appliance", "bench", "hardware", "--config", "SIM"], "no hardware: section"),
        (["appliance", "bench", "hardware", "--config", "NOCARD"], "cannot open ALSA PCM \"hw:9,0\" for capture"),
        (["hotline-lab", "exchange", "--scenario", "SCENARIO"], "give --dahdi, or --alsa-playback, --alsa-capture and --gpio-sim"),
        (["hotline-lab", "exchange", "--scenario", "SCENARIO", "--dahdi", "28-25"], "--dahdi must be a range like 25-28"),
        (["hotline-lab", "exchange", "--scenario", "SCENARIO", "--alsa-playback", "null", "--alsa-capture", "null", "--gpio-sim", "/nonexistent"],
         "--gpio-sim: no /nonexistent/sim_gpio0"),
        (["hotline-lab", "exchange", "--scenario", "SCENARIO", "--alsa-playback", "null", "--alsa-capture", "null", "--gpio-sim", "/tmp", "--sim-lines", "0"],
         "--sim-lines must be hook,ring[,loop] offsets"),
    ])
    func badHardwareInvocationsAreNamed(arguments: [String], problem: String) throws {
        let scratch = try ScratchDirectory()
        try "data_dir: \(scratch.path("box"))\n".write(toFile: scratch.path("sim.yaml"), atomically: true, encoding: .utf8)
        try "data_dir: \(scratch.path("box"))\nhardware:\n  alsa:\n    lines:\n      - {pcm: \"hw:9,0\", hook: H, ring: R}\n"
            .write(toFile: scratch.path("nocard.yaml"), atomically: true, encoding: .utf8)
        let files = ["SIM": scratch.path("sim.yaml"), "NOCARD": scratch.path("nocard.yaml"),
                     "SCENARIO": "\(SimulationRig.repository)/image/vm/scenarios/complaint.json"]
        let r = try Tool.run(Tool.built(arguments[0]), arguments.dropFirst().map { files[$0] ?? $0 })
        #expect(r.status == 2)
        #expect(r.stderr.contains("error: ") && r.stderr.contains(problem), "\(r.stderr)")
    }

    /// Runs the box on the configured hardware in virtual time, ringing with China's cadence
    /// until it answers, dropping loop current at `hangUpAtMs`.
    private static func run(config: BoxConfig, gpio: FakeGPIO, hangUpAtMs: Int) throws -> CallSummary {
        let runtime = try BoxRuntime(config: config, realTime: false, gpio: gpio, log: { _, _ in })
        defer { runtime.shutdown() }
        var answered = false
        for frame in 0..<((hangUpAtMs + 3000) / LineFrame.milliseconds) {
            let ms = frame * LineFrame.milliseconds
            answered = answered || gpio.lines["HOOK0"]!.value
            gpio.lines["RING0"]!.drive(!answered && ms % 5000 < 1000 && (ms / 20) % 2 == 0)
            if ms >= hangUpAtMs { gpio.lines["LOOP0"]!.drive(false) }
            runtime.step()
            if let done = runtime.switchboard.finished.first { return done }
        }
        throw CommandFailure("the call did not end")
    }
}
