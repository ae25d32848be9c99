import CDahdi
import Foundation
import LineDriver

/// The exchange's side of DAHDI channels (`fxoks`/`fxols` signalling: the side that rings and
/// feeds battery), driven by a `SimulatedExchange`: what the exchange would send to the box is
/// written to the channels, rings become `DAHDI_HOOK` RING/RINGOFF, a caller's hang-up becomes
/// an open-loop disconnect, and the box's off-hook and on-hook come back as events. With two
/// DAHDI spans looped to each other this calls a box on the other span through the same kernel
/// API and driver a real card uses (the VM test stage).
public final class DahdiExchangePort: ExchangePort {
    private let fds: [Int32]
    private let toBox: FrameBuffers
    private let fromBox: FrameBuffers
    public let channels: [Int]
    public var lineCount: Int { channels.count }
    /// Channels whose box side answered: the exchange has gone off-hook (battery, talking) and
    /// ignores the simulator's ring commands until the call ends.
    private var connected: [Bool]

    public init(channels: [Int], device: String = "/dev/dahdi/channel") throws(DahdiBackend.OpenError) {
        // A test tool's delay costs nothing, and its margin keeps the fax and DTMF it sends
        // whole when a loaded CI host stalls it for a while.
        fds = try DahdiBackend.openChannels(channels, device: device, blocks: 16, primed: 6)
        self.channels = channels
        connected = [Bool](repeating: false, count: channels.count)
        toBox = FrameBuffers(channels: channels.count)
        fromBox = FrameBuffers(channels: channels.count)
    }

    deinit { fds.forEach { close($0) } }

    public func step(_ exchange: SimulatedExchange) {
        exchange.receive(into: toBox) { index, event in
            let op: Int32? = switch event {
            case .ringStart where !connected[index]: CDahdi_HOOK_RING
            case .ringEnd where !connected[index]: CDahdi_HOOK_RINGOFF
            // From off-hook, DAHDI hangs an fxoks channel up with a kewlstart battery drop: the
            // box's side sees loop current lost.
            case .loopCurrentLost: CDahdi_HOOK_ONHOOK
            default: nil
            }
            if event == .loopCurrentLost { connected[index] = false }
            if let op { _ = CDahdi_hook(fds[index], op) }
        }
        for (index, fd) in fds.enumerated() {
            _ = write(fd, toBox[index].baseAddress, LineFrame.samples * 2)
        }
        for (index, fd) in fds.enumerated() {
            _ = DahdiBackend.readBlock(fd, into: fromBox[index]) { event in
                if event == CDahdi_EVENT_RINGOFFHOOK {
                    // The box answered (ring trip): the exchange side goes off-hook too.
                    connected[index] = true
                    _ = CDahdi_hook(fd, CDahdi_HOOK_OFFHOOK)
                    exchange.setHook(.offHook, channel: index)
                }
                if event == CDahdi_EVENT_ONHOOK {
                    connected[index] = false
                    exchange.setHook(.onHook, channel: index)
                }
            }
        }
        exchange.transmit(fromBox)
    }
}
