import LineDriver

/// A GPIO chip that behaves as libgpiod 1.6 does towards its user: lines exist by name, each
/// may be requested once, outputs keep the last value written, inputs deliver queued edges.
public final class FakeGPIO: GPIO {
    public final class Line: GPIOOutput, GPIOEdges {
        public let name: String
        public var value = false
        public var writes = 0
        public var pending: [GPIOEdge] = []
        init(name: String) { self.name = name }
        public func set(_ v: Bool) throws(GPIOError) { value = v; writes += 1 }
        public func wait(timeoutMs: Int) throws(GPIOError) -> GPIOEdge? { pending.isEmpty ? nil : pending.removeFirst() }
        /// Drives an input to `level`, queuing the edge a requester sees (none if unchanged).
        public func drive(_ level: Bool, at time: Double = 0) {
            guard level != value else { return }
            value = level
            pending.append(GPIOEdge(rising: level, time: time))
        }
    }

    public var lines: [String: Line] = [:]
    private var requested: Set<String> = []

    public init(names: [String]) { for n in names { lines[n] = Line(name: n) } }

    private func request(_ name: String) throws(GPIOError) -> Line {
        guard let line = lines[name] else { throw .noSuchLine(name) }
        guard !requested.contains(name) else { throw .busy(name) }
        requested.insert(name)
        return line
    }

    public func output(named name: String, initial: Bool) throws(GPIOError) -> GPIOOutput {
        let line = try request(name)
        line.value = initial
        return line
    }

    public func edges(named name: String) throws(GPIOError) -> GPIOEdges { try request(name) }
}

