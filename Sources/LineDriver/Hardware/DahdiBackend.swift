import CDahdi
import DSP
import Foundation
import Synchronization
import SystemSupport

/// FXO ports of a DAHDI card (channels with `fxsks`/`fxsls` signalling in system.conf), through
/// the kernel's `/dev/dahdi/channel`: 160-sample blocks of signed linear audio, events, hook.
///
/// DAHDI is the line clock: each frame's blocking read of the first channel returns when the
/// card has a new block, and the others are read right after. The kernel keeps `kernelBlocks`
/// blocks each way, so a late frame catches up by reading what queued instead of dropping it,
/// and the loop primes the playback side one block ahead so a late frame does not underrun it:
/// no sample is ever dropped or inserted, which the fax modems need.
public final class DahdiBackend: LineBackend {
    public struct Channel: Sendable {
        /// The DAHDI channel number (system.conf).
        public var number: Int
        /// Echo canceller length in taps (8 per ms); 0 leaves the canceller off.
        public var echoCancelTaps: Int

        public init(number: Int, echoCancelTaps: Int = 128) {
            self.number = number
            self.echoCancelTaps = echoCancelTaps
        }
    }

    /// A channel that could not be opened or set up, with the call that failed.
    public struct OpenError: Error, CustomStringConvertible {
        public let failure: SystemError
        init(_ failure: SystemError) { self.failure = failure }
        public var description: String { failure.description }
    }

    public static let kernelBlocks = 4
    public let pacesItself = true
    public var channelCount: Int { fds.count }
    private let fds: [Int32]
    private let channels: [Channel]
    /// Events read while writing, reported with the next frame's receive. Fixed capacity: the
    /// frame thread never allocates.
    private var deferred: UnsafeMutableBufferPointer<(Int, Int32)>
    private var deferredCount = 0
    /// A ring burst in progress per channel: drivers that report only its end (RINGOFFHOOK) get
    /// its start synthesised, so the supervisor always sees both.
    private var ringing: [Bool]
    /// Short reads and failed writes, all channels together.
    private let slipCount = Atomic<Int>(0)
    public var slips: Int { slipCount.load(ordering: .relaxed) }
    public var kind: LineBackendKind { .dahdi }
    /// Why a channel's echo canceller could not be set (cards without one), for one warning.
    public private(set) var echoCancelWarnings: [String] = []

    public init(channels: [Channel], device: String = "/dev/dahdi/channel") throws(OpenError) {
        fds = try Self.openChannels(channels.map(\.number), device: device)
        self.channels = channels
        deferred = .allocate(capacity: 64 * max(1, channels.count))
        ringing = [Bool](repeating: false, count: channels.count)
        for (i, channel) in channels.enumerated() where CDahdi_echo_cancel(fds[i], Int32(channel.echoCancelTaps)) != 0 && channel.echoCancelTaps > 0 {
            echoCancelWarnings.append("DAHDI channel \(channel.number): no echo canceller (\(SystemError.last("DAHDI_ECHOCANCEL_PARAMS").errno))")
        }
    }

