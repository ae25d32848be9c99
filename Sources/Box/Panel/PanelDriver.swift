import Foundation
import LineDriver
import SystemSupport

/// The front panel on the daemon's event thread: LEDs refreshed from the box's state, and the
/// button's edges (read by a thread of their own) turned into a restart on a long press.
package final class PanelDriver {
    private let lights: PanelLights
    private var button: FrontButton
    private let edges = SPSCRing<GPIOEdge>(capacity: 64)
    private let start = BootClock.seconds()

    package init(gpio: GPIO, config: BoxConfig.PanelConfig) throws(GPIOError) {
        lights = try PanelLights(gpio: gpio, power: config.power, lines: config.lines, sync: config.sync, fault: config.fault)
        button = FrontButton(holdSeconds: config.restartHoldSeconds)
        if let name = config.button {
            let reader = ButtonReader(source: try gpio.edges(named: name), ring: edges)
            Thread.detachNewThread { reader.run() }
        }
    }

    /// Shows `status`; returns true when the button asks for a restart.
    package func update(_ status: StatusLights.Status) -> Bool {
        let t = BootClock.seconds() - start
        try? lights.show(status, at: t)
        var restart = false
        while let edge = edges.pop() {
            // Edges carry the kernel's clock; the hold is measured between them and then by ticks.
            if button.edge(GPIOEdge(rising: edge.rising, time: t)) == .restart { restart = true }
        }
        if button.tick(at: t) == .restart { restart = true }
        return restart
    }
}

/// The button line's reader thread: it alone uses the line after the hand-over.
private final class ButtonReader: @unchecked Sendable {
    // Unchecked: `source` is used only by the thread running `run`; `ring` is an SPSC ring.
    let source: GPIOEdges
    let ring: SPSCRing<GPIOEdge>

    init(source: GPIOEdges, ring: SPSCRing<GPIOEdge>) {
        self.source = source
        self.ring = ring
    }

    func run() {
        while true {
            if let edge = try? source.wait(timeoutMs: 500) { ring.push(edge) }
        }
    }
}
