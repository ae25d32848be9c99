import Foundation
import LineDriver
import Synchronization

/// What the technicians' queries show of the running box, published by the event thread a few
/// times a second, so a control client is answered from a copy and never waits on, or holds
/// up, the thread that runs the calls.
package struct ControlSnapshot: Sendable {
    /// One line per telephone line: state, caller, level (the uplink's health shows these too).
    package var lineSummaries: [String] = []
    /// Each line's recent events, in the order of `lineSummaries`.
    package var recentEvents: [[String]] = []
    /// Each line's state, in line order (the metrics textfile's `hotline_line_state`).
    package var lineStates: [Switchboard.LineState] = []
    package var busyLines = 0
    package var activeCalls = 0
    package var flowName = ""
    package var backend = ""
    package var backendKind: LineBackendKind?
    /// The backend's slips so far (LineBackend.slips).
    package var slips = 0
    package var recorderFaults = 0
    /// nil when no uplink is configured.
    package var uplinkListening: Bool?

    package init() {}
}

/// The snapshot and the daemon's recent log lines, shared between the event thread (writer)
/// and the control socket's workers (readers).
package final class ControlBoard: Sendable {
    private let snapshot = Mutex(ControlSnapshot())
    private let log = Mutex<[String]>([])
    /// Set by a control command whose change takes a restart (the node prefix); the daemon
    /// restarts once no call is in progress.
    package let restartWanted = Atomic<Bool>(false)
    package static let logLines = 500

    package init() {}

    package func publish(_ s: ControlSnapshot) { snapshot.withLock { $0 = s } }
    package var current: ControlSnapshot { snapshot.withLock { $0 } }

    package func appendLog(_ line: String) {
        log.withLock { lines in
            lines.append(line)
            if lines.count > Self.logLines { lines.removeFirst(lines.count - Self.logLines) }
        }
    }

    package func lastLog(_ n: Int) -> [String] { log.withLock { Array($0.suffix(n)) } }
}