    /// Opens channels by number for 160-sample linear blocks with `blocks` of kernel buffering,
    /// each primed with `primed` blocks of silence: the playback side's jitter margin, which is
    /// also its added delay. Either side of a span: the box's FXO ports here (one block: echo and
    /// barge-in want it short), the test exchange's in `DahdiExchangePort`.
    package static func openChannels(_ numbers: [Int], device: String, blocks: Int = kernelBlocks, primed: Int = 1) throws(OpenError) -> [Int32] {
        var fds: [Int32] = []
        func fail(_ number: Int, _ what: String) -> OpenError {
            let failure = SystemError.last(what, "DAHDI channel \(number)")
            fds.forEach { close($0) }
            return OpenError(failure)
        }
        for number in numbers {
            let fd = open(device, O_RDWR)
            guard fd >= 0 else { throw fail(number, "cannot open \(device) (is the dahdi module loaded and dahdi_cfg run?)") }
            fds.append(fd)
            for (what, rc) in [("DAHDI_SPECIFY", CDahdi_specify(fd, Int32(number))),
                               ("DAHDI_SET_BLOCKSIZE 160", CDahdi_set_blocksize(fd, Int32(LineFrame.samples))),
                               ("DAHDI_SETLINEAR", CDahdi_set_linear(fd, 1)),
                               ("DAHDI_SET_BUFINFO", CDahdi_set_buffers(fd, Int32(blocks)))] where rc != 0 {
                throw fail(number, "\(what) failed (check its signalling in system.conf)")
            }
        }
        // One write per block: DAHDI takes at most one buffer per call.
        let silence = [Int16](repeating: 0, count: LineFrame.samples)
        for fd in fds { for _ in 0..<primed { _ = silence.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } } }
        return fds
    }

    deinit {
        fds.forEach { close($0) }
        deferred.deallocate()
    }

    public func receive(into rx: FrameBuffers, events: (Int, LineEvent) -> Void) {
        for i in 0..<deferredCount { report(deferred[i].1, channel: deferred[i].0, events) }
        deferredCount = 0
        for (index, fd) in fds.enumerated() where !Self.readBlock(fd, into: rx[index], events: { report($0, channel: index, events) }) {
            slipCount.add(1, ordering: .relaxed)
        }
    }

    /// Reads one block from a channel, blocking until it is there; events that interrupt the read
    /// (ELAST) go to `events`. After a short read the rest of the block is silence; returns false
    /// then. Either side of a span: the box's reads here, the test exchange's in `DahdiExchangePort`.
    package static func readBlock(_ fd: Int32, into buffer: UnsafeMutableBufferPointer<Int16>, events: (Int32) -> Void) -> Bool {
        let bytes = buffer.count * 2
        var got = 0
        while got < bytes {
            let n = read(fd, UnsafeMutableRawPointer(buffer.baseAddress!) + got, bytes - got)
            if n > 0 { got += n; continue }
            if n < 0 && errno == CDahdi_ELAST {
                drainEvents(fd, events)
                continue
            }
            if n < 0 && errno == EINTR { continue }
            UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[(got / 2)...])).initializeMemory(as: UInt8.self, repeating: 0)
            return false
        }
        return true
    }

    public func transmit(_ tx: FrameBuffers) {
        for (index, fd) in fds.enumerated() {
            let buffer = tx[index]
            let bytes = LineFrame.samples * 2
            var sent = 0
            var attempts = 0
            while sent < bytes && attempts < 4 {
                let n = write(fd, UnsafeRawPointer(buffer.baseAddress!) + sent, bytes - sent)
                if n > 0 { sent += n; continue }
                attempts += 1
                if n < 0 && errno == CDahdi_ELAST {
                    Self.drainEvents(fd) { event in
                        if deferredCount < deferred.count { deferred[deferredCount] = (index, event); deferredCount += 1 }
                    }
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                slipCount.add(1, ordering: .relaxed)
                break
            }
        }
    }

    public func setHook(_ command: HookCommand, channel: Int) {
        let op: Int32 = switch command {
        case .offHook: CDahdi_HOOK_OFFHOOK
        case .onHook: CDahdi_HOOK_ONHOOK
        case .flash: CDahdi_HOOK_FLASH
        }
        _ = CDahdi_hook(fds[channel], op)
    }

    public func setFaxMode(_ on: Bool, channel: Int) {
        _ = CDahdi_echo_cancel(fds[channel], on ? 0 : Int32(channels[channel].echoCancelTaps))
    }

    private static func drainEvents(_ fd: Int32, _ body: (Int32) -> Void) {
        var event: Int32 = 0
        while CDahdi_get_event(fd, &event) == 0 && event != 0 { body(event) }
    }

    /// DAHDI's events for an FXO port, in the backend protocol's terms (docs/LINES.md).
    private func report(_ event: Int32, channel: Int, _ events: (Int, LineEvent) -> Void) {
        let (first, second) = Self.lineEvents(event, ringing: &ringing[channel])
        if let first { events(channel, first) }
        if let second { events(channel, second) }
    }

    /// Pure mapping, tested without a card. Returns up to two events (a synthesised ring start).
    public static func lineEvents(_ event: Int32, ringing: inout Bool) -> (LineEvent?, LineEvent?) {
        switch event {
        case CDahdi_EVENT_RINGBEGIN, CDahdi_EVENT_RINGERON:
            if ringing { return (nil, nil) }
            ringing = true
            return (.ringStart, nil)
        case CDahdi_EVENT_RINGOFFHOOK, CDahdi_EVENT_RINGEROFF:
            defer { ringing = false }
            return ringing ? (.ringEnd, nil) : (.ringStart, .ringEnd)
        case CDahdi_EVENT_ONHOOK: return (.loopCurrentLost, nil)
        case CDahdi_EVENT_POLARITY: return (.polarityReversal, nil)
        case CDahdi_EVENT_ALARM: return (.alarm(raised: true), nil)
        case CDahdi_EVENT_NOALARM: return (.alarm(raised: false), nil)
        default: return (nil, nil)
        }
    }
}
