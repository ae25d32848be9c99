import Dispatch
import DSP
import Foundation
import LineDriver
import LineSimulator
import Testing
import TestSupport

/// The simulated caller's abilities that the other suites do not already exercise.
@Suite(.tags(.unit)) struct SimulatedCallerTests {
    /// A caller sends a two-page fax; the box hears CNG and hands the line to a fax terminal.
    @Test func aFaxCrossesTheLine() throws {
        let scratch = try ScratchDirectory()
        let pages = [FaxPage.testChart(number: 1), FaxPage.testChart(number: 2)]
        try FaxDocument.write(pages, to: scratch.path("out.tif"))
        let rig = LineRig()
        try rig.exchange.schedule(SimulatedCall(script: [.sendFax(tiff: scratch.path("out.tif")), .hangUp(.loopDrop)],
                                                impairments: LineImpairments(attenuationDB: 6, noiseDBm0: -60)), line: 0, atMs: 0)
        let cng = rig.run(maxMs: 15_000) { if case .faxTone(let t) = $0.kind { t.tone == .cng } else { false } }
        #expect(cng != nil)
        let terminal = try FaxTerminal(FaxSessionConfig(direction: .receive(tiff: scratch.path("in.tif")), callingParty: false, ident: "HOTLINE"))
        rig.command(.fax(terminal))
        #expect(rig.run(maxMs: 120_000) { if case .faxFinished = $0.kind { true } else { false } } != nil)
        let result = try #require(terminal.result)
        #expect(result.success, "\(result.completionText)")
        #expect(result.pages == 2)
        #expect(try FaxDocument.read(scratch.path("in.tif")) == pages)
        rig.run(maxMs: 10_000) { $0.isDisconnect }
        #expect(rig.calls.first?.faxResult?.success == true)
    }

    /// Fax-back: the caller asks with a digit and the box sends a document on the same call.
    @Test func theBoxFaxesADocumentBackToTheCaller() throws {
        let scratch = try ScratchDirectory()
        let pages = [FaxPage.testChart(number: 3)]
        try FaxDocument.write(pages, to: scratch.path("guide.tif"))
        let rig = LineRig()
        try rig.exchange.schedule(SimulatedCall(script: [.wait(ms: 500), .dtmf("1", .init()), .receiveFax(into: scratch.path("got.tif")),
                                                         .hangUp(.loopDrop)]), line: 0, atMs: 0)
        rig.run(maxMs: 15_000) { if case .digit = $0.kind { true } else { false } }
        let terminal = try FaxTerminal(FaxSessionConfig(direction: .send(tiff: scratch.path("guide.tif")), callingParty: true, ident: "12345 HOTLINE"))
        rig.command(.fax(terminal))
        #expect(rig.run(maxMs: 120_000) { if case .faxFinished = $0.kind { true } else { false } } != nil)
        // The caller's machine hangs up on the last DCN, which ends the box's session at once;
        // SpanDSP then judges it complete.
        terminal.abandon("hung up")
        #expect(terminal.result?.success == true)
        rig.run(maxMs: 10_000) { $0.isDisconnect }
        let call = try #require(rig.calls.first)
        #expect(call.faxResult?.success == true)
        #expect(call.faxResult?.remoteIdent == "12345 HOTLINE")
        #expect(try FaxDocument.read(scratch.path("got.tif")) == pages)
    }

    /// The caller waits for the box's beep, keys a digit after it, and keeps what it heard.
    @Test func theCallerHearsTheBeepAndAnswersAfterIt() throws {
        let rig = LineRig()
        try rig.exchange.schedule(SimulatedCall(script: [.waitForBeep(hz: 1000, timeoutMs: 10_000), .dtmf("5", .init()), .hangUp(.loopDrop)],
                                                listens: true), line: 0, atMs: 0)
        rig.run(maxMs: 10_000) { $0.isAnswer }
        rig.run(ms: 1000)
        rig.command(.play(PromptAudio(name: "beep", samples: DSPTestTone.beep), id: 7, bargeIn: false))
        let beepEnd = try #require(rig.run(maxMs: 2000) { if case .playbackFinished(7, false) = $0.kind { true } else { false } })
        let digit = try #require(rig.run(maxMs: 5000) { if case .digit = $0.kind { true } else { false } })
        guard case .digit(let d) = digit.kind else { return }
        #expect(d.digit == "5")
        // Heard (one frame each way), recognised once it stopped, answered promptly.
        #expect(SampleClock.ms(d.startSample - beepEnd.at) >= 0 && SampleClock.ms(d.startSample - beepEnd.at) <= 300)
        rig.run(maxMs: 5000) { $0.isDisconnect }
        let call = try #require(rig.calls.first)
        #expect(call.timedOutSteps.isEmpty)
        let scratch = try ScratchDirectory()
        try call.writeHeard(to: scratch.path("heard.wav"))
        let heard = try WAVFile.read(scratch.path("heard.wav"))
        #expect(Level.dBm0(of: heard) > -40)
    }

    @Test func aScriptWithAMissingFileIsRefusedWhenScheduled() throws {
        let exchange = SimulatedExchange(lines: 1)
        #expect(throws: SimulatedExchange.ScheduleError.self) {
            try exchange.schedule(SimulatedCall(script: [.play(wav: "/nonexistent.wav")]), line: 0, atMs: 0)
        }
        #expect(throws: SimulatedExchange.ScheduleError.noSuchLine(3)) {
            try exchange.schedule(SimulatedCall(script: []), line: 3, atMs: 0)
        }
        let error = #expect(throws: SimulatedExchange.ScheduleError.self) {
            try exchange.schedule(SimulatedCall(script: [.wait(ms: 1), .dtmf("12x", .init())]), line: 0, atMs: 0)
        }
        #expect(error?.description == "step 2: \"x\" is not a DTMF digit")
    }
}

