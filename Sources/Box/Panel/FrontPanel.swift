import LineDriver

/// What the front panel shows and how its button is read, as pure logic with time injected.
///
/// - power: steady while the box runs;
/// - one LED per line: off idle, steady in a call, fast blink (2 Hz) while ringing;
/// - sync: steady when the central office pulled within the hour, slow blink (0.5 Hz) when it
///   has not pulled for longer, off when it never has;
/// - fault: steady while something needs a technician (the frame loop stalled, recordings
///   failing to write, the case store failing).
package struct StatusLights {
    package enum LineLight: Equatable { case idle, ringing, inCall }

    package struct Status: Equatable {
        package var running = true
        package var lines: [LineLight] = []
        /// Seconds since the central office last pulled; nil when it never has.
        package var sinceLastPull: Double?
        package var fault = false

        package init(running: Bool = true, lines: [LineLight] = [], sinceLastPull: Double? = nil, fault: Bool = false) {
            self.running = running
            self.lines = lines
            self.sinceLastPull = sinceLastPull
            self.fault = fault
        }
    }

    /// The value of every LED at time `t` (seconds): power, the lines in order, sync, fault.
    package static func values(_ s: Status, at t: Double) -> (power: Bool, lines: [Bool], sync: Bool, fault: Bool) {
        func blink(_ hz: Double) -> Bool { (t * hz * 2).rounded(.down).truncatingRemainder(dividingBy: 2) == 0 }
        let lines = s.lines.map { light -> Bool in
            switch light {
            case .idle: false
            case .inCall: true
            case .ringing: blink(2)
            }
        }
        let sync: Bool = switch s.sinceLastPull {
        case nil: false
        case let since? where since <= 3600: true
        default: blink(0.5)
        }
        return (s.running, lines, sync, s.fault)
    }
}

/// A long press of the front button restarts the box (systemd brings it back); a short press
/// does nothing, so a brush against the panel is harmless.
package struct FrontButton {
    package enum Action: Equatable { case none, restart }

    package let holdSeconds: Double
    private var pressedAt: Double?
    private var fired = false

    package init(holdSeconds: Double = 3) { self.holdSeconds = holdSeconds }

    /// An edge of the button line (pressed = the line rose).
    package mutating func edge(_ e: GPIOEdge) -> Action {
        if e.rising {
            pressedAt = e.time
            fired = false
            return .none
        }
        defer { pressedAt = nil }
        return check(at: e.time)
    }

    /// Called regularly: fires as soon as the button has been held long enough, once.
    package mutating func tick(at t: Double) -> Action { check(at: t) }

    private mutating func check(at t: Double) -> Action {
        guard let p = pressedAt, !fired, t - p >= holdSeconds else { return .none }
        fired = true
        return .restart
    }
}

/// Drives the LEDs from `StatusLights`, writing a line only when its value changes.
package final class PanelLights {
    private let power: GPIOOutput?
    private let lines: [GPIOOutput?]
    private let sync: GPIOOutput?
    private let fault: GPIOOutput?
    private var last: (power: Bool, lines: [Bool], sync: Bool, fault: Bool)?

    package init(gpio: GPIO, power: String?, lines: [String], sync: String?, fault: String?) throws(GPIOError) {
        func open(_ name: String?) throws(GPIOError) -> GPIOOutput? { try name.map { n throws(GPIOError) in try gpio.output(named: n, initial: false) } }
        self.power = try open(power)
        var outs: [GPIOOutput?] = []
        for name in lines { outs.append(try open(name)) }
        self.lines = outs
        self.sync = try open(sync)
        self.fault = try open(fault)
    }

    package func show(_ status: StatusLights.Status, at t: Double) throws(GPIOError) {
        let v = StatusLights.values(status, at: t)
        if last?.power != v.power { try power?.set(v.power) }
        for (i, out) in lines.enumerated() where i < v.lines.count && last?.lines[safe: i] != v.lines[i] { try out?.set(v.lines[i]) }
        if last?.sync != v.sync { try sync?.set(v.sync) }
        if last?.fault != v.fault { try fault?.set(v.fault) }
        last = v
    }
}

extension Array {
    package subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
