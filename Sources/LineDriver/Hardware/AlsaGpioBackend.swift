import DSP
import Foundation
import Synchronization

/// Lines on a low-cost board: an audio codec through ALSA (8 kHz S16 mono, 20 ms periods) and,
/// per line, GPIO for the hook relay (output), ring detect and, optionally, loop-current sense
/// (both-edge events), through libgpiod.
///
/// Everything happens on the frame thread and allocates nothing there: GPIO edges are polled
/// without waiting once a frame (their timing is the frame's), audio is read and written in
/// place. With a real codec the blocking capture read paces the loop (`pacesItself`); xruns are
/// recovered with `snd_pcm_prepare` and counted, the lost period replaced by silence.
public final class AlsaGpioBackend: LineBackend {
    public struct Line: Sendable {
        /// ALSA PCM names for capture and playback (often the same, e.g. "plughw:0,0").
        public var capture: String
        public var playback: String
        public var hookRelay: String
        public var ringDetect: String
        public var loopSense: String?
        public var ringActiveLow = false
        public var hookActiveLow = false
        /// True when the sense line is high while loop current flows.
        public var loopSenseActiveHigh = true
        /// ALSA buffer per direction: 80 ms (four frames) suits a codec on a quiet board; more
        /// rides out a busy or emulated CPU at the cost of playback delay.
        public var bufferMs = 80

        public init(capture: String, playback: String, hookRelay: String, ringDetect: String, loopSense: String? = nil) {
            self.capture = capture
            self.playback = playback
            self.hookRelay = hookRelay
            self.ringDetect = ringDetect
            self.loopSense = loopSense
        }
    }

    public struct OpenError: Error, CustomStringConvertible {
        public var description: String
    }

    private final class Port {
        let capture: AlsaPCM
        let playback: AlsaPCM
        let hook: GPIOOutput
        let hookActiveLow: Bool
        let ring: GPIOEdges
        let sense: GPIOEdges?
        let senseActiveHigh: Bool
        var ringDetector: RingDetector
        /// The frame at which a hook flash in progress closes the relay again.
        var flashEnds: Int?

        init(capture: AlsaPCM, playback: AlsaPCM, hook: GPIOOutput, hookActiveLow: Bool, ring: GPIOEdges, ringActiveLow: Bool,
             sense: GPIOEdges?, senseActiveHigh: Bool) {
            self.capture = capture
            self.playback = playback
            self.hook = hook
            self.hookActiveLow = hookActiveLow
            self.ring = ring
            self.sense = sense
            self.senseActiveHigh = senseActiveHigh
            ringDetector = RingDetector(activeLow: ringActiveLow)
        }
    }

    private let ports: [Port]
    public let pacesItself: Bool
    public var channelCount: Int { ports.count }
    /// Capture overruns and playback underruns recovered, all lines together.
    public let xruns = Atomic<Int>(0)
    public var slips: Int { xruns.load(ordering: .relaxed) }
    public var kind: LineBackendKind { .alsa }
    /// How long the relay opens for a hook flash (China: 100-600 ms breaks count as a flash).
    public static let flashMs = 300
    private var frame = 0

    /// `pacedByDevice`: false when the PCM is not a clocked device (alsa-lib's `file` plugin in
    /// tests), so the frame loop paces itself.
    public init(lines: [Line], gpio: GPIO, pacedByDevice: Bool = true) throws {
        var ports: [Port] = []
        for (i, line) in lines.enumerated() {
            let capture = try AlsaPCM(line.capture, capture: true, bufferMs: line.bufferMs, what: "line \(i)")
            let playback = try AlsaPCM(line.playback, capture: false, bufferMs: line.bufferMs, what: "line \(i)")
            ports.append(Port(capture: capture, playback: playback,
                              hook: try gpio.output(named: line.hookRelay, initial: line.hookActiveLow),
                              hookActiveLow: line.hookActiveLow, ring: try gpio.edges(named: line.ringDetect), ringActiveLow: line.ringActiveLow,
                              sense: try line.loopSense.map { name throws(GPIOError) in try gpio.edges(named: name) }, senseActiveHigh: line.loopSenseActiveHigh))
        }
        self.ports = ports
        pacesItself = pacedByDevice
    }

    public func receive(into rx: FrameBuffers, events: (Int, LineEvent) -> Void) {
        let ms = frame * LineFrame.milliseconds
        frame += 1
        for (index, port) in ports.enumerated() {
            if let end = port.flashEnds, frame >= end {
                port.flashEnds = nil
                try? port.hook.set(!port.hookActiveLow)
            }
            while let edge = try? port.ring.wait(timeoutMs: 0) {
                if port.ringDetector.edge(rising: edge.rising, at: ms) == .started { events(index, .ringStart) }
            }
            if port.ringDetector.tick(at: ms) == .ended { events(index, .ringEnd) }
            if let sense = port.sense {
                while let edge = try? sense.wait(timeoutMs: 0) {
                    events(index, edge.rising == port.senseActiveHigh ? .loopCurrentRestored : .loopCurrentLost)
                }
            }
            if !port.capture.read(into: rx[index]) { xruns.add(1, ordering: .relaxed) }
        }
    }

    public func transmit(_ tx: FrameBuffers) {
        for (index, port) in ports.enumerated() where !port.playback.write(tx[index]) {
            xruns.add(1, ordering: .relaxed)
        }
    }

    public func setHook(_ command: HookCommand, channel: Int) {
        let port = ports[channel]
        switch command {
        case .offHook: try? port.hook.set(!port.hookActiveLow)
        case .onHook: try? port.hook.set(port.hookActiveLow)
        case .flash:
            // DAHDI times a flash in the driver; here the relay opens now and closes again
            // `flashMs` later, at the start of that frame.
            try? port.hook.set(port.hookActiveLow)
            port.flashEnds = frame + Self.flashMs / LineFrame.milliseconds
        }
    }
}
