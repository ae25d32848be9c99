/// The exchange's side of real line interfaces, driven frame by frame by a `SimulatedExchange`
/// (`appliance exchange`): DAHDI channels with exchange signalling, or an ALSA loopback with a
/// simulated GPIO chip.
public protocol ExchangePort: AnyObject {
    var lineCount: Int { get }
    /// One 20 ms frame, paced by the interface's blocking reads.
    func step(_ exchange: SimulatedExchange)
}
