import CAllocationCounter
import DSP
import LineDriver
import LineSimulator
import Testing
import TestSupport

/// The steady-state frame path allocates nothing: a live call with the caller speaking and
/// keying digits, the box playing a prompt, its echo on the line, and the recorder tapping it.
@Suite(.tags(.unit)) struct FramePathAllocationTests {
    @Test func aLiveCallAllocatesNothingPerFrame() throws {
        let scratch = try ScratchDirectory()
        let speech = try Speech.mandarinWAV(seconds: 5, in: scratch)
        let exchange = SimulatedExchange(lines: 2)
        let loop = FrameLoop(backend: exchange, config: ChannelConfig())
        var script: [CallerAction] = []
        for _ in 0..<6 { script += [.play(wav: speech), .dtmf("1234567890*#", .init()), .wait(ms: 500)] }
        for line in 0..<2 {
            try exchange.schedule(SimulatedCall(script: script, impairments: LineImpairments(attenuationDB: 3, noiseDBm0: -60,
                                                                                              echoDelayMs: 8, echoReturnLossDB: 15)),
                                  line: line, atMs: 0)
        }
        let prompt = PromptAudio(name: "prompt", samples: try Speech.mandarin(seconds: 60))
        let rings = (0..<2).map { _ in SampleRing(capacity: 1 << 16) }
        // Answer, start the prompt and the recorder, and let everything settle.
        loop.run(frames: LineFrame.frames(ms: 7000))
        for (channel, ring) in zip(loop.channels, rings) {
            #expect(channel.isOffHook)
            channel.commands.push(.play(prompt, id: 1, bargeIn: false))
            channel.commands.push(.record(ring, stereo: true, tap: .call))
        }
        loop.run(frames: LineFrame.frames(ms: 3000))

        let rx = FrameBuffers(channels: 2), tx = FrameBuffers(channels: 2)
        var allocations = 0
        var digits = 0
        for _ in 0..<LineFrame.frames(ms: 20_000) {
            let time = loop.now
            var lines: [Int] = [], signalling: [LineEvent] = []
            exchange.receive(into: rx) { lines.append($0); signalling.append($1) }
            let channels = loop.channels
            // What FrameLoop.step does between the backend's receive and transmit, counted.
            allocation_counter_start()
            for i in 0..<signalling.count { channels[lines[i]].signalling(signalling[i], at: time) }
            for c in 0..<channels.count {
                channels[c].process(rx: UnsafeBufferPointer(rx[c]), tx: tx[c], at: time)
            }
            allocations += allocation_counter_stop()
            exchange.transmit(tx)
            loop.advanceClock()
            for channel in loop.channels {
                while let event = channel.events.pop() { if case .digit = event.kind { digits += 1 } }
            }
            for ring in rings { ring.drain { _ in } }
        }
        #expect(allocations == 0)
        // The path was exercised: digits were detected during the counted frames.
        #expect(digits >= 24)
    }
}