@Suite(.tags(.system), .skippedInFastRun) struct FrameLoopThreadTests {
    /// The loop's own thread runs frames until stopped, and its heartbeat shows it.
    @Test func startAndStop() {
        let exchange = SimulatedExchange(lines: 2)
        let loop = FrameLoop(backend: exchange, config: ChannelConfig())
        _ = loop.start(realTime: false)
        var polls = 0
        while loop.heartbeat.load(ordering: .relaxed) < 500 && polls < 100_000 { polls += 1; usleep(100) }
        loop.stop()
        let frames = loop.frame
        #expect(frames >= 500)
        #expect(loop.frame == frames)
    }
}

/// A backend whose `receive` blocks until the next 20 ms tick, as DAHDI's reads do.
private final class BlockingBackend: LineBackend, @unchecked Sendable {
    var kind: LineBackendKind { .simulated }
    var slips: Int { 0 }
    private var next = DispatchTime.now().uptimeNanoseconds
    var channelCount: Int { 1 }
    var pacesItself: Bool { true }
    func receive(into rx: FrameBuffers, events: (Int, LineEvent) -> Void) {
        next += 20_000_000
        let wait = Int64(next) - Int64(DispatchTime.now().uptimeNanoseconds)
        if wait > 0 { usleep(UInt32(wait / 1000)) }
    }
    func transmit(_ tx: FrameBuffers) {}
    func setHook(_ command: HookCommand, channel: Int) {}
}

@Suite(.tags(.system), .skippedInFastRun) struct BackendPacedLoopTests {
    @Test func aSelfPacingBackendIsTheClockAndIsTimed() {
        let loop = FrameLoop(backend: BlockingBackend(), config: ChannelConfig())
        _ = loop.start(realTime: true)
        while loop.heartbeat.load(ordering: .relaxed) < 10 { usleep(1000) }
        loop.stop()
        #expect(loop.timing.frames >= 10)
        #expect(loop.timing.deadlineMisses == 0)
    }
}
