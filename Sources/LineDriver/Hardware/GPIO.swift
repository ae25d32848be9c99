import CGPIOD
import Foundation
import SystemSupport

/// The few GPIO operations the front panel and the ALSA+GPIO line backend need, in libgpiod 1.6's terms: lines found by name,
/// requested by a consumer as outputs or for both-edge events, each requested once.
public protocol GPIO: AnyObject {
    func output(named name: String, initial: Bool) throws(GPIOError) -> GPIOOutput
    func edges(named name: String) throws(GPIOError) -> GPIOEdges
}

public protocol GPIOOutput: AnyObject {
    func set(_ value: Bool) throws(GPIOError)
}

public struct GPIOEdge: Equatable, Sendable {
    public var rising: Bool
    /// Seconds, on the kernel's monotonic clock.
    public var time: Double

    public init(rising: Bool, time: Double) {
        self.rising = rising
        self.time = time
    }
}

public protocol GPIOEdges: AnyObject {
    /// The next edge, or nil when none came within `timeoutMs`.
    func wait(timeoutMs: Int) throws(GPIOError) -> GPIOEdge?
}

public enum GPIOError: Error, Equatable, CustomStringConvertible {
    case noSuchLine(String)
    case busy(String)
    case failed(String, SystemError)

    public var description: String {
        switch self {
        case .noSuchLine(let n): "GPIO line \"\(n)\" not found (check the gpio names in the config against gpioinfo)"
        case .busy(let n): "GPIO line \"\(n)\" is already in use"
        case .failed(let n, let why): "GPIO line \"\(n)\": \(why)"
        }
    }
}

/// libgpiod 1.6 on the real kernel (character device), lines looked up by name on every chip.
public final class LibgpiodGPIO: GPIO {
    public init() {}

    package static let consumer = "hotline"

    private final class Line: GPIOOutput, GPIOEdges {
        let name: String
        let line: OpaquePointer

        init(name: String, line: OpaquePointer) {
            self.name = name
            self.line = line
        }

        deinit {
            gpiod_line_release(line)
            gpiod_line_close_chip(line)
        }

        public func set(_ value: Bool) throws(GPIOError) {
            if gpiod_line_set_value(line, value ? 1 : 0) != 0 { throw .failed(name, .last("gpiod_line_set_value")) }
        }

        public func wait(timeoutMs: Int) throws(GPIOError) -> GPIOEdge? {
            var timeout = timespec(tv_sec: timeoutMs / 1000, tv_nsec: (timeoutMs % 1000) * 1_000_000)
            switch gpiod_line_event_wait(line, &timeout) {
            case 0: return nil
            case 1:
                var event = gpiod_line_event()
                guard gpiod_line_event_read(line, &event) == 0 else { throw .failed(name, .last("gpiod_line_event_read")) }
                return GPIOEdge(rising: event.event_type == Int32(GPIOD_LINE_EVENT_RISING_EDGE),
                                time: Double(event.ts.tv_sec) + Double(event.ts.tv_nsec) / 1e9)
            default: throw .failed(name, .last("gpiod_line_event_wait"))
            }
        }
    }

    private func find(_ name: String) throws(GPIOError) -> OpaquePointer {
        guard let line = gpiod_line_find(name) else { throw .noSuchLine(name) }
        return line
    }

    public func output(named name: String, initial: Bool) throws(GPIOError) -> GPIOOutput {
        let line = try find(name)
        guard gpiod_line_request_output(line, Self.consumer, initial ? 1 : 0) == 0 else {
            let failure = SystemError.last("gpiod_line_request_output")
            gpiod_line_close_chip(line)
            throw failure.errno == .resourceBusy ? .busy(name) : .failed(name, failure)
        }
        return Line(name: name, line: line)
    }

    public func edges(named name: String) throws(GPIOError) -> GPIOEdges {
        let line = try find(name)
        guard gpiod_line_request_both_edges_events(line, Self.consumer) == 0 else {
            let failure = SystemError.last("gpiod_line_request_both_edges_events")
            gpiod_line_close_chip(line)
            throw failure.errno == .resourceBusy ? .busy(name) : .failed(name, failure)
        }
        return Line(name: name, line: line)
    }
}
