import Foundation
import HotlineModel

/// The puller's figures in Prometheus's text format, for node-exporter's textfile collector:
/// the pull service runs from a timer and exits, so it leaves its figures in a file rather
/// than serving them.
package enum CentralMetrics {
    package static func text(_ boxes: [BoxInventory.Health]) -> String {
        var out = PrometheusText()
        out.add("hotline_central_build_info", .gauge, help: "The hotline-central that wrote these figures.", [(labels: [("version", FirmwareVersion.current)], value: 1)])
        let enrolled = boxes.filter { !$0.retired }
        out.add("hotline_central_boxes", .gauge, help: "Boxes in the inventory, by state.",
                [(labels: [("state", "enrolled")], value: enrolled.count), (labels: [("state", "retired")], value: boxes.count - enrolled.count)])
        let series: [(String, String, (BoxInventory.Health) -> Double?)] = [
            ("hotline_central_box_last_pull_timestamp_seconds", "When the box was last pulled in full (Unix time).", { $0.lastPull?.timeIntervalSince1970 }),
            ("hotline_central_box_last_attempt_failed", "1 if the box's last pull failed (box list says why).", { b in b.lastAttempt == nil ? nil : (b.lastError == nil ? 0 : 1) }),
            ("hotline_central_box_lag_changes", "Changes the box still held unpulled when its last pull ended.", { $0.lagChanges.map(Double.init) }),
            ("hotline_central_box_lag_bytes", "Media bytes the box still held unpulled when its last pull ended.", { $0.lagBytes.map(Double.init) }),
            ("hotline_central_box_pull_seconds", "How long the box's last pull took.", { $0.pullSeconds }),
            ("hotline_central_box_certificate_expiry_timestamp_seconds", "When the box's enrolled certificate expires (Unix time).", { $0.certificateNotAfter?.timeIntervalSince1970 }),
        ]
        for (name, help, value) in series {
            out.add(name, .gauge, help: help, enrolled.compactMap { box in
                value(box).map { (labels: [("node", box.node), ("district", box.district ?? "")], value: $0) }
            })
        }
        return out.text
    }
}
