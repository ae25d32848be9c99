import DSP
import HotlineModel
import LineDriver
import LineSimulator

/// The box's line layer against the simulated exchange, in virtual time: what every
/// LineDriver test drives. Events and finished calls are collected after every frame.
final class LineRig {
    let exchange: SimulatedExchange
    let loop: FrameLoop
    private(set) var events: [ChannelEvent] = []
    private(set) var calls: [SimulatedCallRecord] = []

    init(lines: Int = 1, config: ChannelConfig = ChannelConfig()) {
        exchange = SimulatedExchange(lines: lines)
        loop = FrameLoop(backend: exchange, config: config)
    }

    var nowMs: Int { SampleClock.ms(loop.now) }

    func command(_ command: ChannelCommand, line: Int = 0) { loop.channels[line].commands.push(command) }

    /// Runs for `ms` of line time.
    func run(ms: Int) { for _ in 0..<LineFrame.frames(ms: ms) { step() } }

    /// Runs until an event matches (returned) or `maxMs` passes (nil). `match` sees each new
    /// event exactly once, so it may act on it (queue a prompt, say).
    @discardableResult
    func run(maxMs: Int, until match: (ChannelEvent) -> Bool) -> ChannelEvent? {
        var seen = events.count
        for _ in 0..<LineFrame.frames(ms: maxMs) {
            step()
            while seen < events.count {
                let event = events[seen]
                seen += 1
                if match(event) { return event }
            }
        }
        return nil
    }

    func step() {
        loop.step()
        for channel in loop.channels { while let e = channel.events.pop() { events.append(e) } }
        while let call = exchange.finishedCalls.pop() { calls.append(call) }
    }

    var disconnects: [(reason: DisconnectReason, atMs: Int)] {
        events.compactMap { if case .disconnected(let r) = $0.kind { (r, SampleClock.ms($0.at)) } else { nil } }
    }

    var answers: [Int] { events.compactMap { if case .answered = $0.kind { SampleClock.ms($0.at) } else { nil } } }
}

extension ChannelEvent {
    var isDisconnect: Bool { if case .disconnected = kind { true } else { false } }
    var isAnswer: Bool { if case .answered = kind { true } else { false } }
}
