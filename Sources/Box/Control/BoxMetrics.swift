import Foundation
import HotlineModel
import LineDriver

/// The box's figures, as both the uplink's `/metrics` and the node-exporter textfile
/// (`metrics_file:`, MetricsTextfile) give them: one set of names for a dashboard whichever way
/// it reads the box.
package struct BoxMetrics: Sendable {
    /// Each line's state, in line order; empty where the reader has no view of the lines.
    package var lineStates: [Switchboard.LineState] = []
    package var backend: LineBackendKind?
    package var slips = 0
    package var calls = 0
    package var cases: [(kind: String, count: Int)] = []
    package var outbound: [(kind: String, state: String, outcome: String?, count: Int)] = []
    package var diskFreeBytes = 0
    package var diskReserveBytes = 0
    package var lastPull: Date?
    package var certificateDaysLeft: Int?

    package init() {}

    package var text: String {
        var out = PrometheusText()
        out.add("hotline_build_info", .gauge, help: "The firmware the box runs.", [(labels: [("version", FirmwareVersion.current)], value: 1)])
        if !lineStates.isEmpty {
            out.add("hotline_line_state", .gauge, help: "1 for each line's present state (idle, ringing, in call, testing).",
                    lineStates.enumerated().flatMap { n, state in
                        Switchboard.LineState.allCases.map { (labels: [("line", String(n)), ("state", $0.rawValue)], value: $0 == state ? 1 : 0) }
                    })
        }
        if let backend, let slipsAre = backend.slipsAre {
            out.add("hotline_line_slips_total", .counter, help: "Frames the line hardware could not move on time and recovered from (\(slipsAre)).",
                    [(labels: [("backend", backend.rawValue)], value: slips)])
        }
        out.add("hotline_calls_total", .counter, help: "Calls the box has handled.", calls)
        out.add("hotline_cases_total", .counter, help: "Cases the box has created, by kind.", cases.map { (labels: [("kind", $0.kind)], value: $0.count) })
        out.add("hotline_outbound_jobs", .gauge, help: "Outbound jobs (call-backs, fax sends) waiting or on a line, by kind and state.",
                outbound.filter { $0.state != "done" }.map { (labels: [("kind", $0.kind), ("state", $0.state)], value: $0.count) })
        out.add("hotline_outbound_done_total", .counter, help: "Outbound jobs finished, by kind and outcome.",
                outbound.filter { $0.state == "done" }.map { (labels: [("kind", $0.kind), ("outcome", $0.outcome ?? "")], value: $0.count) })
        out.add("hotline_disk_free_bytes", .gauge, help: "Free bytes on the data file system.", diskFreeBytes)
        out.add("hotline_disk_reserve_bytes", .gauge, help: "Below this many free bytes new calls hear \"service busy\" (disk: reserve).", diskReserveBytes)
        if let lastPull {
            out.add("hotline_last_pull_timestamp_seconds", .gauge, help: "When the central office last pulled the box in full (Unix time).", lastPull.timeIntervalSince1970)
        }
        if let certificateDaysLeft {
            out.add("hotline_uplink_certificate_days_left", .gauge, help: "Days until the box's uplink certificate expires (warning below 30).", certificateDaysLeft)
        }
        return out.text
    }
}
