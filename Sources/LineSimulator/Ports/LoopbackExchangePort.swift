import DSP
import Foundation
import LineDriver

/// The exchange's side of a line on an ALSA+GPIO box, driven by a `SimulatedExchange`, for the
/// VM test stage and a bench without a telephone line: audio through the other ends of an ALSA
/// loopback card (snd-aloop), signalling through the simulated GPIO chip (gpio-sim) that carries
/// the box's hook relay, ring detect and loop-sense lines. The exchange rings by pulling the ring
/// line, feeds loop current while the box's relay is closed and the caller holds, and reads the
/// relay back from the chip.
public final class LoopbackExchangePort: ExchangePort {
    /// One line of a gpio-sim chip, by its directory in sysfs (`…/gpiochipN/sim_gpioM`).
    public struct SimulatedGPIOLine: Sendable {
        public var directory: String

        public init(directory: String) {
            self.directory = directory
        }

        /// What an input on the box side reads: the pull applied from outside.
        func pull(high: Bool) {
            write(high ? "pull-up" : "pull-down", to: "pull")
        }

        /// What the box drives an output to.
        func value() -> Bool {
            let fd = open("\(directory)/value", O_RDONLY)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var byte: UInt8 = 0
            return Foundation.read(fd, &byte, 1) == 1 && byte == UInt8(ascii: "1")
        }

        private func write(_ text: String, to file: String) {
            let fd = open("\(directory)/\(file)", O_WRONLY)
            guard fd >= 0 else { return }
            defer { close(fd) }
            _ = text.withCString { Foundation.write(fd, $0, strlen($0)) }
        }
    }

    public struct Line: Sendable {
        /// Where the exchange plays what the box hears, and captures what the box sends.
        public var playback: String
        public var capture: String
        public var hookRelay: SimulatedGPIOLine
        public var ringDetect: SimulatedGPIOLine
        public var loopSense: SimulatedGPIOLine?

        public init(playback: String, capture: String, hookRelay: SimulatedGPIOLine, ringDetect: SimulatedGPIOLine, loopSense: SimulatedGPIOLine?) {
            self.playback = playback
            self.capture = capture
            self.hookRelay = hookRelay
            self.ringDetect = ringDetect
            self.loopSense = loopSense
        }
    }

    private struct State {
        let line: Line
        let toBox: AlsaPCM
        let fromBox: AlsaPCM
        var boxOffHook = false
        /// The caller has cleared: no loop current until the box hangs up too.
        var cleared = false
        var loop = false
    }

    private var lines: [State]
    private let toBox: FrameBuffers
    private let fromBox: FrameBuffers
    public var lineCount: Int { lines.count }

    public init(lines: [Line], bufferMs: Int = 200) throws(AlsaGpioBackend.OpenError) {
        var states: [State] = []
        for (i, line) in lines.enumerated() {
            states.append(State(line: line, toBox: try AlsaPCM(line.playback, capture: false, bufferMs: bufferMs, what: "exchange line \(i)"),
                                fromBox: try AlsaPCM(line.capture, capture: true, bufferMs: bufferMs, what: "exchange line \(i)")))
            line.ringDetect.pull(high: false)
            line.loopSense?.pull(high: false)
        }
        self.lines = states
        toBox = FrameBuffers(channels: lines.count)
        fromBox = FrameBuffers(channels: lines.count)
    }

    public func step(_ exchange: SimulatedExchange) {
        for i in lines.indices {
            let offHook = lines[i].line.hookRelay.value()
            if offHook != lines[i].boxOffHook {
                lines[i].boxOffHook = offHook
                if !offHook { lines[i].cleared = false }
                exchange.setHook(offHook ? .offHook : .onHook, channel: i)
            }
        }
        exchange.receive(into: toBox) { index, event in
            switch event {
            case .ringStart: lines[index].line.ringDetect.pull(high: true)
            case .ringEnd: lines[index].line.ringDetect.pull(high: false)
            case .loopCurrentLost: lines[index].cleared = true
            case .loopCurrentRestored: lines[index].cleared = false
            default: break
            }
        }
        for i in lines.indices {
            let loop = lines[i].boxOffHook && !lines[i].cleared
            if loop != lines[i].loop {
                lines[i].loop = loop
                lines[i].line.loopSense?.pull(high: loop)
            }
            _ = lines[i].toBox.write(toBox[i])
        }
        for i in lines.indices { _ = lines[i].fromBox.read(into: fromBox[i]) }
        exchange.transmit(fromBox)
    }
}
